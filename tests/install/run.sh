#!/usr/bin/env bash
# Installs the build tree to a temporary prefix, builds a 10-line consumer against the
# installed CMake package, and runs it and the installed rramsim on the installed data.
# Usage: run.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 src=$2
work=$(mktemp -d "$build/test-tmp/install.XXXXXX")
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$src/tests/install/consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/consumer" -j2 >/dev/null
export RRAMSIM_DATA_DIR="$work/prefix/share/rramsim/data"
"$work/consumer/consumer"
"$work/prefix/bin/rramsim" evaluate --arch isaac --network lenet5 --synthetic --quiet | head -n 3
echo "install test passed"
