#!/usr/bin/env bash
# The AddressSanitizer + UndefinedBehaviorSanitizer tree: configures build-asan with
# -DRRAMSIM_SANITIZE=ON, builds it and runs the test suite there (scripts/test.sh calls it
# after the normal suite). Any sanitizer report fails the test that triggered it.
#   - Left out by label: `long` (the two whole-test-set accuracy runs: float figures that
#     the sanitizers add nothing to, and over 10 min each under ASan) and `install` (the
#     installed-package consumer is an ordinary, uninstrumented build; the normal tree runs it).
#   - libngspice's own leaks (inside libngspice.so, not ours) are suppressed for
#     LeakSanitizer by scripts/lsan.supp.
#   - Sanitizer exits use code 86, so that a report can never pass for a clean error exit 1
#     (the fuzz corpora also look for the report text).
#   - No ulimit -v here: ASan reserves terabytes of address space for its shadow memory.
# Usage: scripts/sanitize.sh [extra ctest arguments]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir="$top/build-asan"
start=$(date +%s)
cmake -S "$top" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRRAMSIM_SANITIZE=ON -DRRAMSIM_BENCH=OFF >/dev/null
cmake --build "$dir" -j2
built=$(date +%s)
export ASAN_OPTIONS="detect_leaks=1:exitcode=86:abort_on_error=0:detect_odr_violation=0"
export LSAN_OPTIONS="suppressions=$top/scripts/lsan.supp:print_suppressions=0:exitcode=86"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=86"
cd "$dir"
status=0
ctest -j2 --output-on-failure --timeout 1800 -LE 'long|install|mpi' "$@" || status=$?
end=$(date +%s)
echo "sanitize: build $((built - start)) s, tests $((end - built)) s (ASan + UBSan, labels long and install left out)"
exit $status
