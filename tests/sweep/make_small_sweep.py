#!/usr/bin/env python3
"""Writes the tests' small sweep (tiny 128-row calibration, few images) into a folder.

  make_small_sweep.py DIR SOURCE_DIR grid|zip
"""
import sys
from pathlib import Path

d, src, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
d.mkdir(parents=True, exist_ok=True)
(d / "base.toml").write_text("""seed = 3
[device]
params = "stanford-pku"
bits_per_cell = 2
devices = 16
[crossbar]
rows = 128
cols = 128
wire_ohm = [0.5, 8.0]
nominal_wire_ohm = 0.5
active_rows = [64, 128]
inputs_per_count = 2
arrays_per_mix = 1
column_buckets = 1
[crossbar.check]
engine = "none"
[adc]
bits = [6, 8]
min_samples = 4
""")
(d / "small.toml").write_text(f"""# tests' small sweep
calibration = "base.toml"
hardware = "isaac"
network = "lenet5"
weights = "{src}/data/weights/lenet5-mnist.h5"
scheme = "baseline"
images = 10
calibration_images = 10
mode = "{mode}"

[[axis]]
name = "wire_ohm"
key = "crossbar.nominal_wire_ohm"
values = [0.5, 8.0]

[[axis]]
key = "adc_bits"
values = [6, 8]
""")
