# Two commands on a fresh machine: `make demo` and `make test`. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint imports typecheck unit postgres clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/costbridge demo

test: lint imports typecheck unit postgres

lint: $(STAMP)
	$(BIN)/ruff check .

# The layering contracts in pyproject.toml ([tool.importlinter]); a broken one names itself.
imports: $(STAMP)
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q

# The same database tests again on PostgreSQL when COSTBRIDGE_TEST_DATABASE_URL is set
# (CI sets it). Unreachable server → failure, not a skip.
postgres: $(STAMP)
	@if [ -n "$$COSTBRIDGE_TEST_DATABASE_URL" ]; then \
		echo "== PostgreSQL pass: $$COSTBRIDGE_TEST_DATABASE_URL"; \
		COSTBRIDGE_TEST_BACKEND=postgresql $(BIN)/pytest -q -m db; \
	else \
		echo "== PostgreSQL pass skipped: COSTBRIDGE_TEST_DATABASE_URL is not set"; \
	fi

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .grimp_cache
