# The lesson's two entry points: `make lessons` and `make test`. Both set up .venv on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
REQUIREMENTS ?= requirements.txt
BIN := $(VENV)/bin
READY := $(VENV)/.ready
PARAMS ?=
OUT ?= build/lessons$(if $(PARAMS),-$(basename $(notdir $(PARAMS))))
SMOKE := params/smoke.yaml
# When `make test` started (only then), for the time it took.
TEST_STARTED := $(if $(filter test,$(MAKECMDGOALS)),$(shell date +%s))

.PHONY: help lessons test lint unit smoke nbval notebooks-clean checked-outputs bench clean \
	student check-student browser-test wheel-test rerun-test python-check python-test backend-test device-wheels sweep sweep

help:
	@echo "make lessons [PARAMS=file.yaml]  run every notebook with papermill into $(OUT)/"
	@echo "make test                         lint, unit tests and nbval checks (each notebook once)"
	@echo "make checked-outputs              refresh the outputs nbval checks in notebooks/"
	@echo "make student                      student copies (solutions blanked) into build/student/"
	@echo "make check-student NB=file.ipynb  a student's self-check: nbval on that one notebook"
	@echo "make sweep GRID=file.yaml         a grid of notebook runs on Dask (params/sweeps/*.yaml;"
	@echo "   [SWEEP_ARGS=...]               --scheduler ADDRESS, --cores-per-run N, --timeout SECONDS)"
	@echo "make bench [BENCH_ARGS=...]       the speed benchmark (docs/development.md)"
	@echo "make browser-test                 every notebook run from JupyterLab in headless Chromium"
	@echo "make wheel-test                   the built wheel alone: fresh venv, every notebook"
	@echo "make rerun-test                   sections re-run in one kernel; blank student copies"
	@echo "make python-test                  set-up and smoke lesson on the oldest and newest Python"
	@echo "make backend-test                 nbval and the smoke lesson on JAX and PyTorch (no TensorFlow)"

# Create the virtual environment and install the pinned requirements (again when they change).
# The pinned set (NumPy 2.4, Keras 3.15) needs Python 3.11 or newer: say so at once on an older one.
python-check:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "error: the lesson needs Python 3.11 or newer, and $(PYTHON) is" \
	    "$$($(PYTHON) --version 2>&1 || echo missing). Use a newer one, e.g." \
	    "make lessons PYTHON=python3.12 (pyenv, or your system's python3.11+)."; exit 1; }

$(READY): $(REQUIREMENTS) pyproject.toml | python-check
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r $(REQUIREMENTS)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e . \
	  || $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

lessons: $(READY)
	$(BIN)/python tools/run_lessons.py --out $(OUT) $(if $(PARAMS),--params $(PARAMS))

# nbval executes every notebook once; `make smoke` (a papermill run of them all) stays apart.
test: lint unit nbval
	@echo "make test took $$(( $$(date +%s) - $(TEST_STARTED) )) s"

lint: $(READY)
	$(BIN)/ruff check santa_lib tests tools notebooks $(wildcard bench)

# The unit tests on TEST_WORKERS processes (pytest-xdist), each test file on one of them: many
# wait on kernels and subprocesses, so two share two cores well.
TEST_WORKERS ?= 2
unit: $(READY)
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile tests

smoke: $(READY)
	$(BIN)/python tools/run_lessons.py --params $(SMOKE) --out build/smoke

nbval: $(READY)
	$(BIN)/python tools/run_lessons.py --params $(SMOKE) --out build/nbval --prepare-only
	$(BIN)/python -m pytest -q --nbval-lax --nbval-sanitize-with tests/nbval_sanitize.cfg build/nbval

checked-outputs: $(READY)
	$(BIN)/python tools/run_lessons.py --params $(SMOKE) --out build/checked
	$(BIN)/python tools/notebook_outputs.py keep-checked --from build/checked notebooks/*.ipynb

notebooks-clean: $(READY)
	$(BIN)/python tools/notebook_outputs.py check notebooks/*.ipynb

# Student copies: cells tagged `solution` become their prompt; checked outputs stay for nbval.
student: $(READY)
	$(BIN)/python tools/student_copies.py write --out build/student notebooks/*.ipynb

$(if $(filter check-student,$(MAKECMDGOALS)),$(if $(NB),,$(error check-student needs NB=, \
  e.g. make check-student NB=build/student/02_frozen_base_augmentation.ipynb)))
check-student: $(READY)
	$(BIN)/python tools/student_copies.py check $(NB) --params $(SMOKE) --out build/check-student

# Every notebook run from JupyterLab's menu in a headless Chromium (tests/browser/). Chromium:
# Debian's package, installed here when missing and root (CI), or Playwright's own build.
$(VENV)/.browser-ready: requirements-browser.txt $(READY)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-browser.txt
	@touch $@

browser-test: $(VENV)/.browser-ready
	@command -v chromium >/dev/null || [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null \
	  || (apt-get update && apt-get install -y chromium)
	SANTA_BROWSER_TEST=1 $(BIN)/python -m pytest -q -s tests/browser

# A grid of notebook parameters run with papermill on Dask distributed (docs/instructors.md#sweeps):
# SWEEP_ARGS="--scheduler tcp://HOST:8786 --cores-per-run 2 --timeout 3600 --summary-out PATH".
$(if $(filter sweep,$(MAKECMDGOALS)),$(if $(GRID),,$(error sweep needs GRID=, \
  e.g. make sweep GRID=params/sweeps/seeds.yaml (grids: $(wildcard params/sweeps/*.yaml)))))
sweep: $(READY)
	$(BIN)/python -m santa_lib sweep $(GRID) $(SWEEP_ARGS)

bench: $(READY)
	$(BIN)/python bench/bench_lesson.py $(BENCH_ARGS)

# The wheel alone (minutes): built, installed with its declared dependencies into a fresh venv,
# every notebook run from an empty folder with the smoke parameters (tests/wheel/).
wheel-test: $(READY)
	SANTA_WHEEL_TEST=1 $(BIN)/python -m pytest -q tests/wheel

clean:
	rm -rf build

# Sections re-run in one kernel, and blank student copies (tests/rerun; a few minutes).
rerun-test: $(READY)
	SANTA_RERUN_TEST=1 $(BIN)/python -m pytest -q tests/rerun

# The oldest and the newest Python the project claims (pyproject's requires-python): each gets a
# fresh virtual environment from requirements.txt and runs every notebook at smoke size.
PYTHONS ?= 3.11 3.13
python-test:
	@for version in $(PYTHONS); do \
	  python=$$(ls -d $$HOME/.pyenv/versions/$$version*/bin/python 2>/dev/null | tail -1); \
	  test -n "$$python" || python=$$(command -v python$$version); \
	  test -n "$$python" || { echo "error: no Python $$version here (install it, e.g. pyenv install $$version)"; exit 1; }; \
	  echo "== Python $$version: $$python"; \
	  $(MAKE) --no-print-directory lessons PYTHON=$$python VENV=build/venv-$$version \
	    PARAMS=$(SMOKE) OUT=build/python-$$version || exit 1; \
	done

# Keras' other backends on the CPU, each in a venv of its own without TensorFlow:
# requirements.txt less its TensorFlow lines, plus the backend (PyTorch's CPU build: the one this
# workplace keeps on disk for Python 3.11; PyPI's default build brings GBs of CUDA libraries).
# nbval checks the same outputs as on TensorFlow; then the smoke lesson. Each backend gets a
# lesson cache of its own, so it calibrates the random weights and computes the features itself.
BACKEND_PINS_jax := jax==0.10.2 jaxlib==0.10.2
BACKEND_PINS_torch := torch==2.13.0
BACKENDS ?= jax torch
build/requirements-%.txt: requirements.txt
	@mkdir -p build
	grep -v '^tensorflow' requirements.txt > $@
	printf '%s\n' $(BACKEND_PINS_$*) >> $@

backend-test: $(foreach backend,$(BACKENDS),build/requirements-$(backend).txt)
	@for backend in $(BACKENDS); do \
	  echo "== KERAS_BACKEND=$$backend"; \
	  KERAS_BACKEND=$$backend SANTA_LIB_CACHE=$(CURDIR)/build/cache-$$backend \
	    $(MAKE) --no-print-directory nbval lessons \
	    VENV=build/venv-$$backend REQUIREMENTS=build/requirements-$$backend.txt \
	    PARAMS=$(SMOKE) OUT=build/$$backend || exit 1; \
	done

# Wheels for bench/device_run.sh on a GPU machine without a package index (Python 3.12 there):
# Keras and the two packages it needs that such a machine lacks, into .whl/ (git-ignored).
device-wheels: $(READY)
	$(BIN)/python -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 \
	  --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
	  --platform manylinux2014_x86_64 -d .whl keras==3.15.1 namex==0.1.0 optree==0.20.0
