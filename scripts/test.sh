#!/usr/bin/env bash
# The README's second command: the linters, then the whole test suite (installs first if needed).
# Any lint finding fails it, as a failing test does.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
bash scripts/lint.sh
exec .venv/bin/python -m pytest "$@"
