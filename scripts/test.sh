#!/usr/bin/env bash
# Set-up (scripts/setup.sh), the whole test suite through ctest, then the same suite in the
# AddressSanitizer + UndefinedBehaviorSanitizer tree (scripts/sanitize.sh; RRAMSIM_NO_SANITIZE=1
# skips it on a developer machine).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/setup.sh"
cd "$top/build"
start=$(date +%s)
ctest -j2 --output-on-failure --timeout 900
echo "test: normal tree $(($(date +%s) - start)) s"
if [ "${RRAMSIM_NO_SANITIZE:-0}" != 1 ]; then
  "$top/scripts/sanitize.sh"
fi
