"""Blocking checks on the staleness flags as the application holds them after an apply."""

from dagster import AssetCheckResult, AssetKey, asset_check

from checks.live_rows import no_rows_check
from dagster_project.lib.resources import PostgresResource

AGREEMENT_STALENESS = AssetKey(["app", "agreement_staleness"])

STALE_AT_MISMATCHES = """
    select a.agreement_id, a.is_stale, a.stale_at
    from app.agreement as a
    join app.inspection as i on i.inspection_id = a.inspection_id
    where a.status = 'ACTIVE' and i.job_creation_type = 'attik'
      and (a.stale_at is not null) <> a.is_stale
    order by a.agreement_id
"""


@asset_check(
    asset=AGREEMENT_STALENESS,
    name="stale_at_set_iff_stale",
    blocking=True,
    description="Every ACTIVE agreement of an attik job has stale_at set exactly when it is stale.",
)
def stale_at_set_iff_stale(postgres: PostgresResource) -> AssetCheckResult:
    return no_rows_check(postgres.url(), STALE_AT_MISMATCHES, "mismatches")
