"""Blocking checks on the renewal scaffolding as the application holds it after an apply (F1, F2)."""


from dagster import AssetCheckResult, AssetCheckSeverity, AssetKey, MetadataValue, asset_check

from dagster_project.lib import database
from dagster_project.lib.resources import PostgresResource

RENEWAL_SCAFFOLDING = AssetKey(["app", "renewal_scaffolding"])


def _sample(url: str, sql: str) -> tuple[int, list]:
    with database.connect(url) as conn:
        rows = conn.execute(sql).fetchall()
    return len(rows), [list(map(str, r)) for r in rows[:20]]


@asset_check(asset=RENEWAL_SCAFFOLDING, name="one_pending_successor_per_prior", blocking=True,
             description="F1: no prior has two PENDING renewal successors in app.deal_group.")
def one_pending_successor_per_prior(postgres: PostgresResource) -> AssetCheckResult:
    count, sample = _sample(postgres.url(), """
        select org_id, prior_deal_group_id, count(*) from app.deal_group
        where contract_type = 'RENEWAL' and status = 'PENDING' and prior_deal_group_id is not null
        group by 1, 2 having count(*) > 1""")
    return AssetCheckResult(passed=count == 0, severity=AssetCheckSeverity.ERROR,
                            metadata={"priors_with_duplicates": count, "sample": MetadataValue.json(sample)})


@asset_check(asset=RENEWAL_SCAFFOLDING, name="seeded_quotes_are_system_drafts", blocking=True,
             description="F2: every quote carrying a seed is the scaffold's system draft; one per renewal.")
def seeded_quotes_are_system_drafts(postgres: PostgresResource) -> AssetCheckResult:
    count, sample = _sample(postgres.url(), """
        select org_id, id from app.quote where seed_hash is not null and not is_system_draft
        union all
        select org_id, deal_group_id from app.quote where is_system_draft and deal_group_id is not null
        group by 1, 2 having count(*) > 1""")
    return AssetCheckResult(passed=count == 0, severity=AssetCheckSeverity.ERROR,
                            metadata={"violations": count, "sample": MetadataValue.json(sample)})
