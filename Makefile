# The two commands (see README): `make demo` and `make test`. Both set up what they need.
.PHONY: demo test lint bench setup

setup:
	bash scripts/bootstrap.sh

demo: setup
	.venv/bin/erpml demo

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy
	.venv/bin/lint-imports

test: setup
	bash scripts/services.sh
	$(MAKE) --no-print-directory lint
	.venv/bin/erpml definitions check
	.venv/bin/pytest -n 2 --dist loadfile -q

bench: setup
	.venv/bin/python bench/fixture_generation.py
