"""Materializing the per-org assets in this process, for one org partition or every org:
what the tests and the benchmarks run (the CLI runs the jobs the same way)."""

from __future__ import annotations

from dagster import DagsterInstance, materialize

from dagster_project.lib.dbt_project import dbt_resource
from dagster_project.lib.partitions import add_org_partitions, every_org_tags, org_tags, orgs_in_sources
from dagster_project.lib.resources import PostgresResource


def materialize_orgs(
    assets,
    *,
    url: str,
    run_config: dict,
    org: str | None = None,
    instance: DagsterInstance | None = None,
    selection=None,
    **resources,
):
    """``assets`` materialized for real against ``url``, for ``org`` (its partition) or every org
    the sources name (one run over the whole range); every org becomes a partition first."""
    instance = instance or DagsterInstance.ephemeral()
    add_org_partitions(instance, orgs_in_sources(url))
    return materialize(
        assets,
        resources={"dbt": dbt_resource(), "postgres": PostgresResource(database_url=url), **resources},
        run_config=run_config,
        instance=instance,
        selection=selection,
        tags=org_tags(org) if org else every_org_tags(instance),
        raise_on_error=False,
    )
