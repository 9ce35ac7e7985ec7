#!/usr/bin/env bash
# Set-up (scripts/setup.sh) then the main job: the default calibration and the
# evaluation of the schemes on the shipped networks. Results go to out/.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/setup.sh"
cd "$top"
mkdir -p out
build/rramsim device iv --engine both --out out/device-iv.h5 --plot out/device-iv.png
