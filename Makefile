# Amalgam — the two commands a newcomer runs:
#   make run    install missing Debian packages, build (release), run the quickstart, write results/quickstart.csv
#   make test   build and run every test
SHELL := /bin/bash
SWIFT ?= swift
DEB_PACKAGES := liblua5.4-dev libedit-dev pkg-config
RELEASE_BIN := .build/release/amalgam

.PHONY: run test deps build release bench docs notebooks clean

# Installs what the build needs when missing: as root with apt-get, otherwise says exactly what to run.
deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "missing Debian packages:$$missing"; echo "run: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

release: deps
	$(SWIFT) build -c release --product amalgam

run: release
	$(RELEASE_BIN) --seed 42 scripts/quickstart.lua
	@echo "wrote results/quickstart.csv"

build: deps
	$(SWIFT) build

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-swift-testing --parallel --num-workers 2

bench: deps
	$(SWIFT) run -c release amalgam-bench

docs: build
	.build/debug/amalgam docs > docs/lua-api.md

clean:
	rm -rf .build results
