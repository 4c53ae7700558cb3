#!/usr/bin/env bash
# The README's second command: the whole test suite (installs first if needed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec .venv/bin/python -m pytest "$@"
