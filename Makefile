# mcsec top-level Makefile. The two commands for a fresh Debian 12 machine:
#   make run    install what is missing, build, start the CS proxy on loopback (foreground)
#   make test   install what is missing, build, run every test; ends with "N passed, N failed"
SHELL := /bin/bash
TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
MOD := $(MAKE) --no-print-directory -C modules/mcsec

.PHONY: help all build deps kamailio-src lib tool unit asan fuzz fuzz-build module test run bench \
	format format-check ct-check clean distclean

all: build

help:
	@echo "make run | test | build | bench | fuzz | clean | distclean"
	@echo "make deps | kamailio-src | lib | tool | unit | asan | fuzz-build | module | format-check | ct-check"

# Debian packages (no-op when present; sudo when not root)
deps:
	@scripts/install-deps.sh

# Kamailio source tree matching the installed binary, configured with Debian's flags (cached)
kamailio-src:
	@scripts/kamailio-src.sh >/dev/null

lib tool unit asan:
	@$(MOD) $@

# build the libFuzzer targets only
fuzz-build:
	@$(MOD) fuzz

# build and run every fuzzer longer than make test does (MCSEC_FUZZ_SECONDS each, default 60)
fuzz: deps
	@MCSEC_FUZZ_SECONDS=$${MCSEC_FUZZ_SECONDS:-60} scripts/run-tests.sh fuzz/

module: kamailio-src
	@$(MOD) module

build: deps
	@$(MOD) lib tool
	@$(MAKE) --no-print-directory module

test: deps
	@scripts/run-tests.sh

run: deps
	@scripts/run.sh

bench: deps
	@scripts/bench.sh

format-check:
	@scripts/format-check.sh

ct-check:
	@if [ -x scripts/ct-check.sh ] || [ -f scripts/ct-check.sh ]; then bash scripts/ct-check.sh; \
	else echo "ct-check: scripts/ct-check.sh does not exist yet" >&2; exit 1; fi

clean:
	@$(MOD) clean
	rm -rf build/demo build/test-runs build/bench

# also drops the fetched Kamailio tree and the private apt state
distclean:
	rm -rf build
	rm -f modules/mcsec/*.o modules/mcsec/*.d modules/mcsec/mcsec.so modules/mcsec/*.lst
