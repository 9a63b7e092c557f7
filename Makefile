# Chartwatch: every command a person runs. `make demo` and `make test` work on a
# fresh machine with Python 3.11+, git and make: they install uv (into .tools/ when
# it is not on PATH), create .venv from uv.lock and go.

SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
VENV := $(CURDIR)/.venv
RUN := $(VENV)/bin/python
export UV_PYTHON_DOWNLOADS := never
# Compile bytecode at install time, so the first `make demo` run does not pay for it.
export UV_COMPILE_BYTECODE := 1

PORT ?= 3000
S3_PORT ?= 9000
START ?= 2025-01-01
END ?= 2025-02-09
PRODUCT ?= deepseek
# make import passes DATE only when a person gave it (reports say their own days).
DATE_GIVEN := $(if $(filter undefined,$(origin DATE)),,yes)
DATE ?= 2025-01-27
FORMAT ?= text
# make ui-screenshot: where the PNGs go, and whose asset page they show.
SHOTS ?= docs/screenshots
ASSET ?= reports/launch_pictures
CHARTWATCH_DATA_DIR ?= data
# Yours when set in the environment (or on the command line); else the Makefile's own.
ifeq ($(origin DAGSTER_HOME),undefined)
DAGSTER_HOME := $(CURDIR)/.dagster_home
endif

# Every variable a person sets reaches a program as data, never as shell code: its
# text is taken literally ($(value ...): not even make expands it), exported (when
# set), and each recipe passes it as one quoted argument ("$$START"). The programs
# check it.
USER_VARIABLES := PORT S3_PORT START END PRODUCT DATE VS FORMAT SHOTS ASSET SOURCE COUNTRY FILES Q \
	FAILED QUICK PYTHON CHARTWATCH_DATA_DIR CHARTWATCH_ESTIMATES DAGSTER_HOME
$(foreach name,$(USER_VARIABLES),$(if $(filter undefined,$(origin $(name))),,\
	$(eval override $(name) := $$(value $(name)))$(eval export $(name))))

.PHONY: install instance demo test faults scaleout-test scaleout-servers s3-local ui ui-screenshot backfill report import sql products coverage bench backtest lint format clean

install: $(VENV)/.installed

$(CURDIR)/.tools/bin/uv:
	"$$PYTHON" -m venv $(CURDIR)/.tools
	$(CURDIR)/.tools/bin/pip install --quiet uv==0.13.9

# The `deploy` extra (Postgres, Celery, Kubernetes, S3 logs: deploy/, docs/deploy.md)
# comes along: the tests read the deploy files with it.
$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	@echo "installing the locked dependencies into .venv (once; about a minute and 1.2 GB)"
	@$(UV) sync --locked --extra deploy --quiet --python "$$PYTHON"
	@touch $@

# $DAGSTER_HOME/dagster.yaml: the shipped instance settings (a file of yours is kept).
instance:
	@"$$PYTHON" -m pipelines.home instance

demo: install instance
	$(RUN) -m pipelines.cli materialize --start "$$START" --end "$$END" --via "make demo"
	$(RUN) -m pipelines.report --product deepseek --date 2025-01-27 --vs perplexity $(if $(filter model,$(CHARTWATCH_ESTIMATES)),,--compare)
	@$(if $(filter model,$(CHARTWATCH_ESTIMATES)),echo; echo "CHARTWATCH_ESTIMATES=model: downloads come from the rank model (ranks and the panel only); make backtest sets them beside the vendor data")
	@echo
	@echo "Next:"
	@printf '  make ui                      # the Dagster UI on http://127.0.0.1:%s (PORT=... to change)\n' "$$PORT"
	@echo "  make report PRODUCT=chatgpt DATE=2025-02-03   # against its first competitor"
	@echo "  make products                 # the product keys, stores and competitors"
	@echo "  make coverage                 # the days and countries of every table"
	@echo "  make sql                      # a SQL shell on the warehouse (Q=\"...\" for one query)"

test: install
	$(RUN) -m pytest -q

# The fault suite (docs/reliability.md): runs killed at named moments, a full disk,
# overlapping backfills, a held warehouse, hostile inputs; each followed by a run that
# must converge to a clean run's data.
faults: install
	$(RUN) -m pytest -q --faults tests/faults

# The scale-out suite (docs/deploy.md): PostgreSQL, Redis and an S3 server (moto) on
# 127.0.0.1, two Celery workers, the webserver and the daemon; a backfill launched as
# the UI launches one must build the warehouse a local folder builds. It installs the
# two Debian packages it needs when they are missing (apt-get; sudo unless root).
scaleout-test: install scaleout-servers
	$(RUN) -m pytest -q --scaleout tests/scaleout

scaleout-servers:
	@missing=""; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	if [ -n "$$missing" ]; then \
	  sudo=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  echo "installing$$missing (apt-get, once)"; \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing >/dev/null; \
	fi

# An S3 server in memory on 127.0.0.1 (S3_PORT=9000), to try CHARTWATCH_DATA_DIR=s3://...
s3-local: install
	$(RUN) -m pipelines.s3local --port "$$S3_PORT"

ui: install instance
	$(RUN) -m pipelines.ui -w workspace.yaml -h 127.0.0.1 -p "$$PORT"

# PNGs of the UI in headless Chromium (apt-get install chromium): the asset graph and
# $(ASSET)'s page. Uses the UI on $(PORT), or starts one (as `make ui`) and stops it.
ui-screenshot: install instance
	$(RUN) -m pipelines.screenshot --start-ui --url "http://127.0.0.1:$$PORT" --out "$$SHOTS" --asset "$$ASSET"

backfill: install instance
	$(RUN) -m pipelines.cli materialize --start "$$START" --end "$$END" --failed-only "$$FAILED" --via "make backfill"

# DATE and COUNTRY are for files that do not say them (a chart); reports that name
# their own days and countries (App Store Connect, Play Console) need only FILES.
import: install
	$(RUN) -m pipelines.cli import "$$SOURCE" --date $(if $(DATE_GIVEN),"$$DATE","") --country "$$COUNTRY" --files "$$FILES"

# SQL on the warehouse, read-only: Harlequin (a terminal SQL client), or with
# Q="select ..." one query, printed.
sql: install
	$(RUN) -m pipelines.explore sql --query "$$Q"

# The tracked products (products.toml): keys, names, apps, competitors.
products: install
	$(RUN) -m pipelines.explore products

# What the lake and the warehouse hold: days, countries and rows of each dataset and table.
coverage: install
	$(RUN) -m pipelines.explore coverage

report: install
	$(RUN) -m pipelines.report --product "$$PRODUCT" --date "$$DATE" --vs "$$VS" --format "$$FORMAT"

# The benchmark of issue 5: a year of every App Store storefront (QUICK=1: 30 days),
# in data/bench; writes bench/results.md.
bench: install
	$(RUN) -m bench.run $(if $(QUICK),--quick)

# The rank -> downloads model against the known downloads of the apps outside its
# panel (issue 6): error by rank band and country size, interval coverage, and the
# launch report from the model beside the one from vendor data. Materialises
# START..END first if the lake has no fit for it.
backtest: install instance
	$(RUN) -m pipelines.backtest --start "$$START" --end "$$END" --product "$$PRODUCT" --date "$$DATE" --vs "$$VS"

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Deletes the data folder (only if it holds nothing but Chartwatch's) and the
# Makefile's own Dagster instance (never a DAGSTER_HOME of yours).
clean:
	@"$$PYTHON" -m pipelines.home clean
