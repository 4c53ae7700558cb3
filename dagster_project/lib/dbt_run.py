"""How a Dagster step builds the per-org dbt models (the backfill's and the renewals').

One channel carries a run's settings to dbt: the orgs it recomputes (its org
partitions, or every org) and the date statuses are computed as of reach dbt as
``PLATFORM_DBT_ORGS`` / ``PLATFORM_DBT_AS_OF``, read by one macro
(``platform_setting`` in dbt_project/macros/platform_rules.sql). They are not dbt
``--vars``: a changed ``--vars`` makes dbt re-parse the whole project, ~4.5 s
measured on every sensor run (decision D37). From the dbt command line,
``dbt build --vars '{orgs: [my_org]}'`` does the same.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections.abc import Iterator

import psycopg
from dagster import AssetExecutionContext, Config
from dagster_dbt import DbtCliResource
from pydantic import Field

from dagster_project.lib.dbt_project import stream_dbt
from dagster_project.lib.partitions import scope_of
from dagster_project.lib.resources import PostgresResource

SCOPED_BUILD_THREADS = 4


class DbtRunConfig(Config):
    """Run config of the per-org dbt models; the orgs are the run's partitions."""

    as_of: str | None = Field(default=None, description="compute statuses as of YYYY-MM-DD (default today)")


def parse_as_of(value: str | None) -> dt.date | None:
    """``YYYY-MM-DD`` → date; a clear error for anything else."""
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"as_of must be a date as YYYY-MM-DD, got {value!r}") from error


def dbt_build_args(orgs: list[str] | None) -> list[str]:
    """``dbt build`` over every org (``orgs`` None) rebuilds each model whole (``--full-refresh``:
    dbt's table path, the fastest for all rows); over some orgs, each incremental model replaces
    just their rows (macros/org_scope.sql), in many small queries: more threads than the
    profile's (dbt waits on the database, not on the CPU)."""
    return ["build", "--full-refresh"] if orgs is None else ["build", "--threads", str(SCOPED_BUILD_THREADS)]


def dbt_run_environment(orgs: list[str] | None, as_of: str | None) -> dict[str, str]:
    """The environment variables of one build ("" = unset: every org, today)."""
    date = parse_as_of(as_of)
    return {
        "PLATFORM_DBT_AS_OF": json.dumps(date.isoformat()) if date else "",
        "PLATFORM_DBT_ORGS": json.dumps(sorted(set(orgs))) if orgs is not None else "",
    }


@contextlib.contextmanager
def dbt_run_settings(orgs: list[str] | None, as_of: str | None) -> Iterator[None]:
    """The dbt invocations inside this block see these settings; restored after (a test or the
    CLI runs several steps in one process)."""
    settings = dbt_run_environment(orgs, as_of)
    previous = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


BUILD_LOCK = "platform-hierarchy-build"


@contextlib.contextmanager
def one_build_at_a_time(url: str, log) -> Iterator[None]:
    """One build of the per-org models at a time on a database, whoever started it (the CLI runs
    its jobs in-process, outside Dagster's run queue): a full build renames tables that a scoped
    one writes into. A second build waits here, and says so."""
    with psycopg.connect(url, autocommit=True) as conn:
        if not conn.execute("select pg_try_advisory_lock(hashtext(%s))", [BUILD_LOCK]).fetchone()[0]:
            log.info("another build of the hierarchy models runs on this database: waiting for it to end")
            conn.execute("select pg_advisory_lock(hashtext(%s))", [BUILD_LOCK])
        try:
            yield
        finally:
            conn.execute("select pg_advisory_unlock(hashtext(%s))", [BUILD_LOCK])


def build_org_models(
    context: AssetExecutionContext, dbt: DbtCliResource, postgres: PostgresResource, config: DbtRunConfig
) -> Iterator:
    """The body of a partitioned ``@dbt_assets``: build its models for the run's orgs."""
    orgs = scope_of(context.partition_keys, context.instance)
    postgres.export_for_dbt()
    with one_build_at_a_time(postgres.url(), context.log), dbt_run_settings(orgs, config.as_of):
        yield from stream_dbt(context, dbt, dbt_build_args(orgs))
