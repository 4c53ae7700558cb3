#!/usr/bin/env bash
# The project's habits, checked: ruff (lint and format) for the Python, sqlfluff for the
# dbt models and tests (.sqlfluff: postgres, lower case, the jinja templater: no database).
# `make format` fixes what can be fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/sqlfluff lint dbt_project/models dbt_project/tests --processes 2
