#!/usr/bin/env bash
# The pyramid-pooling ablation of docs/sample-model.md: the sample model's stage-1 recipe (Samples/train_sample_model.sh
# with DISTILL=0:
# same data, split, budget of 1,500 iterations, seed and thread count) with five architectures, each scored
# once on the east third of the Raleigh scene. Prints a Markdown table.
#
#   Samples/ablation.sh [OUTDIR]        (default .build-data/ablation; JOBS=2 runs two trainings at once)
#
# Each training takes about 15 minutes on one thread. Besides OA and mIoU on the east third, the table gives
# each model's chip-grid agreement on the whole Raleigh scene: the share of valid pixels whose class is the same
# when classified with chips of 256 (overlap 64) and of 512 (overlap 128), measured with `landuse evaluate`
# using the 512-chip class raster as the reference.
set -euo pipefail
cd "$(dirname "$0")/.."
outdir=${1:-.build-data/ablation}
jobs=${JOBS:-2}
landuse=${LANDUSE:-.build/release/landuse}
export LANDUSE=$landuse
mkdir -p "$outdir"
Samples/fetch_raleigh.sh .build-data/raleigh >/dev/null
image=.build-data/raleigh/raleigh6.vrt
labels=.build-data/raleigh/strata.tif

configs=("none upsample" "1 upsample" "1,2,3,6 upsample" "1,3,5,6 upsample" "1,3,5,6 fpn")

run_one() {
  local sizes=$1 decoder=$2
  local name="pyramid-${sizes//,/}-$decoder"
  local model="$outdir/$name.safetensors"
  if [ ! -f "$model" ]; then
    DISTILL=0 PYRAMID_SIZES=$sizes DECODER=$decoder Samples/train_sample_model.sh "$model" >"$outdir/$name.train.log" 2>&1
  fi
  "$landuse" evaluate --model "$model" --image "$image" --labels "$labels" --window 326,0,163,443 --quiet --json \
    >"$outdir/$name.east.json"
  "$landuse" classify "$image" --model "$model" --output "$outdir/$name.c512.tif" --chip-size 512 --overlap 128 \
    --quiet --overwrite
  "$landuse" evaluate --model "$model" --image "$image" --labels "$outdir/$name.c512.tif" --chip-size 256 \
    --overlap 64 --quiet --json >"$outdir/$name.seams.json"
}

running=0
for config in "${configs[@]}"; do
  # shellcheck disable=SC2086
  run_one $config &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
done
wait

echo "| pyramid sizes | decoder | east third OA | east third mIoU | kappa | chip grids 256/64 vs 512/128 agree |"
echo "|---|---|---:|---:|---:|---:|"
for config in "${configs[@]}"; do
  # shellcheck disable=SC2086
  set -- $config
  name="pyramid-${1//,/}-$2"
  jq -r --arg sizes "$1" --arg decoder "$2" --slurpfile seams "$outdir/$name.seams.json" \
    '"| \($sizes) | \($decoder) | \(.metrics.overall_accuracy * 10000 | round / 10000) | \(.metrics.miou * 10000 | round / 10000) | \(.metrics.kappa * 10000 | round / 10000) | \($seams[0].metrics.overall_accuracy * 1000 | round / 10)% |"' \
    "$outdir/$name.east.json"
done
