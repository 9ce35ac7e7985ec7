#!/usr/bin/env python3
"""Checks of sweep HDF5 files for the sweep tests.

  check_sweep.py scales FILE             every metric has its axes attached as dimension scales
  check_sweep.py same A B                every dataset of A equals B's bit for bit (same names, shapes)
  check_sweep.py shape FILE DATASET N..  the dataset's shape is (N, ...)
"""
import sys

import h5py
import numpy as np

METRICS = ["accuracy", "adc_error_rate", "ir_ratio", "energy_per_inference_j", "throughput_inferences_per_s",
           "gops_per_w", "gops_per_s_mm2", "subwords_skipped_fraction", "level_success_fraction"]


def scales(path):
    with h5py.File(path, "r") as f:
        assert f.attrs["rramsim_kind"] in (b"sweep", "sweep"), f.attrs["rramsim_kind"]
        assert "cache_dir" in f.attrs
        axes = f.attrs["axes"]
        axes = (axes.decode() if isinstance(axes, bytes) else axes).split(",")
        for m in METRICS:
            d = f[m]
            for i, dim in enumerate(d.dims):
                assert len(dim) == 1, f"{m}: dimension {i} has no scale"
                name = dim[0].name.lstrip("/")
                assert len(f[name]) == d.shape[i], f"{m}: scale {name} length"
            names = [dim[0].name.lstrip("/") for dim in d.dims]
            if f.attrs["mode"] in (b"grid", "grid"):
                assert names[: len(axes)] == axes, (m, names, axes)
            else:
                assert names[0] == "point", names
    print("ok")


def same(a, b):
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        na = sorted(k for k in fa.keys())
        nb = sorted(k for k in fb.keys())
        assert na == nb, (na, nb)
        for k in na:
            if k == "calibration_tables":
                continue  # paths of the cache folders
            x, y = np.asarray(fa[k][()]), np.asarray(fb[k][()])
            assert x.shape == y.shape, (k, x.shape, y.shape)
            if x.dtype.kind == "f":
                assert np.array_equal(x.view(np.uint64), y.view(np.uint64)), f"{k} differs:\n{x}\n{y}"
            else:
                assert np.array_equal(x, y), k
    print("same")


def shape(path, name, *dims):
    with h5py.File(path, "r") as f:
        assert f[name].shape == tuple(int(d) for d in dims), (f[name].shape, dims)
    print("ok")


if __name__ == "__main__":
    {"scales": scales, "same": same, "shape": shape}[sys.argv[1]](*sys.argv[2:])
