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

.PHONY: install lab test test-unit test-notebooks bench lint clean test-browser playground slides \
	assignments classroom classroom-install classroom-proxy test-classroom

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

# The classroom kit (classroom/, README "For lecturers: a class on JupyterHub"): nbgrader and JupyterHub
# join the same .venv (the classroom extra needs Python >= 3.11); configurable-http-proxy comes from npm
# into classroom/build. nbgrader runs alembic from PATH, hence the PATH below.
CLASSROOM_EXTRAS := $(EXTRAS),classroom
CLASSROOM_BIN := $(VENV)/bin
CLASSROOM_PROXY := classroom/build/node_modules/.bin/configurable-http-proxy

classroom-install:
	@$(MAKE) --no-print-directory install EXTRAS=$(if $(findstring classroom,$(EXTRAS)),$(EXTRAS),$(CLASSROOM_EXTRAS))

$(CLASSROOM_PROXY):
	@command -v npm >/dev/null || { echo "The classroom hub needs npm (Node.js) once, for configurable-http-proxy"; exit 1; }
	mkdir -p classroom/build && npm install --silent --no-fund --no-audit --prefix classroom/build configurable-http-proxy@5

classroom-proxy: $(CLASSROOM_PROXY)

assignments: classroom-install  ## the nbgrader course, one assignment per notebook, in classroom/course/source
	PATH="$(CURDIR)/$(CLASSROOM_BIN):$$PATH" $(CLASSROOM_BIN)/python -m classroom.make_assignments

classroom: assignments classroom-proxy  ## a demo JupyterHub on 127.0.0.1 with the series and nbgrader (prints URL and passwords)
	PATH="$(CURDIR)/$(CLASSROOM_BIN):$$PATH" $(CLASSROOM_BIN)/python -m classroom.demo

test-classroom: classroom-install classroom-proxy  ## nbgrader flow offline, a hub on loopback with 5 students, the Helm values
	PATH="$(CURDIR)/$(CLASSROOM_BIN):$$PATH" $(CLASSROOM_BIN)/python -m pytest tests/classroom -rs --durations=5

bench: install  ## speed against SciPy, a naive loop and (if installed) PyTorch
	@for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

lint: install
	$(BIN)/ruff check cnnhelpers tests benchmarks classroom

clean:
	rm -rf $(VENV) .jupyter-state build *.egg-info classroom/build
	cd classroom/course && rm -rf source release submitted autograded feedback gradebook.db
