# The lesson's two entry points: `make lessons` and `make test`. Both set up .venv on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready
PARAMS ?=
OUT ?= build/lessons$(if $(PARAMS),-$(basename $(notdir $(PARAMS))))
SMOKE := params/smoke.yaml

.PHONY: help lessons test lint unit smoke nbval notebooks-clean checked-outputs bench clean \
	student check-student

help:
	@echo "make lessons [PARAMS=file.yaml]  run every notebook with papermill into $(OUT)/"
	@echo "make test                         lint, unit tests, smoke runs and nbval checks"
	@echo "make checked-outputs              refresh the outputs nbval checks in notebooks/"
	@echo "make student                      student copies (solutions blanked) into build/student/"
	@echo "make check-student NB=file.ipynb  a student's self-check: nbval on that one notebook"
	@echo "make bench [BENCH_ARGS=...]       the speed benchmark (see README)"

# Create the virtual environment and install the pinned requirements (again when they change).
$(READY): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e . \
	  || $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

lessons: $(READY)
	$(BIN)/python tools/run_lessons.py --out $(OUT) $(if $(PARAMS),--params $(PARAMS))

test: lint unit smoke nbval

lint: $(READY)
	$(BIN)/ruff check santa_lib tests tools notebooks $(wildcard bench)

unit: $(READY)
	$(BIN)/python -m pytest -q tests

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

bench: $(READY)
	$(BIN)/python bench/bench_lesson.py $(BENCH_ARGS)

clean:
	rm -rf build
