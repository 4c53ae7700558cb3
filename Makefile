# The few commands a newcomer needs. Each is one of the scripts the README names.
.PHONY: install demo test lint format dev bench

install:  ## create .venv and install the project with its test tools
	bash scripts/install.sh

demo:  ## the README's first command: embedded PostgreSQL, demo data, every job once
	bash scripts/demo.sh

test:  ## the README's second command: the linters, then every test
	bash scripts/test.sh

lint:  ## ruff (lint, format) and sqlfluff, as the test command runs them
	bash scripts/install.sh && bash scripts/lint.sh

format:  ## fix what the linters can fix
	.venv/bin/ruff check --fix . && .venv/bin/ruff format . && .venv/bin/sqlfluff fix dbt_project/models dbt_project/tests

dev:  ## the Dagster UI on http://127.0.0.1:3000 (Ctrl-C stops it)
	.venv/bin/python -m dagster_project dev

bench:  ## the backfill benchmark (1 M opportunities, 50 orgs); figures go to docs/benchmarks.md
	.venv/bin/python bench/backfill.py --opportunities 1000000 --orgs 50
