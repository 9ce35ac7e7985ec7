#!/usr/bin/python3
"""Regression corpus of bad calibration tables files (issue 13): every file must be refused by
`rramsim inspect` with exit 1 and a one-line error naming it, or (a bit flip in unused bytes)
read exactly as the original. Never a crash, a signal, a hang or a huge allocation.

Usage: tables_corpus.py RRAMSIM SOURCE_DIR WORK_DIR   (ctest runs it as fuzz:tables_corpus)
Each case is made from a fresh smoke-config tables file by h5py, as another tool could."""
import os
import random
import shutil
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fuzzlib import SANITIZER, run  # noqa: E402  (timeout, ulimit -v from RRAMSIM_FUZZ_MEMORY_MB)

rramsim, source_dir, work = sys.argv[1], sys.argv[2], sys.argv[3]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
good = os.path.join(work, "good.h5")
subprocess.run([rramsim, "calibrate", "-q", "--threads", "2", os.path.join(source_dir, "data/calibration/smoke.toml"),
                "-o", good], check=True, stdout=subprocess.DEVNULL)


def inspect(path):
    rc, out, err = run([rramsim, "inspect", path])
    if rc is None or SANITIZER.search(err):
        return None
    return subprocess.CompletedProcess([], rc, out, err)


baseline = inspect(good)
assert baseline.returncode == 0, baseline.stderr


def unsealed(f):
    # Without the content checksum the reader's own checks are what must refuse the file.
    if "content_checksum" in f.attrs:
        del f.attrs["content_checksum"]


def replace(f, path, data, **kw):
    attrs = dict(f[path].attrs)
    del f[path]
    d = f.create_dataset(path, data=data, **kw) if data is not None else f.create_dataset(path, **kw)
    for k, v in attrs.items():
        if k not in ("checksum", "DIMENSION_LIST", "REFERENCE_LIST", "CLASS", "NAME"):
            d.attrs[k] = v


# (name, edit, words the error must contain)
cases = [
    ("attr_int64_array", lambda f: f.attrs.__setitem__("schema_version", np.arange(4096, dtype=np.int64)),
     "attribute 'schema_version'"),
    ("attr_vlen_string_array", lambda f: f.attrs.__setitem__(
        "rramsim_kind", np.array(["calibration"] * 3, dtype=h5py.string_dtype())), "attribute 'rramsim_kind'"),
    ("attr_fixed_string_array", lambda f: f.attrs.__setitem__(
        "rramsim_kind", np.array([b"calibration"] * 4096, dtype="S11")), "attribute 'rramsim_kind'"),
    ("attr_number_for_string", lambda f: f.attrs.__setitem__("tool_version", 7), "attribute 'tool_version'"),
    ("bits_per_cell_40", lambda f: (unsealed(f), f["device"].attrs.__setitem__("bits_per_cell", 40)),
     "bits_per_cell = 40"),
    ("bits_per_cell_neg", lambda f: (unsealed(f), f["device"].attrs.__setitem__("bits_per_cell", -1)),
     "bits_per_cell = -1"),
    ("rows_2_30", lambda f: (unsealed(f), f["crossbar"].attrs.__setitem__("rows", 2 ** 30)), "rows = 1073741824"),
    ("error_rate_short", lambda f: (unsealed(f), replace(f, "adc/error_rate", np.zeros((1, 1)))),
     "error_rate has shape 1 x 1"),
    ("energy_2_40", lambda f: (unsealed(f), replace(f, "adc/energy_pj", None, shape=(2 ** 40,), dtype="f8",
                                                    chunks=(1024,))), "1099511627776"),
    ("prob_row_zero", lambda f: (unsealed(f), f["adc/bits_08/prob"].attrs.__delitem__("checksum"),
                                 f["adc/bits_08/prob"].__setitem__((0, 0, 0), 0.0)), "partial sum 0"),
    ("data_changed", lambda f: f["crossbar/psum"].__setitem__(0, 5), "checksum mismatch"),
    ("attr_changed", lambda f: f["adc"].attrs.__setitem__("lsb_amp", 1.0), "content checksum"),
]
failures = []
for name, edit, words in cases:
    p = os.path.join(work, name + ".h5")
    shutil.copy(good, p)
    with h5py.File(p, "r+") as f:
        edit(f)
    r = inspect(p)
    if r is None or r.returncode != 1 or "rramsim: error: " not in r.stderr or p not in r.stderr or words not in r.stderr:
        failures.append(f"{name}: exit {None if r is None else r.returncode}: {'' if r is None else r.stderr.strip()}")

# Bit flips: 20 copies, one flipped bit each at a deterministic place.
rng = random.Random(20261129)
size = os.path.getsize(good)
data = open(good, "rb").read()
refused = same = 0
for i in range(20):
    at, bit = rng.randrange(size), rng.randrange(8)
    flipped = bytearray(data)
    flipped[at] ^= 1 << bit
    p = os.path.join(work, f"flip{i:02d}.h5")
    open(p, "wb").write(flipped)
    r = inspect(p)
    if r is not None and r.returncode == 0 and r.stdout.replace(p, good) == baseline.stdout:
        same += 1
    elif r is not None and r.returncode == 1 and "rramsim: error: " in r.stderr and p in r.stderr:
        refused += 1
    else:
        failures.append(f"flip{i:02d} (byte {at}, bit {bit}): exit {None if r is None else r.returncode}: "
                        f"{'' if r is None else r.stderr.strip()[:300]}")
# `evaluate --tables T -o T` must refuse before any work and leave the tables intact.
before = open(good, "rb").read()
rc, _, err = run([rramsim, "evaluate", "--arch", "isaac", "--network", "lenet5", "--tables", good, "-o", good])
if rc != 1 or "refusing to overwrite" not in err or open(good, "rb").read() != before:
    failures.append(f"evaluate --tables T -o T: exit {rc}: {err.strip()[:300]}")

print(f"{len(cases)} malformed files, 20 bit flips ({refused} refused, {same} read identically)")
for f in failures:
    print("FAIL", f)
sys.exit(1 if failures else 0)
