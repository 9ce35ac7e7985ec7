#!/usr/bin/env bash
# Set-up (scripts/setup.sh), then the main job: device characterization, a crossbar check
# against ngspice, the default calibration, the schemes compared with ISAAC and PRIME
# on every shipped network, and the wire x ADC sweep on LeNet-5 (plots in out/sweep/). Results (HDF5, JSON, plots, reports) go to out/.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/setup.sh"
cd "$top"
mkdir -p out
r=build/rramsim
plot() { command -v gnuplot >/dev/null && echo "--plot out/$1" || true; }

echo "== 1. device: I-V sweep (native vs ngspice) and write-verify of 2-bit cells"
$r device iv --engine both --out out/device-iv.h5 $(plot device-iv.png)
$r device program --devices 1000 --out out/device-program.h5 $(plot device-levels.png)

echo "== 2. crossbar: 64x64 with 1 ohm wires, ideal vs native vs ngspice"
$r crossbar solve --rows 64 --cols 64 --engine all --out out/crossbar.h5 $(plot crossbar-drop.png)

echo "== 3. calibration: data/calibration/default.toml -> out/tables.h5"
$r calibrate data/calibration/default.toml --out out/tables.h5 --threads 2
$r inspect out/tables.h5 > out/tables.txt
head -n 40 out/tables.txt

echo "== 4. schemes vs ISAAC-16, the iso-accuracy static ISAAC, PRIME and DaDianNao (published)"
# Reads counted per crossbar, energy with always-on power (docs/schemes.md, docs/arch.md).
# Accuracy is measured bit-accurately on 500 MNIST / 200 Fashion-MNIST test images (the
# whole test sets take --images 0), for the schemes, PRIME's datapath and ISAAC at static
# precisions; AlexNet, VGG and ResNet use synthetic statistics.
for net in lenet5 fashion-vgg alexnet vgg16 resnet18 resnet50; do
  images=500; [ $net = fashion-vgg ] && images=200
  $r evaluate --arch isaac --network $net --scheme all --images $images --quiet -o out/schemes-$net.txt
  sed -n '1,/^x thr/p' out/schemes-$net.txt
  echo
done

echo "== 5. LeNet-5 with the calibrated crossbar nonideality (IR drop, variation) in the ADC"
$r evaluate --arch isaac --network lenet5 --tables out/tables.h5 --scheme all --images 300 \
  --quiet -o out/schemes-lenet5-calibrated.txt
sed -n '1,/^x thr/p' out/schemes-lenet5-calibrated.txt

echo "== 6. sweep: wire resistance x ADC bits on LeNet-5 (data/sweeps/wire-adc-lenet5.toml)"
# One cached calibration for all 30 points (docs/sweep.md); a second run reuses it.
$r sweep data/sweeps/wire-adc-lenet5.toml --out out/sweep-wire-adc.h5 --cache out/sweep-cache \
  --threads 2 --json $(plot sweep) > out/sweep-wire-adc.json
/usr/bin/python3 - <<'PY'
import json
j = json.load(open("out/sweep-wire-adc.json"))
print("wire_ohm  adc_bits  accuracy  adc_error_rate  ir_ratio  energy_per_inference_j")
for p in j["points"]:
    print(f"{p['wire_ohm']:8g}  {p['adc_bits']:8g}  {p['accuracy']:8.3f}  {p['adc_error_rate']:14.4g}  {p['ir_ratio']:8.4f}  {p['energy_per_inference_j']:.4g}")
print("plots:", *j["plots"], sep="\n  ")
PY
echo "main job done: results in out/"
