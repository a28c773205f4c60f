# Multi-Plan Integration — the commands a planner or a CI machine runs.
#   make demo   sets up what is missing, then runs the main job on the demo district
#   make test   sets up what is missing, then runs every test
SHELL := /bin/bash
SYS_PY := /usr/bin/python3
VENV_PY := .venv/bin/python
PARCELS ?= 20000
CASES ?=
N ?=
export PYTHONPATH := $(CURDIR)/.build/py
export QT_QPA_PLATFORM ?= offscreen
export XDG_RUNTIME_DIR ?= /tmp/runtime-$(shell id -u)

.PHONY: setup demo test bench package lint translations clean

setup:
	@bash dev/setup.sh

demo: setup
	$(SYS_PY) dev/run_demo.py --parcels $(PARCELS) --out demo

test: setup
	$(VENV_PY) -m pytest

bench: setup
	$(SYS_PY) dev/bench.py --cases "$(CASES)" --n "$(N)"

package: setup
	$(SYS_PY) dev/package.py --out dist

lint: setup
	.venv/bin/ruff check .

translations: setup
	$(SYS_PY) dev/update_translations.py
	lrelease -silent i18n/multiplan_zh.ts -qm i18n/multiplan_zh.qm

clean:
	rm -rf .build dist demo .pytest_cache
