"""The hierarchy backfill in Dagster: compute (dbt models) → verify (dbt tests
and the Great Expectations suite, blocking) → apply (engagement_hierarchy)."""

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    BackfillPolicy,
    Config,
    Definitions,
    MaterializeResult,
    MetadataValue,
    asset,
    define_asset_job,
)
from dagster_dbt import DbtCliResource, dbt_assets

from checks.hierarchy_checks import hierarchy_expectations_check
from dagster_project.backfill.apply import apply_hierarchy
from dagster_project.backfill.summary import render, summarize
from dagster_project.lib.dbt_project import PlatformTranslator, dbt_project
from dagster_project.lib.dbt_run import DbtRunConfig, build_org_models
from dagster_project.lib.instance import HIERARCHY_BUILD_TAGS
from dagster_project.lib.jobs import BACKFILL_JOB
from dagster_project.lib.partitions import ORG_PARTITIONS, scope_of
from dagster_project.lib.resources import PostgresResource

MARTS_READ_BY_APPLY = [
    "accounts",
    "engagements",
    "contracts",
    "contract_memberships",
    "org_flag_states",
    "backfill_reconciliation",
]
ENGAGEMENT_HIERARCHY = AssetKey(["app", "engagement_hierarchy"])


@dbt_assets(
    manifest=dbt_project().manifest_path,
    dagster_dbt_translator=PlatformTranslator(),
    exclude="tag:staleness tag:renewal tag:audit tag:mirror",
    name="hierarchy_models",
    partitions_def=ORG_PARTITIONS,
    backfill_policy=BackfillPolicy.single_run(),
)
def hierarchy_models(
    context: AssetExecutionContext, dbt: DbtCliResource, postgres: PostgresResource, config: DbtRunConfig
):
    """Staging → intermediate → marts of the hierarchy backfill (SPEC §3) for the run's orgs,
    and their dbt tests as asset checks. A failing error-severity test fails the step, so
    nothing downstream (the apply) runs."""
    yield from build_org_models(context, dbt, postgres, config)


class HierarchyApplyConfig(Config):
    """``apply: false`` (the default) computes the plan and writes nothing."""

    apply: bool = False


@asset(
    key=ENGAGEMENT_HIERARCHY,
    deps=[AssetKey(["marts", name]) for name in MARTS_READ_BY_APPLY],
    group_name="backfill",
    partitions_def=ORG_PARTITIONS,
    backfill_policy=BackfillPolicy.single_run(),
    description=(
        "The engagement hierarchy in the application tables (app.account, app.engagement, the engagement "
        "columns of app.deal_group, backfill-made contracts and memberships), for the run's orgs. Written per "
        "org, in one transaction, differences only, for legal model-enabled orgs; runs only after every "
        "blocking check passed. Without `apply: true` it is a dry run: the plan, nothing written."
    ),
)
def engagement_hierarchy(
    context: AssetExecutionContext, config: HierarchyApplyConfig, postgres: PostgresResource
) -> MaterializeResult:
    plans = apply_hierarchy(
        scope_of(context.partition_keys, context.instance), dry_run=not config.apply, url=postgres.url()
    )
    summaries = summarize(plans, url=postgres.url())
    plan_rows = ["| org | table | insert | update | delete |", "|---|---|---|---|---|"]
    for plan in plans:
        if plan.skipped_reason:
            plan_rows.append(f"| {plan.org_id} | skipped: {plan.skipped_reason} | | | |")
            continue
        for table, actions in plan.changes.items():
            plan_rows.append(
                f"| {plan.org_id} | {table} | {actions['insert']} | {actions['update']} | {actions['delete']} |"
            )
    return MaterializeResult(
        metadata={
            "mode": "apply" if config.apply else "dry run",
            "orgs_applied": sum(1 for p in plans if p.applied),
            "rows_written": sum(p.rows_written for p in plans) if config.apply else 0,
            "rows_planned": sum(p.rows_written for p in plans),
            "plan": MetadataValue.md("\n".join(plan_rows)),
            "summary": MetadataValue.md("```\n" + render(summaries) + "\n```"),
            "summary_json": MetadataValue.json([s.as_dict() for s in summaries]),
        }
    )


backfill_job = define_asset_job(
    BACKFILL_JOB,
    selection=AssetSelection.groups("backfill"),
    description="Compute the hierarchy for the run's orgs, verify it (blocking checks), then plan or apply it.",
    tags=HIERARCHY_BUILD_TAGS,  # one such run at a time (dagster_project/lib/instance.py)
)

defs = Definitions(
    assets=[hierarchy_models, engagement_hierarchy],
    asset_checks=[hierarchy_expectations_check],
    jobs=[backfill_job],
)
