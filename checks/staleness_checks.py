"""Blocking checks on the staleness flags as the application holds them after an apply."""


from dagster import AssetCheckResult, AssetCheckSeverity, AssetKey, MetadataValue, asset_check

from dagster_project.lib import database
from dagster_project.lib.resources import PostgresResource

AGREEMENT_STALENESS = AssetKey(["app", "agreement_staleness"])

_STALE_AT_MISMATCHES = """
    select a.agreement_id, a.is_stale, a.stale_at
    from app.agreement as a
    join app.inspection as i on i.inspection_id = a.inspection_id
    where a.status = 'ACTIVE' and i.job_creation_type = 'attik'
      and (a.stale_at is not null) <> a.is_stale
    order by a.agreement_id
"""


def stale_at_mismatches(url: str, limit: int = 20) -> tuple[int, list[dict]]:
    """Checked agreements whose ``stale_at`` is set while not stale, or missing while stale."""
    with database.connect(url) as conn:
        rows = conn.execute(_STALE_AT_MISMATCHES).fetchall()
    sample = [{"agreement_id": r[0], "is_stale": r[1], "stale_at": str(r[2])} for r in rows[:limit]]
    return len(rows), sample


@asset_check(
    asset=AGREEMENT_STALENESS,
    name="stale_at_set_iff_stale",
    blocking=True,
    description="Every ACTIVE agreement of an attik job has stale_at set exactly when it is stale.",
)
def stale_at_set_iff_stale(postgres: PostgresResource) -> AssetCheckResult:
    count, sample = stale_at_mismatches(postgres.url())
    return AssetCheckResult(passed=count == 0, severity=AssetCheckSeverity.ERROR,
                            metadata={"mismatches": count, "sample": MetadataValue.json(sample)})
