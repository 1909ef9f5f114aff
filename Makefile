# regflow: `make run` and `make test` do all set-up (idempotent) on a fresh Debian/Ubuntu machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test setup system-deps lint bench clean

setup: system-deps $(STAMP)

system-deps:
	@PYTHON=$(PYTHON) scripts/system-deps.sh

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "regflow needs Python 3.11 or newer; found " + sys.version.split()[0])'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { echo "Cannot create $(VENV). On Debian/Ubuntu: sudo apt-get install -y python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# Until the desktop app lands, `run` renders both specs and prints a what-if timeline for each.
run: setup
	@mkdir -p out
	$(BIN)/regflow validate specs/ciw_2019.toml specs/swia_handover.toml
	$(BIN)/regflow render specs/ciw_2019.toml -o out/ciw_2019.svg
	$(BIN)/regflow render specs/swia_handover.toml -o out/swia_handover.svg
	$(BIN)/regflow simulate specs/ciw_2019.toml examples/ciw_significant.toml
	$(BIN)/regflow simulate specs/swia_handover.toml examples/swia_low_risk.toml

test: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest
	$(BIN)/ruff check .

lint: setup
	$(BIN)/ruff check .

bench: setup
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/register_bench.py

clean:
	rm -rf $(VENV) out .pytest_cache build *.egg-info
