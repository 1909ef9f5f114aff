# regflow: `make run` and `make test` do all set-up (idempotent) on a fresh Debian/Ubuntu machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test setup system-deps window-deps lint bench clean

setup: system-deps $(STAMP)

system-deps:
	@PYTHON=$(PYTHON) scripts/system-deps.sh

window-deps:
	@PYTHON=$(PYTHON) scripts/system-deps.sh --window

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "regflow needs Python 3.11 or newer; found " + sys.version.split()[0])'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { echo "Cannot create $(VENV). On Debian/Ubuntu: sudo apt-get install -y python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# The desktop app on your register (the demo cases the first time). With no screen (a server,
# CI), it runs on a virtual screen (Xvfb) and saves a picture of its window instead.
run: window-deps setup
	@if [ "$$(uname -s)" = Linux ] && [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
		mkdir -p out; \
		echo "No screen here (DISPLAY is not set): running regflow on a virtual screen and saving its window to out/regflow.png"; \
		xvfb-run -a -s "-screen 0 1600x1000x24" $(BIN)/regflow gui --screenshot out/regflow.png; \
	else \
		$(BIN)/regflow gui; \
	fi

test: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest
	$(BIN)/ruff check .

lint: setup
	$(BIN)/ruff check .

bench: setup
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/register_bench.py --postgresql
	$(BIN)/python benchmarks/open_bench.py --cases 20000 --postgresql
	$(BIN)/python benchmarks/scale_bench.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/gui_bench.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/national_bench.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/compare_bench.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/editor_bench.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/variant_editor_bench.py

clean:
	rm -rf $(VENV) out .pytest_cache build *.egg-info
