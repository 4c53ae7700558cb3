"""dbt command lines for the backfill, built from run config (pure, unit-tested)."""


import datetime as dt
import json

from dagster import Config


class HierarchyModelsConfig(Config):
    """Run config of the dbt models: the date statuses are computed as of."""

    as_of: str | None = None  # YYYY-MM-DD; default today


def parse_as_of(value: str | None) -> dt.date | None:
    """``YYYY-MM-DD`` → date; a clear error for anything else."""
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"as_of must be a date as YYYY-MM-DD, got {value!r}") from error


def dbt_build_args(config: HierarchyModelsConfig) -> list[str]:
    as_of = parse_as_of(config.as_of)
    args = ["build"]
    if as_of is not None:
        args += ["--vars", json.dumps({"as_of": as_of.isoformat()})]
    return args
