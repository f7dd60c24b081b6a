# The README's commands. Each creates .venv on first use and re-installs only when
# pyproject.toml changes, so a second run starts at once.
PYTHON ?= python3
VENV ?= .venv
EXTRAS ?= notebooks,test
comma := ,
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(subst $(comma),_,$(EXTRAS))
PORT ?= 8888
# Keep Jupyter's and matplotlib's state inside the repo, never in $HOME.
export JUPYTER_CONFIG_DIR := $(CURDIR)/.jupyter-state/config
export MPLCONFIGDIR := $(CURDIR)/.jupyter-state/matplotlib
export IPYTHONDIR := $(CURDIR)/.jupyter-state/ipython

.PHONY: install lab test test-unit test-notebooks bench lint clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

lab: install  ## open the series in JupyterLab (prints the URL on a headless machine)
	$(BIN)/jupyter lab --notebook-dir=notebooks --port=$(PORT) --ip=127.0.0.1

test: install  ## unit tests, doctests and every notebook re-executed by nbval
	$(BIN)/python -m pytest

test-unit: install
	$(BIN)/python -m pytest cnnhelpers tests

test-notebooks: install
	$(BIN)/python -m pytest notebooks

bench: install  ## speed against SciPy, a naive loop and (if installed) PyTorch
	@for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

lint: install
	$(BIN)/ruff check cnnhelpers tests benchmarks

clean:
	rm -rf $(VENV) .jupyter-state build *.egg-info
