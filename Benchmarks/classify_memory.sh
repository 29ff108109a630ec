#!/bin/sh
# Peak memory of `landuse classify` on a generated SIZE x SIZE 6-band Byte scene (docs/benchmarks.md,
# "classify memory"). Not part of `make test`: at 40,000 x 40,000 it runs 6,241 chips (about an hour on
# 2 cores).
#
#   Benchmarks/classify_memory.sh [SIZE]          SIZE defaults to 40000; WORK=DIR keeps the files there;
#                                                 BIN=DIR takes the binaries from DIR instead of building
#
# The scene is a VRT that stretches the sample scene Tests/Fixtures/L7_ETMs.tif (349 x 352) to SIZE x SIZE
# by nearest neighbour: no disk, real pixel values, every chip valid. The model is a PSPNet ResNet-18 OS16
# with RANDOM weights written by ClassifyBenchmark (it measures memory, not accuracy). Peak RSS comes from
# `/usr/bin/time -v`; the script fails when it reaches 1.5 GB.
set -eu
cd "$(dirname "$0")/.."
SIZE=${1:-40000}
LIMIT_KB=1464843   # 1.5 GB = 1.5e9 bytes in KiB
WORK=${WORK:-$(mktemp -d)}
mkdir -p "$WORK"

if [ -z "${BIN:-}" ]; then   # BIN=DIR uses already built landuse and ClassifyBenchmark binaries from DIR
  swift build -c release --product landuse >&2
  swift build -c release --product ClassifyBenchmark >&2
  BIN="$(swift build -c release --show-bin-path)"
fi

SCENE="$WORK/scene-$SIZE.vrt"
gdal_translate -q -of VRT -r nearest -outsize "$SIZE" "$SIZE" Tests/Fixtures/L7_ETMs.tif "$SCENE"
"$BIN/ClassifyBenchmark" random-model "$WORK/random-model.safetensors" --chip-size 512 --overlap 0 >&2

echo "classifying $SCENE ($SIZE x $SIZE x 6 Byte) with chips of 512, overlap 0" >&2
OMP_WAIT_POLICY=PASSIVE /usr/bin/time -v "$BIN/landuse" classify "$SCENE" --model "$WORK/random-model.safetensors" \
  --output "$WORK/classes-$SIZE.tif" --chip-size 512 --overlap 0 --quiet --overwrite --json \
  >"$WORK/summary-$SIZE.json" 2>"$WORK/time-$SIZE.txt"

peak_kb=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$WORK/time-$SIZE.txt")
wall=$(sed -n 's/^[[:space:]]*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$WORK/time-$SIZE.txt")
chips=$(sed -n 's/.*"chips_classified" *: *\([0-9]*\).*/\1/p' "$WORK/summary-$SIZE.json")
echo "size ${SIZE} x ${SIZE}: ${chips} chips, wall ${wall}, peak RSS $((peak_kb / 1024)) MiB (${peak_kb} KiB)"
if [ "$peak_kb" -ge "$LIMIT_KB" ]; then
  echo "FAIL: peak RSS reaches 1.5 GB" >&2
  exit 1
fi
