#!/usr/bin/env bash
# Set-up (scripts/setup.sh) then the whole test suite through ctest.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/setup.sh"
cd "$top/build"
ctest -j2 --output-on-failure --timeout 900
