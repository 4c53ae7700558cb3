"""The blocking Dagster asset check that runs the hierarchy GX suite."""


from dagster import AssetCheckResult, AssetCheckSeverity, AssetKey, Config, MetadataValue, asset_check
from pydantic import Field

from checks.hierarchy_suite import read_engagement_shape, validate_hierarchy
from dagster_project.lib.resources import PostgresResource


class HierarchyCheckConfig(Config):
    orgs: list[str] = Field(default=[], description="check only these orgs (empty = every org an apply would write)")


@asset_check(
    asset=AssetKey(["marts", "contracts"]),
    name="hierarchy_expectations",
    blocking=True,
    description=(
        "Great Expectations: at most one ACTIVE contract per engagement; engagement sequences unique and "
        "1..n with no gaps, over the orgs an apply would write (a scoped run: its orgs). Blocking: the apply "
        "does not run when it fails."
    ),
)
def hierarchy_expectations_check(config: HierarchyCheckConfig, postgres: PostgresResource) -> AssetCheckResult:
    result = validate_hierarchy(read_engagement_shape(postgres.url(), config.orgs or None))
    return AssetCheckResult(
        passed=result.passed,
        severity=AssetCheckSeverity.ERROR,
        metadata={
            "orgs": ", ".join(config.orgs) if config.orgs else "every applied org",
            "contracts_checked": result.contracts_checked,
            "engagements_checked": result.engagements_checked,
            "failed_expectations": len(result.failures),
            "failures": MetadataValue.json(result.failures),
        },
    )
