#!/usr/bin/python3
"""Reads a rramsim calibration file with h5py (as another tool would) and checks it against
`rramsim inspect --json`. Usage: check_tables.py TABLES.h5 INSPECT.json; prints "ok"."""
import json
import sys

import h5py
import numpy as np

h5_path, json_path = sys.argv[1], sys.argv[2]
summary = json.load(open(json_path))
def text(v):
    # rramsim writes fixed-length UTF-8 strings, which h5py returns as bytes.
    return v.decode() if isinstance(v, bytes) else str(v)


with h5py.File(h5_path, "r") as f:
    assert text(f.attrs["rramsim_kind"]) == "calibration"
    assert f["adc/error_rate"].attrs["checksum"] is not None
    assert f["adc/error_rate"].dims[1][0].name == "/crossbar/wire_ohm", "wire axis is not a dimension scale"
    assert int(f.attrs["schema_version"]) == summary["schema_version"]
    levels = f["device/level_mean_siemens"][...]
    assert np.allclose(levels, summary["device"]["level_mean_siemens"], rtol=1e-12), "level means differ"
    wires = f["crossbar/wire_ohm"][...]
    nominal = f["crossbar"].attrs["nominal_wire_ohm"]
    w = int(np.argmin(np.abs(wires - nominal)))
    bits = f["adc/bits"][...]
    err = f["adc/error_rate"][...]
    for i, b in enumerate(bits):
        entry = next(e for e in summary["adc"]["per_bits"] if e["bits"] == b)
        assert abs(err[i, w] - entry["error_rate_nominal_wire"]) < 1e-12, f"error rate at {b} bits differs"
        assert abs(f["adc/energy_pj"][i] - entry["energy_pj"]) < 1e-12
        prob = f[f"adc/bits_{b:02d}/prob"][...]
        assert prob.shape[:3] == (len(wires), len(f["adc/active_rows_key"]), len(f["crossbar/psum"]))
        assert prob.shape[3] <= 2 ** b
        assert np.allclose(prob.sum(axis=3), 1.0, atol=1e-9), f"rows of P(code|psum) at {b} bits do not sum to 1"
    count = f["crossbar/current_count"][...]
    assert count.sum() > 0
print("ok")
