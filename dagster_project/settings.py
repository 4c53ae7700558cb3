"""Everything the platform reads from its environment, read at call time.

Nothing here runs at import time, so tests and the CLI can change the
environment (``DATABASE_URL`` above all) before they call in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"


def database_url_override() -> str | None:
    """``DATABASE_URL`` when set: every part then uses that server."""
    return os.environ.get("DATABASE_URL") or None


def embedded_data_dir() -> Path:
    """Where the embedded PostgreSQL keeps its data, reused between runs.

    PostgreSQL puts its unix socket in this folder, and a socket path may not
    exceed ~100 bytes; a clone in a deep folder falls back to a stable
    folder under the temp dir named after the project path.
    """
    configured = os.environ.get("PLATFORM_PGDATA")
    path = Path(configured) if configured else PROJECT_ROOT / ".pgdata"
    if len(str(path)) > 80:
        digest = hashlib.md5(str(path).encode()).hexdigest()[:10]
        path = Path(tempfile.gettempdir()) / f"platform-pg-{digest}"
    return path


def dagster_home() -> Path:
    return Path(os.environ.get("DAGSTER_HOME") or PROJECT_ROOT / ".dagster_home")


def report_dir() -> Path:
    """Where every audit run writes its data-quality page (``PLATFORM_REPORT_DIR``, default
    ``reports/`` in the Dagster home, beside the runs' own storage; D70)."""
    configured = os.environ.get("PLATFORM_REPORT_DIR")
    return Path(configured) if configured else dagster_home() / "reports"


def dbt_executable(name: str = "dbt") -> str:
    """The dbt of this environment, so nothing depends on PATH (the code server
    that `dagster dev` starts may see another sys.executable; sys.prefix is the
    venv either way). ``platform-dbt`` is the same dbt as the dbt steps run it
    (lib/dbt_entry.py); without it (an older install), plain dbt."""
    for candidate in (
        Path(sys.prefix) / "bin" / name,
        Path(sys.executable).parent / name,
        PROJECT_ROOT / ".venv" / "bin" / name,
    ):
        if candidate.exists():
            return str(candidate)
    if name != "dbt":
        return dbt_executable()
    return shutil.which("dbt") or "dbt"


def default_as_of() -> dt.date:
    return dt.date.today()
