"""The settings of a dbt build, from run config: the date statuses are computed
as of and the orgs to recompute. They reach dbt as environment variables
(``PLATFORM_DBT_AS_OF``, ``PLATFORM_DBT_ORGS``, read by the ``platform_setting``
macro), not ``--vars``: a changed var makes dbt re-parse the whole project."""


import contextlib
import datetime as dt
import json
import os
from collections.abc import Iterator

from dagster import Config
from pydantic import Field


class HierarchyModelsConfig(Config):
    """Run config of the dbt models: the date statuses are computed as of, and
    the orgs to recompute (empty: every org; otherwise an org-scoped build, D37)."""

    as_of: str | None = None  # YYYY-MM-DD; default today
    orgs: list[str] = Field(default=[], description="recompute only these orgs' rows (empty = every org)")


def parse_as_of(value: str | None) -> dt.date | None:
    """``YYYY-MM-DD`` → date; a clear error for anything else."""
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"as_of must be a date as YYYY-MM-DD, got {value!r}") from error


SCOPED_BUILD_THREADS = 4


def dbt_build_args(config: HierarchyModelsConfig) -> list[str]:
    """``dbt build``; an org-scoped build is many small queries, so it runs on more threads
    than the profile's (dbt waits on the database, not on the CPU)."""
    return ["build", "--threads", str(SCOPED_BUILD_THREADS)] if config.orgs else ["build"]


def dbt_settings_environment(config: HierarchyModelsConfig) -> dict[str, str]:
    """The environment variables of one build ("" = unset: every org, today)."""
    as_of = parse_as_of(config.as_of)
    return {
        "PLATFORM_DBT_AS_OF": json.dumps(as_of.isoformat()) if as_of else "",
        "PLATFORM_DBT_ORGS": json.dumps(sorted(set(config.orgs))) if config.orgs else "",
    }


@contextlib.contextmanager
def dbt_settings(config: HierarchyModelsConfig) -> Iterator[None]:
    """The dbt invocations inside this block see ``config``'s settings; restored after."""
    settings = dbt_settings_environment(config)
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
