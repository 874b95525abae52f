# permanent-research — two commands do everything on a fresh machine (Python >= 3.11 and make):
#   make reports   set up, build data/processed, run every notebook into reports/, build reports/site/
#   make test      set up, run the whole test suite (unit, reference, notebooks via nbval)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
JOBS   ?= 2

.PHONY: setup data reports test lint clean-reports help

help:
	@echo "make reports   set up, then run every notebook into reports/ (open reports/site/index.html)"
	@echo "make test      set up, then run the whole test suite"
	@echo "make lint      ruff on src, tests, notebooks, benchmarks"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required (found " + sys.version.split()[0] + ")")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

data: setup
	$(BIN)/permanent-research data build

reports: data
	$(BIN)/permanent-research run --all-scenarios --jobs $(JOBS)
	$(BIN)/permanent-research site

test: setup
	MPLBACKEND=Agg $(BIN)/python -m pytest -n $(JOBS) --dist loadfile \
		--nbval-lax --nbval-current-env --nbval-cell-timeout=600 tests notebooks

lint: setup
	$(BIN)/ruff check src tests notebooks benchmarks

clean-reports:
	rm -rf reports/*/ reports/index.html
