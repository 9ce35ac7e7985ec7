#!/usr/bin/env bash
# ctest sweep:mpi: the same small sweep under `mpirun -n 2` and in one process must give
# bit-identical datasets. Exit 77 (skipped) when mpirun is not installed.
# Usage: mpi_test.sh RRAMSIM_EXE SOURCE_DIR WORK_DIR
set -euo pipefail
exe=$1 src=$2 work=$3
command -v mpirun >/dev/null || { echo "mpirun not found: skipped"; exit 77; }
rm -rf "$work" && mkdir -p "$work"
/usr/bin/python3 "$src/tests/sweep/make_small_sweep.py" "$work" "$src" grid
"$exe" sweep "$work/small.toml" --out "$work/one.h5" --cache "$work/cache" -q
mpirun -n 2 --oversubscribe --allow-run-as-root "$exe" sweep "$work/small.toml" --out "$work/two.h5" \
  --cache "$work/cache2" -q --threads 1
/usr/bin/python3 "$src/tests/sweep/check_sweep.py" same "$work/one.h5" "$work/two.h5"
/usr/bin/python3 "$src/tests/sweep/check_sweep.py" scales "$work/two.h5"
