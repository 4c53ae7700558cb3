"""Blocking checks on the renewal scaffolding as the application holds it after an apply (F1, F2)."""

from dagster import AssetCheckResult, AssetKey, asset_check

from checks.live_rows import no_rows_check
from dagster_project.lib.resources import PostgresResource

RENEWAL_SCAFFOLDING = AssetKey(["app", "renewal_scaffolding"])


@asset_check(
    asset=RENEWAL_SCAFFOLDING,
    name="one_pending_successor_per_prior",
    blocking=True,
    description="F1: no prior has two PENDING renewal successors in app.deal_group.",
)
def one_pending_successor_per_prior(postgres: PostgresResource) -> AssetCheckResult:
    return no_rows_check(
        postgres.url(),
        """
        select org_id, prior_deal_group_id, count(*) from app.deal_group
        where contract_type = 'RENEWAL' and status = 'PENDING' and prior_deal_group_id is not null
        group by 1, 2 having count(*) > 1""",
        "priors_with_duplicates",
    )


@asset_check(
    asset=RENEWAL_SCAFFOLDING,
    name="seeded_quotes_are_system_drafts",
    blocking=True,
    description="F2: every quote carrying a seed is the scaffold's system draft; one per renewal.",
)
def seeded_quotes_are_system_drafts(postgres: PostgresResource) -> AssetCheckResult:
    return no_rows_check(
        postgres.url(),
        """
        select org_id, id from app.quote where seed_hash is not null and not is_system_draft
        union all
        select org_id, deal_group_id from app.quote where is_system_draft and deal_group_id is not null
        group by 1, 2 having count(*) > 1""",
        "violations",
    )
