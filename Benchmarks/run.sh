#!/bin/sh
# Side-by-side benchmark of LandUse and PyTorch: builds LandUseBenchmarks in release mode, then alternates
# the two engines for ROUNDS rounds (so machine noise hits both alike) and prints per-shape times and the
# ratio LandUse / PyTorch (below 1 means LandUse is faster).
#
#   Benchmarks/run.sh [suite]            suite: conv (default), ops or train-step
#   ROUNDS=3 THREADS=2 BATCH=4 REPEATS=10 PYTHON=/work/torchenv/bin/python Benchmarks/run.sh conv
#
# Each suite is a LandUseBenchmarks subcommand and a Benchmarks/<suite>_bench.py script printing the same
# JSON lines; Benchmarks/compare.py pairs them.
set -eu
cd "$(dirname "$0")/.."
SUITE=${1:-conv}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-2}
BATCH=${BATCH:-4}
REPEATS=${REPEATS:-10}
PYTHON=${PYTHON:-/work/torchenv/bin/python}
export OMP_NUM_THREADS="$THREADS"

swift build -c release --product LandUseBenchmarks >&2
BIN="$(swift build -c release --show-bin-path)/LandUseBenchmarks"
RESULTS=$(mktemp)
trap 'rm -f "$RESULTS"' EXIT

round=1
while [ "$round" -le "$ROUNDS" ]; do
  echo "round $round/$ROUNDS: LandUse" >&2
  # Passive OpenMP waiting, as the landuse executable sets for itself (docs/DESIGN.md, Threads and OpenMP).
  OMP_WAIT_POLICY=PASSIVE "$BIN" "$SUITE" --threads "$THREADS" --batch "$BATCH" --repeats "$REPEATS" >>"$RESULTS"
  echo "round $round/$ROUNDS: PyTorch" >&2
  "$PYTHON" "Benchmarks/${SUITE}_bench.py" --threads "$THREADS" --batch "$BATCH" --repeats "$REPEATS" >>"$RESULTS"
  round=$((round + 1))
done
python3 Benchmarks/compare.py "$RESULTS"
