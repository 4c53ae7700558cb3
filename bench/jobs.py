"""Running a job of the code location for a benchmark: in process, quiet, timed."""

from __future__ import annotations

import contextlib
import io
import os
import time

from dagster import DagsterInstance


def execute(job_name: str, url: str, ops: dict, asset_selection=None, org: str | None = None, partitioned=True):
    """Run ``job_name`` against ``url`` for ``org`` (its partition) or every org (a job of
    partitioned assets) or as it is (``partitioned=False``); (result, wall seconds). A failed
    run stops the benchmark."""
    from dagster_project.definitions import defs
    from dagster_project.lib.partitions import add_org_partitions, every_org_tags, org_tags, orgs_in_sources

    os.environ["DATABASE_URL"] = url
    run_config = {"ops": ops, "loggers": {"console": {"config": {"log_level": "ERROR"}}}}
    instance = DagsterInstance.ephemeral()
    add_org_partitions(instance, orgs_in_sources(url))
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        result = defs.get_job_def(job_name).execute_in_process(
            run_config=run_config,
            instance=instance,
            raise_on_error=False,
            asset_selection=asset_selection,
            tags=(org_tags(org) if org else every_org_tags(instance)) if partitioned else {},
        )
    elapsed = time.perf_counter() - started
    if not result.success:
        raise SystemExit(f"{job_name} failed: {[e.message for e in result.all_events if e.is_failure][:3]}")
    return result, elapsed


def materialization_metadata(result, key_path: list[str]) -> dict:
    """The metadata values of the last materialization of one asset in ``result``."""
    event = [e for e in result.get_asset_materialization_events() if e.asset_key.path == key_path][-1]
    return {k: v.value for k, v in event.event_specific_data.materialization.metadata.items()}


def step_seconds(result) -> dict[str, float]:
    """Seconds each successful step of ``result`` took, as Dagster recorded them."""
    return {e.step_key: e.event_specific_data.duration_ms / 1000 for e in result.all_events if e.is_step_success}
