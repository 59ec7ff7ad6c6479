# Two commands for a newcomer: `make run` and `make test`. Everything else here serves them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
API_PORT ?= 8502
# In this repository's development and CI layout the reference files sit in ../shared/data;
# elsewhere they are downloaded (and cached outside git) on the first build.
ifneq ($(wildcard ../shared/data),)
export REVITALIZE_DATA_MIRROR ?= $(abspath ../shared/data)
endif

.PHONY: run test build check bench assets clean lint

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.stamp-app: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.stamp-dev: requirements-dev.txt $(VENV)/.stamp-app
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# Leaflet and its clustering plugin from the npm registry, served by the app (no CDN at run time);
# axe-core for the accessibility tests.
static/vendor/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	rm -rf static/vendor && mkdir -p static/vendor/leaflet static/vendor/markercluster
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css \
	      node_modules/leaflet/dist/images static/vendor/leaflet/
	cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js \
	   node_modules/leaflet.markercluster/dist/MarkerCluster.css \
	   node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css static/vendor/markercluster/
	# axe-core: the browser tests inject it to check every page against WCAG 2.1 AA (never loaded by the app)
	mkdir -p static/vendor/axe-core && cp node_modules/axe-core/axe.min.js static/vendor/axe-core/
	touch $@

assets: static/vendor/.stamp

build: $(VENV)/.stamp-app
	$(BIN)/python -m revitalize build

check: $(VENV)/.stamp-app
	$(BIN)/python -m revitalize check

run: $(VENV)/.stamp-app static/vendor/.stamp
	@$(BIN)/python -m revitalize build --if-needed --allow-missing || \
	  echo "revitalize: the database could not be built; the app will say what is missing."
	@# the OGC API (issue 22) beside the app, on its own port; it stops when the app does
	$(BIN)/python -m revitalize api --port $(API_PORT) & api=$$!; \
	  trap 'kill $$api 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/streamlit run app.py

test: $(VENV)/.stamp-dev static/vendor/.stamp
	$(BIN)/python -m pytest

# ruff (pyflakes, isort, bugbear, pyupgrade, complexity ≤ 15) and mypy on the layers without Streamlit
lint: $(VENV)/.stamp-dev
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(VENV)/.stamp-dev static/vendor/.stamp
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) node_modules static/vendor static/geo geodata/revitalize.duckdb
