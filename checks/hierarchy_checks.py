"""The blocking Dagster asset check that runs the hierarchy GX suite."""

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)

from checks.hierarchy_suite import read_engagement_shape, validate_hierarchy
from dagster_project.lib.partitions import orgs_of_run
from dagster_project.lib.resources import PostgresResource


@asset_check(
    asset=AssetKey(["marts", "contracts"]),
    name="hierarchy_expectations",
    blocking=True,
    description=(
        "Great Expectations: at most one ACTIVE contract per engagement; engagement sequences unique and "
        "1..n with no gaps, over the orgs an apply would write (of the run's org partitions). Blocking: the apply "
        "does not run when it fails."
    ),
)
def hierarchy_expectations_check(context: AssetCheckExecutionContext, postgres: PostgresResource) -> AssetCheckResult:
    orgs = orgs_of_run(context.run.tags, context.instance)
    result = validate_hierarchy(read_engagement_shape(postgres.url(), orgs))
    return AssetCheckResult(
        passed=result.passed,
        severity=AssetCheckSeverity.ERROR,
        metadata={
            "orgs": ", ".join(orgs) if orgs else "every applied org",
            "contracts_checked": result.contracts_checked,
            "engagements_checked": result.engagements_checked,
            "failed_expectations": len(result.failures),
            "failures": MetadataValue.json(result.failures),
        },
    )
