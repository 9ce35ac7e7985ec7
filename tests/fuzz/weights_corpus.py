#!/usr/bin/python3
"""Regression corpus of bad weights files (issue 13), read through `rramsim export` (which
loads a network's weights and writes ONNX): malformed files must be refused with exit 1, a
message naming the file, and no ONNX left behind; bit-flipped copies are refused or read as
valid (a flip in unused bytes). Never a crash, a signal, a hang or a huge allocation.

Usage: weights_corpus.py RRAMSIM SOURCE_DIR WORK_DIR   (ctest: fuzz:weights_corpus)
The good file is written by `rramsim train` (a few batches), so it carries checksums."""
import os
import random
import shutil
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fuzzlib import Corpus, run  # noqa: E402

rramsim, src, work = sys.argv[1], sys.argv[2], sys.argv[3]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
good = os.path.join(work, "good.h5")
rc, _, err = run([rramsim, "train", "--quiet", "--epochs", "1", "--limit", "256", "--out", good])
assert rc == 0, err
out = os.path.join(work, "out.onnx")
c = Corpus("weights_corpus")


def export(p):
    return [rramsim, "export", "--network", "lenet5", "--weights", p, "--out", out]


rc, _, err = run(export(good))
assert rc == 0, err
os.remove(out)


def replace(f, path, data=None, **kw):
    del f[path]
    if data is not None:
        f.create_dataset(path, data=data, **kw)
    else:
        f.create_dataset(path, **kw)


# (name, edit, words the error must contain besides the file name)
cases = [
    ("weight_wrong_shape", lambda f: replace(f, "fc1/weight", np.zeros((120, 399), "f4")), ["fc1"]),
    ("weight_missing", lambda f: f.__delitem__("fc2/weight"), ["fc2"]),
    ("weight_nan", lambda f: f["conv1/weight"].__setitem__((0, 0, 0, 0), np.nan), []),
    ("weight_2_40", lambda f: replace(f, "fc3/weight", shape=(2 ** 40,), dtype="f4", chunks=(1024,)), []),
    ("weight_as_string", lambda f: replace(f, "fc3/bias", np.array([b"abc"] * 10)), ["fc3"]),
    ("attr_array", lambda f: f.attrs.__setitem__("schema_version", np.arange(4096, dtype=np.int64)),
     ["schema_version"]),
    ("attr_vlen_array", lambda f: f.attrs.__setitem__("network", np.array(["lenet5"] * 3, dtype=h5py.string_dtype())),
     ["network"]),
    ("layer_is_dataset", lambda f: (f.__delitem__("conv2"), f.create_dataset("conv2", data=np.zeros(3))), ["conv2"]),
    ("data_changed", lambda f: f["fc1/bias"].__setitem__(0, 5.0), []),
]
for name, edit, words in cases:
    # Sealed: the content checksum refuses the edit. Unsealed (no content checksum, as a file
    # written by another tool): the reader's own checks must refuse it, naming what is wrong.
    for sealed in (True, False):
        p = os.path.join(work, name + ("" if sealed else "-unsealed") + ".h5")
        shutil.copy(good, p)
        with h5py.File(p, "r+") as f:
            if not sealed:
                del f.attrs["content_checksum"]
            edit(f)
        c.refused(f"weights/{name}{'' if sealed else ' (unsealed)'}", export(p), [out],
                  [p] + ([] if sealed or name == "data_changed" else words))

not_h5 = os.path.join(work, "not_h5.h5")
open(not_h5, "w").write("not an HDF5 file\n")
c.refused("weights/not_hdf5", export(not_h5), [out], [not_h5])
c.refused("weights/directory", export(work), [out], [work])

rng = random.Random(20261131)
data = open(good, "rb").read()
for i in range(20):
    at, bit = rng.randrange(len(data)), rng.randrange(8)
    flipped = bytearray(data)
    flipped[at] ^= 1 << bit
    p = os.path.join(work, f"flip{i:02d}.h5")
    open(p, "wb").write(flipped)
    c.survives(f"weights/flip{i:02d} (byte {at}, bit {bit})", export(p), [out])
sys.exit(c.finish())
