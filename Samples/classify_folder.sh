#!/usr/bin/env bash
# Classifies every GeoTIFF in a folder with one model and merges their area reports into one CSV:
# the shape of a GIS batch job (shell, Make, cron, a cluster array job).
#
#   Samples/classify_folder.sh MODEL.safetensors INPUT_FOLDER OUTPUT_FOLDER [landuse options...]
#
# Writes OUTPUT_FOLDER/<name>.classes.tif and <name>.areas.csv for each input, then
# OUTPUT_FOLDER/areas.csv: every report's rows under one header (the `raster` column says which file).
# Stops at the first failure with landuse's message; re-running skips rasters already classified.
set -euo pipefail
if [ $# -lt 3 ]; then
    echo "usage: $0 MODEL.safetensors INPUT_FOLDER OUTPUT_FOLDER [landuse classify options...]" >&2
    exit 2
fi
model=$1 input=$2 output=$3
shift 3
landuse=${LANDUSE:-landuse}
mkdir -p "$output"
shopt -s nullglob nocaseglob
rasters=("$input"/*.tif "$input"/*.tiff)
if [ ${#rasters[@]} -eq 0 ]; then
    echo "no .tif files in $input" >&2
    exit 1
fi
for raster in "${rasters[@]}"; do
    name=$(basename "${raster%.*}")
    if [ -f "$output/$name.areas.csv" ]; then
        echo "skip $name (already classified)"
        continue
    fi
    "$landuse" classify "$raster" --model "$model" --output "$output/$name.classes.tif" \
        --report "$output/$name.areas.csv" --quiet "$@"
    echo "classified $name"
done
merged="$output/.areas.csv.partial"
first=1
for report in "$output"/*.areas.csv; do
    if [ $first -eq 1 ]; then head -n 1 "$report" > "$merged"; first=0; fi
    tail -n +2 "$report" >> "$merged"
done
mv "$merged" "$output/areas.csv"
echo "wrote $output/areas.csv"
