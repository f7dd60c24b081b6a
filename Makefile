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

.PHONY: install lab test test-unit test-notebooks bench lint clean test-browser playground slides html slide-decks pages \
	test-matplotlib-next assignments classroom classroom-install classroom-proxy test-classroom

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
# Each visit runs its own Python kernel (see the README for its memory): a kernel idle for
# PLAYGROUND_IDLE seconds is shut down (checked every minute, open tab or not: reloading the page
# starts a fresh one), and at most PLAYGROUND_MAX_KERNELS run at once (a visit beyond gets "full").
PLAYGROUND_IDLE ?= 600
PLAYGROUND_MAX_KERNELS ?= 20
playground: install  ## the kernel playground and "draw a digit" as apps (Voila: no code visible) on 127.0.0.1
	@echo "Kernel playground: open http://127.0.0.1:$(PLAYGROUND_PORT)/voila/render/kernel_playground.ipynb"
	@echo "Draw a digit:      open http://127.0.0.1:$(PLAYGROUND_PORT)/voila/render/draw_a_digit.ipynb (Ctrl+C stops both)"
	@echo "No token: the server listens on 127.0.0.1 only, so only programs on this computer can reach it."
	@echo "Idle visits are closed after $(PLAYGROUND_IDLE) s; at most $(PLAYGROUND_MAX_KERNELS) visitors at once."
	$(BIN)/voila notebooks --no-browser --Voila.ip=127.0.0.1 --port=$(PLAYGROUND_PORT) \
		--VoilaConfiguration.multi_kernel_manager_class=cnnhelpers.serving.CappedKernelManager \
		--CappedKernelManager.max_kernels=$(PLAYGROUND_MAX_KERNELS) \
		--MappingKernelManager.cull_idle_timeout=$(PLAYGROUND_IDLE) --MappingKernelManager.cull_interval=60 \
		--MappingKernelManager.cull_connected=True

# Static pages of every numbered notebook, readable with no network: reveal.js slides (make slides)
# and plain HTML pages (make html). Their scripts (reveal.js, require.js, jQuery, MathJax, Font Awesome,
# the widget renderer) are fetched once with npm into <folder>/assets and served from there.
SLIDES_DIR ?= slides
HTML_DIR ?= html
WEB_PACKAGES := reveal.js@4.0.2 requirejs@2.1.22 jquery@2.2.4 @jupyter-widgets/html-manager@1.0.15 \
	mathjax@2.7.7 font-awesome@4.7.0
# The same local URLs for both exporters, relative to the page.
OFFLINE_URLS = --$(1).require_js_url=assets/requirejs-2.1.22/require.js \
	--$(1).jquery_url=assets/jquery-2.2.4/dist/jquery.min.js \
	--$(1).mathjax_url="assets/mathjax-2.7.7/MathJax.js?config=TeX-AMS_CHTML-full,Safe" \
	--$(1).widget_renderer_url=assets/jupyter-widgets-html-manager-1.0.15/dist/embed-amd.js
SLIDES_FLAGS := $(call OFFLINE_URLS,SlidesExporter) \
	--SlidesExporter.reveal_url_prefix=assets/reveal.js-4.0.2 --SlidesExporter.reveal_theme=white \
	--SlidesExporter.font_awesome_url=assets/font-awesome-4.7.0/css/font-awesome.css \
	--SlidesExporter.reveal_width=1280 --SlidesExporter.reveal_height=800 \
	--SlidesExporter.reveal_number=c/t
HTML_FLAGS := $(call OFFLINE_URLS,HTMLExporter)
NBCONVERT := $(BIN)/jupyter nbconvert --TemplateExporter.extra_template_basedirs=templates \
	--TemplateExporter.extra_template_paths=templates

%/assets/.fetched:
	@command -v npm >/dev/null || { echo "make slides and make html need npm (Node.js) once, to fetch their scripts"; exit 1; }
	rm -rf build/web-packages $*/assets && mkdir -p build/web-packages $*/assets
	cd build/web-packages && npm pack --silent $(WEB_PACKAGES) >/dev/null
	for tgz in build/web-packages/*.tgz; do \
		name=$$(basename $$tgz .tgz); mkdir -p $*/assets/$$name; \
		tar xzf $$tgz -C $*/assets/$$name --strip-components=1 || exit 1; done
	@touch $@

# The notebooks to convert (tests convert one); `slide-decks` and `pages` skip the install step.
PAGES ?= notebooks/[0-9]*.ipynb
slides: install slide-decks  ## reveal.js slides of each notebook in slides/ (open them offline)
	@echo "Slides written to $(SLIDES_DIR)/: open $(SLIDES_DIR)/00_welcome.slides.html in a browser"

slide-decks: $(SLIDES_DIR)/assets/.fetched
	$(NBCONVERT) --to slides $(SLIDES_FLAGS) --template lecture --output-dir $(SLIDES_DIR) $(PAGES)

html: install pages  ## each notebook as one HTML page in html/ (readable offline)
	@echo "Pages written to $(HTML_DIR)/: open $(HTML_DIR)/00_welcome.html in a browser"

pages: $(HTML_DIR)/assets/.fetched
	$(NBCONVERT) --to html $(HTML_FLAGS) --template page --output-dir $(HTML_DIR) $(PAGES)

# The drawing machinery (cnnhelpers/_drawing.py) leans on how matplotlib works inside; this runs the
# tests of every slider picture against the newest matplotlib on PyPI, pre-releases included, in a
# throwaway environment. A trick that no longer works shows in test_the_installed_matplotlib_passes_every_check
# (the experiments then draw the plain, slower way); any other failure is a real breakage.
MPL_NEXT ?= build/mpl-next
MPL_NEXT_TESTS ?= tests/test_drawing.py tests/test_live_figure.py $(wildcard tests/test_lessons_*.py) tests/test_kernel_editor.py
test-matplotlib-next:  ## the widget tests against the newest matplotlib (pre-releases too), in a throwaway venv
	rm -rf $(MPL_NEXT)
	$(PYTHON) -m venv $(MPL_NEXT)
	$(MPL_NEXT)/bin/python -m pip install --quiet --upgrade pip
	$(MPL_NEXT)/bin/python -m pip install --quiet -e . pytest nbval scipy
	$(MPL_NEXT)/bin/python -m pip install --quiet --pre --upgrade matplotlib
	@$(MPL_NEXT)/bin/python -c "import matplotlib, numpy; print('matplotlib', matplotlib.__version__, '/ numpy', numpy.__version__)"
	$(MPL_NEXT)/bin/python -m pytest $(MPL_NEXT_TESTS) -q

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
