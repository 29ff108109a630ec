#!/usr/bin/env bash
# Trains the sample model Samples/landuse-raleigh.safetensors on the labelled Raleigh scene, exactly as
# committed, and records its test figures on the east third in the file's metadata.
#
#   Samples/train_sample_model.sh [OUTPUT]     (default: Samples/landuse-raleigh.safetensors; about 25 min)
#
# Two stages (docs/sample-model.md):
# 1. a PSPNet trained from scratch on columns 0-239, columns 240-325 validating (they pick the kept
#    checkpoint), 1,500 iterations (about 15 min);
# 2. distillation: stage 1 fine-tuned towards its own class probabilities averaged over chip grids of 1-4x
#    its training chip (`landuse train --teacher`), on columns 0-325 and the unlabelled Olinda sample scene,
#    so that its predictions depend much less on the chip grid (about 10 min). The last weights are kept.
# STAGE1=FILE uses an existing stage-1 model instead of training it; DISTILL=0 stops after stage 1 (the
# stage-1 model is then OUTPUT, for Samples/ablation.sh).
#
# PYRAMID_SIZES (default 1,3,5,6; "none" for no pyramid pooling) and DECODER (default fpn) change only the
# architecture, for the ablation in Samples/ablation.sh; everything else (data, budget, seed) stays the same.
# CHIP_SIZE (default 128) and BATCH_SIZE (default 8) change stage 1's training chips, for the chip-context
# experiments of docs/sample-model.md.
#
# The split (../shared/DATA.md): train on columns 0-325, never look at columns 326-488 until the final
# evaluation. Stage 1 trains on columns 0-239 and validates on 240-325; stage 2 trains on 0-325; the east
# third is evaluated once, at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
output=${1:-Samples/landuse-raleigh.safetensors}
landuse=${LANDUSE:-.build/release/landuse}
Samples/fetch_raleigh.sh .build-data/raleigh
image=.build-data/raleigh/raleigh6.vrt
labels=.build-data/raleigh/strata.tif
pyramid_sizes=${PYRAMID_SIZES:-1,3,5,6}
decoder=${DECODER:-fpn}
chip_size=${CHIP_SIZE:-128}
batch_size=${BATCH_SIZE:-8}
classes=$(mktemp --suffix=.json)
trap 'rm -f "$classes"' EXIT
cat > "$classes" <<'JSON'
[
  {"value": 1, "name": "developed", "color": "#d73027"},
  {"value": 2, "name": "agriculture", "color": "#fee08b"},
  {"value": 3, "name": "herbaceous", "color": "#a6d96a"},
  {"value": 4, "name": "shrubland", "color": "#8c6d31"},
  {"value": 5, "name": "forest", "color": "#1a9850"},
  {"value": 6, "name": "water", "color": "#4575b4"},
  {"value": 7, "name": "sediment", "color": "#bababa"}
]
JSON
distill=${DISTILL:-1}
if [ "$distill" = 0 ]; then
  stage1=$output
else
  mkdir -p .build-data/sample-model
  stage1=${STAGE1:-.build-data/sample-model/landuse-raleigh-stage1.safetensors}
fi
if [ "$distill" = 0 ] || [ -z "${STAGE1:-}" ]; then
  "$landuse" train --image "$image" --labels "$labels" --classes "$classes" --output "$stage1" --overwrite \
      --band-names blue,green,red,nir,swir1,swir2 \
      --train-window 0,0,240,443 --val-window 240,0,86,443 \
      --backbone resnet18 --width 0.5 --output-stride 8 --pyramid-sizes "$pyramid_sizes" --decoder "$decoder" --aux-weight 0.4 \
      --chip-size "$chip_size" --batch-size "$batch_size" --iterations 1500 --val-every 150 --class-weights none \
      --nodata-policy fill_missing_bands --augment-scale 0.7,1.4 --seed 1 --threads 1 --storage F16 --json
  rm -f "$stage1.checkpoint"
fi
if [ "$distill" != 0 ]; then
  "$landuse" train --image "$image" --labels "$labels" --classes "$classes" --output "$output" --overwrite \
      --band-names blue,green,red,nir,swir1,swir2 \
      --train-window 0,0,326,443 --distill-image Samples/L7_ETMs.tif \
      --backbone resnet18 --width 0.5 --output-stride 8 --pyramid-sizes "$pyramid_sizes" --decoder "$decoder" --aux-weight 0 \
      --init-from "$stage1" --teacher "$stage1" --distill-weight 10 --freeze-batchnorm --keep-last \
      --chip-size 128 --chip-sizes 64,96,128,160,192,224,256,288,320 --batch-size 4 --iterations 600 --val-every 100 \
      --lr 0.005 --clip-grad-norm 30 --class-weights none --nodata-policy fill_missing_bands --seed 1 --threads 1 --storage F16 --json
  rm -f "$output.checkpoint"
fi
"$landuse" evaluate --model "$output" --image "$image" --labels "$labels" --window 326,0,163,443 --record-as east_third --quiet
