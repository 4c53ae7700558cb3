"""The renewal pipeline in Dagster: the hierarchy (compute → verify → apply),
then the renewal models (targets, seeds, problems, walker diff; tests blocking),
then the scaffolding apply — started by the renewal sensor per CRM change, and
daily by the lifecycle schedule so supersession happens on the day (F7)."""

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    BackfillPolicy,
    Config,
    DefaultScheduleStatus,
    Definitions,
    MaterializeResult,
    MetadataValue,
    RunRequest,
    ScheduleEvaluationContext,
    SkipReason,
    asset,
    define_asset_job,
    schedule,
)
from dagster_dbt import DbtCliResource, dbt_assets
from pydantic import Field

from checks.renewal_checks import RENEWAL_SCAFFOLDING, one_pending_successor_per_prior, seeded_quotes_are_system_drafts
from dagster_project.lib.dbt_project import PlatformTranslator, dbt_project
from dagster_project.lib.dbt_run import DbtRunConfig, build_org_models
from dagster_project.lib.instance import HIERARCHY_BUILD_TAGS
from dagster_project.lib.jobs import RENEWAL_JOB, renewal_run_config
from dagster_project.lib.partitions import ORG_PARTITIONS, every_org_tags, scope_of
from dagster_project.lib.resources import PostgresResource
from dagster_project.renewals.apply import apply_renewals

ENGAGEMENT_HIERARCHY = AssetKey(["app", "engagement_hierarchy"])  # the backfill's apply, which runs first


@dbt_assets(
    manifest=dbt_project().manifest_path,
    dagster_dbt_translator=PlatformTranslator(),
    select="tag:renewal",
    name="renewal_models",
    partitions_def=ORG_PARTITIONS,
    backfill_policy=BackfillPolicy.single_run(),
)
def renewal_models(
    context: AssetExecutionContext, dbt: DbtCliResource, postgres: PostgresResource, config: DbtRunConfig
):
    """SPEC §4 over the run's renewal-enabled orgs: renewal targets, seed lines (the prior's
    chain replayed as of the renewal start), seed problems, walker diff; their dbt tests are
    asset checks and a failing one stops the apply."""
    yield from build_org_models(context, dbt, postgres, config)


class RenewalApplyConfig(Config):
    contracts: list[str] = Field(default=[], description="the contracts the triggering change touched (shown only)")
    apply: bool = True


@asset(
    key=RENEWAL_SCAFFOLDING,
    deps=[AssetKey(["marts", "renewal_targets"]), AssetKey(["marts", "renewal_seed_lines"]), ENGAGEMENT_HIERARCHY],
    group_name="renewals",
    partitions_def=ORG_PARTITIONS,
    backfill_policy=BackfillPolicy.single_run(),
    description=(
        "PENDING renewal successors and their system draft quotes in the application tables, for the run's orgs: "
        "scaffolded where missing, the draft reseeded only when its seed changed and only while it is still the "
        "system's (F2), one successor per prior enforced by a partial unique index (F1). One transaction per org."
    ),
)
def renewal_scaffolding(
    context: AssetExecutionContext, config: RenewalApplyConfig, postgres: PostgresResource
) -> MaterializeResult:
    plans = apply_renewals(
        scope_of(context.partition_keys, context.instance), dry_run=not config.apply, url=postgres.url()
    )
    totals: dict[str, int] = {}
    for plan in plans:
        for what, count in plan.changes.items():
            totals[what] = totals.get(what, 0) + count
    rows = ["| org | " + " | ".join(totals) + " |", "|---" * (len(totals) + 1) + "|"]
    rows += [
        f"| {p.org_id} | " + " | ".join(str(p.changes.get(k, 0)) for k in totals) + " |"
        for p in plans
        if p.rows_written
    ]
    return MaterializeResult(
        metadata={
            "mode": "apply" if config.apply else "dry run",
            "orgs": len(plans),
            **{what: count for what, count in totals.items()},
            "contracts_in_trigger": MetadataValue.json(config.contracts[:50]),
            "per_org": MetadataValue.md("\n".join(rows)),
        }
    )


renewal_job = define_asset_job(
    RENEWAL_JOB,
    # the backfill's assets (hierarchy models, their checks, its apply), then the renewals'
    selection=AssetSelection.groups("backfill", "renewals"),
    description="Recompute the hierarchy and renewal targets/seeds, verify, apply the hierarchy, scaffold renewals.",
    tags=HIERARCHY_BUILD_TAGS,  # one such run at a time (dagster_project/lib/instance.py)
)


@schedule(
    name="daily_lifecycle",
    job=renewal_job,
    cron_schedule="5 0 * * *",
    default_status=DefaultScheduleStatus.RUNNING,
    description=(
        "Every day just after midnight, one run over every org: statuses recomputed as of today and applied, so a "
        "Won renewal whose start date arrived becomes ACTIVE and its prior CLOSED without any CRM event (F7); "
        "renewals due by lead time are scaffolded."
    ),
)
def daily_lifecycle(context: ScheduleEvaluationContext):
    tags = every_org_tags(context.instance)
    if not tags:
        return SkipReason("no org partitions yet: run init-db or load data")
    return RunRequest(run_config=renewal_run_config(), tags=tags)


defs = Definitions(
    assets=[renewal_models, renewal_scaffolding],
    asset_checks=[one_pending_successor_per_prior, seeded_quotes_are_system_drafts],
    jobs=[renewal_job],
    schedules=[daily_lifecycle],
)
