#!/bin/sh
# Side-by-side benchmark of LandUse and PyTorch: builds LandUseBenchmarks in release mode, then alternates
# the two engines for ROUNDS rounds (so machine noise hits both alike) and prints per-shape times and the
# ratio LandUse / PyTorch (below 1 means LandUse is faster).
#
#   Benchmarks/run.sh [suite]            suite: conv (default), ops, train-step or model
#   Benchmarks/run.sh model              whole PSPNet (plan f32/bf16 vs PyTorch eager f32/bf16 autocast),
#                                        batches 1,4, 3 repeats, 2 rounds by default; table by compare_model.py.
#                                        Engines alternate per model (MODELS, default all four), so both see
#                                        the same machine load; e.g. MODELS="resnet18-upsample" BATCH=1
#   ROUNDS=3 THREADS=2 BATCH=4 REPEATS=10 PYTHON=/work/torchenv/bin/python Benchmarks/run.sh conv
#   ONLY=pspnet Benchmarks/run.sh train-step   one row of a suite (conv: a shape name; train-step: resblock
#                                        or pspnet, the PSPNet-ResNet-18 256x256 step of the training issue)
#
# Each suite is a LandUseBenchmarks subcommand and a Benchmarks/<suite>_bench.py script printing the same
# JSON lines; Benchmarks/compare.py pairs them.
set -eu
cd "$(dirname "$0")/.."
SUITE=${1:-conv}
if [ "$SUITE" = model ]; then
  ROUNDS=${ROUNDS:-2}; BATCH=${BATCH:-1,4}; REPEATS=${REPEATS:-3}
fi
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-2}
BATCH=${BATCH:-4}
REPEATS=${REPEATS:-10}
PYTHON=${PYTHON:-/work/torchenv/bin/python}
export OMP_NUM_THREADS="$THREADS"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"

swift build -c release --product LandUseBenchmarks >&2
BIN="$(swift build -c release --show-bin-path)/LandUseBenchmarks"
RESULTS=$(mktemp)
trap 'rm -f "$RESULTS"' EXIT

echo "load before the run: $(uptime)" >&2
round=1
while [ "$SUITE" = model ] && [ "$round" -le "$ROUNDS" ]; do
  for name in ${MODELS:-resnet18-upsample resnet18-fpn resnet50-upsample resnet50-fpn}; do
    echo "round $round/$ROUNDS: $name, LandUse then PyTorch ($(uptime | sed 's/.*load/load/'))" >&2
    "$BIN" model --threads "$THREADS" --batch "$BATCH" --repeats "$REPEATS" --only "$name" >>"$RESULTS"
    "$PYTHON" Benchmarks/model_bench.py --threads "$THREADS" --batch "$BATCH" --repeats "$REPEATS" --only "$name" >>"$RESULTS"
  done
  round=$((round + 1))
done
while [ "$SUITE" != model ] && [ "$round" -le "$ROUNDS" ]; do
  echo "round $round/$ROUNDS: LandUse" >&2
  # Passive OpenMP waiting, as the landuse executable sets for itself (docs/DESIGN.md, Threads and OpenMP).
  OMP_WAIT_POLICY=PASSIVE "$BIN" "$SUITE" --threads "$THREADS" --batch "$BATCH" --repeats "$REPEATS" ${ONLY:+--only "$ONLY"} >>"$RESULTS"
  echo "round $round/$ROUNDS: PyTorch" >&2
  "$PYTHON" "Benchmarks/${SUITE}_bench.py" --threads "$THREADS" --batch "$BATCH" --repeats "$REPEATS" ${ONLY:+--only "$ONLY"} >>"$RESULTS"
  round=$((round + 1))
done
echo "load after the run: $(uptime)" >&2
if [ "$SUITE" = model ]; then python3 Benchmarks/compare_model.py "$RESULTS"; else python3 Benchmarks/compare.py "$RESULTS"; fi
if [ -n "${KEEP:-}" ]; then cp "$RESULTS" "$KEEP"; fi
