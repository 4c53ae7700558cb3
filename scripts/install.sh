#!/usr/bin/env bash
# Create .venv at the repo root and install the project with its test extras.
# Idempotent: re-runs only when pyproject.toml changed. Then parse the dbt
# manifest, which the Dagster code location needs at import.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e '.[test]'
  rm -f .venv/.installed-* && touch "$stamp"
fi
# dbt's anonymous usage stats are off in dbt_project.yml; Dagster telemetry (and the run queue's
# limits) in .dagster_home/dagster.yaml (dagster_project/lib/instance.py)
.venv/bin/python -c "from pathlib import Path; from dagster_project.lib.instance import write_instance_config; write_instance_config(Path('.dagster_home').resolve())"
.venv/bin/python -c "from dagster_project.lib.dbt_project import parse_manifest; parse_manifest()"
