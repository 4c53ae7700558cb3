"""Orgs are Dagster partitions: one ``DynamicPartitionsDefinition`` every per-org asset
shares (the backfill's and the renewals'). `init-db`, the loaders, the CLI and the
org discovery sensor add a partition when a new org appears in the sources.

A run over some orgs recomputes, verifies and applies just those orgs (dbt replaces
only their rows: ``dbt_project/macros/org_scope.sql``); a run over every org is one
run (``BackfillPolicy.single_run()``) that rebuilds each model whole.
"""

from __future__ import annotations

from dagster import DagsterInstance, DynamicPartitionsDefinition

from dagster_project.lib import database

ORGS = "orgs"
ORG_PARTITIONS = DynamicPartitionsDefinition(name=ORGS)

# Dagster's run tags for a run's partition, or its range of partitions (a single-run backfill)
PARTITION_NAME_TAG = "dagster/partition"
ASSET_PARTITION_RANGE_START_TAG = "dagster/asset_partition_range_start"
ASSET_PARTITION_RANGE_END_TAG = "dagster/asset_partition_range_end"


def orgs_in_sources(url: str | None = None) -> list[str]:
    """Every org the sources name (flags, CRM opportunities, deal groups)."""
    with database.connect(url) as conn:
        return [
            row[0]
            for row in conn.execute("""
            select org_id from app.organization where org_id is not null
            union select distinct org_id from salesforce.opportunity where org_id is not null
            union select distinct org_id from app.deal_group where org_id is not null
            order by 1""")
        ]


def new_orgs(instance: DagsterInstance, orgs: list[str]) -> list[str]:
    """The orgs of ``orgs`` that are not partitions yet."""
    known = set(instance.get_dynamic_partitions(ORGS))
    return sorted(set(orgs) - known)


def add_org_partitions(instance: DagsterInstance, orgs: list[str]) -> list[str]:
    """Make every org of ``orgs`` a partition; returns the ones added."""
    added = new_orgs(instance, orgs)
    if added:
        instance.add_dynamic_partitions(ORGS, added)
    return added


def every_org_tags(instance: DagsterInstance) -> dict[str, str]:
    """The tags of one run over every org partition (a single-run backfill of the whole range)."""
    keys = instance.get_dynamic_partitions(ORGS)
    if not keys:
        return {}
    return {ASSET_PARTITION_RANGE_START_TAG: keys[0], ASSET_PARTITION_RANGE_END_TAG: keys[-1]}


def org_tags(org: str) -> dict[str, str]:
    """The tags of a run over one org."""
    return {PARTITION_NAME_TAG: org}


def orgs_of_run(tags: dict[str, str], instance: DagsterInstance) -> list[str] | None:
    """The org partitions a run covers, from its tags; None when it covers every org (or is not
    partitioned). For an asset check, which has no partition keys of its own."""
    every = instance.get_dynamic_partitions(ORGS)
    if PARTITION_NAME_TAG in tags:
        keys = [tags[PARTITION_NAME_TAG]]
    elif ASSET_PARTITION_RANGE_START_TAG in tags:
        start, end = (
            every.index(tags[ASSET_PARTITION_RANGE_START_TAG]),
            every.index(tags[ASSET_PARTITION_RANGE_END_TAG]),
        )
        keys = every[start : end + 1]
    else:
        return None
    return None if set(keys) >= set(every) else sorted(keys)


def scope_of(partition_keys: list[str], instance: DagsterInstance) -> list[str] | None:
    """The orgs an asset step recomputes: None (every org, rebuilt whole) when its partition keys
    cover every org partition, else those orgs."""
    return None if set(partition_keys) >= set(instance.get_dynamic_partitions(ORGS)) else sorted(partition_keys)
