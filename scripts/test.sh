#!/usr/bin/env bash
# The README's second command: the linters, then the whole test suite (installs first if needed).
# Any lint finding fails it, as a failing test does.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
# the report's browser test drives Debian's chromium (Playwright cannot download browsers here)
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "tests need /usr/bin/chromium: sudo apt-get install -y chromium" >&2
  fi
fi
bash scripts/lint.sh
exec .venv/bin/python -m pytest "$@"
