# Two commands for a newcomer (README): `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint sysdeps bench audit clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Debian packages the product needs outside Python: a CJK font for pass cards (fonts-wqy-zenhei
# covers Extension A, e.g. 䶮), poppler-utils for PDF checks, Chromium for browser tests.
sysdeps:
	@sh scripts/sysdeps.sh

demo: $(STAMP)
	@sh scripts/sysdeps.sh fonts
	$(BIN)/shouwang demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy shouwang bench
	$(BIN)/bandit -q -c pyproject.toml -r shouwang -ll -x '*/tests/*,*/migrations/*'
	$(BIN)/python manage.py makemigrations --check --dry-run

# The whole suite on SQLite, then again on PostgreSQL when DATABASE_URL is set.
test: $(STAMP)
	@sh scripts/sysdeps.sh fonts browser || true
	$(MAKE) --no-print-directory lint
	env -u DATABASE_URL $(BIN)/pytest
	@if [ -n "$$DATABASE_URL" ]; then echo "== again on $$DATABASE_URL =="; $(BIN)/pytest; fi

# Known vulnerabilities in the installed packages. --strict fails when a package could not be
# audited, so a registry mirror without vulnerability data cannot pass silently.
audit: $(STAMP)
	$(BIN)/pip-audit --strict --progress-spinner off

bench: $(STAMP)
	$(BIN)/python bench/screening.py

clean:
	rm -rf $(VENV) var test-artifacts
