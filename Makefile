# The README's commands. Each creates .venv on first use and re-installs only when
# pyproject.toml changes, so a second run starts at once.
PYTHON ?= python3
VENV ?= .venv
EXTRAS ?= notebooks,test
comma := ,
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(subst $(comma),_,$(EXTRAS))
PORT ?= 8888
# Jupyter refuses to run as root (containers, some cloud machines) unless told it may.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
# Keep Jupyter's and matplotlib's state inside the repo, never in $HOME.
export JUPYTER_CONFIG_DIR := $(CURDIR)/.jupyter-state/config
export MPLCONFIGDIR := $(CURDIR)/.jupyter-state/matplotlib
export IPYTHONDIR := $(CURDIR)/.jupyter-state/ipython

.PHONY: install lab test test-unit test-notebooks bench lint clean test-browser playground slides test-matplotlib-next

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

lab: install  ## open the series in JupyterLab (prints the URL on a headless machine)
	$(BIN)/jupyter lab --notebook-dir=notebooks --port=$(PORT) --ip=127.0.0.1 $(ALLOW_ROOT)

test: install  ## unit tests, doctests and every notebook re-executed by nbval
	$(BIN)/python -m pytest

test-unit: install
	$(BIN)/python -m pytest cnnhelpers tests

test-notebooks: install
	$(BIN)/python -m pytest notebooks

test-browser: install  ## every notebook's sliders and the playground in headless Chromium (skipped, with the reason, without one)
	$(BIN)/python -m pytest tests/browser -rs

PLAYGROUND_PORT ?= 8866
playground: install  ## the kernel playground as an app (Voila: no code visible) on 127.0.0.1
	@echo "Kernel playground: open http://127.0.0.1:$(PLAYGROUND_PORT)/ in a browser (Ctrl+C stops it)"
	$(BIN)/voila notebooks/kernel_playground.ipynb --no-browser --Voila.ip=127.0.0.1 --port=$(PLAYGROUND_PORT)

# Static reveal.js slides of every numbered notebook, viewable offline: reveal.js, require.js, jQuery,
# MathJax, Font Awesome and the widget renderer are fetched once with npm into $(SLIDES_DIR)/assets.
SLIDES_DIR ?= slides
SLIDE_PACKAGES := reveal.js@4.0.2 requirejs@2.1.22 jquery@2.2.4 @jupyter-widgets/html-manager@1.0.15 \
	mathjax@2.7.7 font-awesome@4.7.0
SLIDE_ASSETS := $(SLIDES_DIR)/assets
SLIDES_FLAGS := --SlidesExporter.reveal_url_prefix=assets/reveal.js-4.0.2 \
	--SlidesExporter.require_js_url=assets/requirejs-2.1.22/require.js \
	--SlidesExporter.jquery_url=assets/jquery-2.2.4/dist/jquery.min.js \
	--SlidesExporter.mathjax_url="assets/mathjax-2.7.7/MathJax.js?config=TeX-AMS_CHTML-full,Safe" \
	--SlidesExporter.font_awesome_url=assets/font-awesome-4.7.0/css/font-awesome.css \
	--SlidesExporter.widget_renderer_url=assets/jupyter-widgets-html-manager-1.0.15/dist/embed-amd.js \
	--SlidesExporter.reveal_width=1280 --SlidesExporter.reveal_height=800 \
	--SlidesExporter.reveal_scroll=True --SlidesExporter.reveal_number=c/t

$(SLIDE_ASSETS)/.fetched:
	@command -v npm >/dev/null || { echo "make slides needs npm (Node.js) once, to fetch reveal.js and friends"; exit 1; }
	rm -rf build/slide-packages $(SLIDE_ASSETS) && mkdir -p build/slide-packages $(SLIDE_ASSETS)
	cd build/slide-packages && npm pack --silent $(SLIDE_PACKAGES) >/dev/null
	for tgz in build/slide-packages/*.tgz; do \
		name=$$(basename $$tgz .tgz); mkdir -p $(SLIDE_ASSETS)/$$name; \
		tar xzf $$tgz -C $(SLIDE_ASSETS)/$$name --strip-components=1 || exit 1; done
	@touch $@

slides: install $(SLIDE_ASSETS)/.fetched  ## reveal.js slides of each notebook in slides/ (open them offline)
	$(BIN)/jupyter nbconvert --to slides $(SLIDES_FLAGS) --TemplateExporter.extra_template_basedirs=slides-template \
		--template lecture --output-dir $(SLIDES_DIR) notebooks/[0-9]*.ipynb
	@echo "Slides written to $(SLIDES_DIR)/: open $(SLIDES_DIR)/00_welcome.slides.html in a browser"

# The drawing machinery (cnnhelpers/_drawing.py) leans on how matplotlib works inside; this runs the
# tests of every slider picture against the newest matplotlib on PyPI, pre-releases included, in a
# throwaway environment. A trick that no longer works shows in test_the_installed_matplotlib_passes_every_check
# (the experiments then draw the plain, slower way); any other failure is a real breakage.
MPL_NEXT ?= build/mpl-next
MPL_NEXT_TESTS ?= tests/test_drawing.py tests/test_live_figure.py $(wildcard tests/test_widgets_*.py tests/lessons/test_*.py)
test-matplotlib-next:  ## the widget tests against the newest matplotlib (pre-releases too), in a throwaway venv
	rm -rf $(MPL_NEXT)
	$(PYTHON) -m venv $(MPL_NEXT)
	$(MPL_NEXT)/bin/python -m pip install --quiet --upgrade pip
	$(MPL_NEXT)/bin/python -m pip install --quiet -e . pytest nbval scipy
	$(MPL_NEXT)/bin/python -m pip install --quiet --pre --upgrade matplotlib
	@$(MPL_NEXT)/bin/python -c "import matplotlib, numpy; print('matplotlib', matplotlib.__version__, '/ numpy', numpy.__version__)"
	$(MPL_NEXT)/bin/python -m pytest $(MPL_NEXT_TESTS) -q

bench: install  ## speed against SciPy, a naive loop and (if installed) PyTorch
	@for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

lint: install
	$(BIN)/ruff check cnnhelpers tests benchmarks

clean:
	rm -rf $(VENV) .jupyter-state build *.egg-info
