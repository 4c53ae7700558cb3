#!/usr/bin/env bash
# The README's first command: install, start the embedded PostgreSQL, create
# the source schemas, load the demo orgs and run the backfill job (with apply).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export DAGSTER_HOME="${DAGSTER_HOME:-$PWD/.dagster_home}"
.venv/bin/python -m dagster_project demo "$@"
