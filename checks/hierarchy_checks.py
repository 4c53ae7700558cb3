"""The blocking Dagster asset check that runs the hierarchy GX suite."""


from dagster import AssetCheckResult, AssetCheckSeverity, AssetKey, MetadataValue, asset_check

from checks.hierarchy_suite import read_contracts, validate_hierarchy
from dagster_project.lib.resources import PostgresResource


@asset_check(
    asset=AssetKey(["marts", "contracts"]),
    name="hierarchy_expectations",
    blocking=True,
    description=(
        "Great Expectations: at most one ACTIVE contract per engagement; engagement sequences unique and "
        "1..n with no gaps. Blocking: the apply does not run when it fails."
    ),
)
def hierarchy_expectations_check(postgres: PostgresResource) -> AssetCheckResult:
    result = validate_hierarchy(read_contracts(postgres.url()))
    return AssetCheckResult(
        passed=result.passed,
        severity=AssetCheckSeverity.ERROR,
        metadata={
            "contracts_checked": result.contracts_checked,
            "engagements_checked": result.engagements_checked,
            "failed_expectations": len(result.failures),
            "failures": MetadataValue.json(result.failures),
        },
    )
