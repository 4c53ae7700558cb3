"""The renewal pipeline in Dagster: the hierarchy (compute → verify → apply),
then the renewal models (targets, seeds, problems, walker diff; tests blocking),
then the scaffolding apply — started by the renewal sensor per CRM change, and
daily by the lifecycle schedule so supersession happens on the day (F7)."""


from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    Config,
    DefaultScheduleStatus,
    Definitions,
    MaterializeResult,
    MetadataValue,
    ScheduleDefinition,
    asset,
    define_asset_job,
)
from dagster_dbt import DbtCliResource, dbt_assets
from pydantic import Field

from checks.hierarchy_checks import hierarchy_expectations_check
from checks.renewal_checks import RENEWAL_SCAFFOLDING, one_pending_successor_per_prior, seeded_quotes_are_system_drafts
from dagster_project.backfill.dbt_args import HierarchyModelsConfig, dbt_build_args, dbt_settings
from dagster_project.backfill.defs import engagement_hierarchy, hierarchy_models
from dagster_project.lib.instance import HIERARCHY_BUILD_TAGS
from dagster_project.lib.dbt_project import PlatformTranslator, dbt_project, stream_dbt
from dagster_project.lib.resources import PostgresResource
from dagster_project.renewals.apply import apply_renewals

RENEWAL_JOB = "renewal_pipeline"


@dbt_assets(
    manifest=dbt_project().manifest_path,
    dagster_dbt_translator=PlatformTranslator(),
    select="tag:renewal",
    name="renewal_models",
)
def renewal_models(context: AssetExecutionContext, dbt: DbtCliResource, postgres: PostgresResource,
                   config: HierarchyModelsConfig):
    """SPEC §4 over every renewal-enabled org: renewal targets, seed lines (the
    prior's chain replayed as of the renewal start), seed problems, walker diff;
    their dbt tests are asset checks and a failing one stops the apply."""
    postgres.export_for_dbt()
    with dbt_settings(config):
        yield from stream_dbt(context, dbt, dbt_build_args(config))


class RenewalApplyConfig(Config):
    orgs: list[str] = Field(default=[], description="orgs to apply (empty = every renewal-enabled org)")
    contracts: list[str] = Field(default=[], description="the contracts the triggering change touched (shown only)")
    apply: bool = True


@asset(
    key=RENEWAL_SCAFFOLDING,
    deps=[AssetKey(["marts", "renewal_targets"]), AssetKey(["marts", "renewal_seed_lines"]), engagement_hierarchy.key],
    group_name="apply",
    description=(
        "PENDING renewal successors and their system draft quotes in the application tables: scaffolded where "
        "missing, the draft reseeded only when its seed changed and only while it is still the system's (F2), "
        "one successor per prior enforced by a partial unique index (F1). One transaction per org."
    ),
)
def renewal_scaffolding(config: RenewalApplyConfig, postgres: PostgresResource) -> MaterializeResult:
    plans = apply_renewals(config.orgs or None, dry_run=not config.apply, url=postgres.url())
    totals: dict[str, int] = {}
    for plan in plans:
        for what, count in plan.changes.items():
            totals[what] = totals.get(what, 0) + count
    rows = ["| org | " + " | ".join(totals) + " |", "|---" * (len(totals) + 1) + "|"]
    rows += [f"| {p.org_id} | " + " | ".join(str(p.changes.get(k, 0)) for k in totals) + " |"
             for p in plans if p.rows_written]
    return MaterializeResult(metadata={
        "mode": "apply" if config.apply else "dry run",
        "orgs": len(plans),
        **{what: count for what, count in totals.items()},
        "contracts_in_trigger": MetadataValue.json(config.contracts[:50]),
        "per_org": MetadataValue.md("\n".join(rows)),
    })


renewal_job = define_asset_job(
    RENEWAL_JOB,
    selection=(AssetSelection.assets(hierarchy_models) | AssetSelection.assets(engagement_hierarchy)
               | AssetSelection.assets(renewal_models) | AssetSelection.assets(renewal_scaffolding)),
    description="Recompute the hierarchy and renewal targets/seeds, verify, apply the hierarchy, scaffold renewals.",
    tags=HIERARCHY_BUILD_TAGS,  # one such run at a time (dagster_project/lib/instance.py)
)


def renewal_run_ops(orgs: list[str] | None = None, as_of: str | None = None, *, apply: bool = True,
                    scoped_build: bool = False, contracts: list[str] | None = None) -> dict:
    """The ops config of one renewal pipeline run: the applies write only ``orgs`` (every org if
    empty); with ``scoped_build`` the dbt builds and the GX check cover only those orgs too
    (D37: what a sensor run does after the first full build)."""
    orgs = list(orgs or [])
    models = {"config": {"orgs": orgs if scoped_build else [], "as_of": as_of}}
    return {
        hierarchy_models.op.name: models,
        renewal_models.op.name: models,
        hierarchy_expectations_check.node_def.name: {"config": {"orgs": orgs if scoped_build else []}},
        engagement_hierarchy.op.name: {"config": {"orgs": orgs, "apply": apply}},
        renewal_scaffolding.op.name: {"config": {"orgs": orgs, "contracts": contracts or [], "apply": apply}},
    }


def lifecycle_run_config(orgs: list[str] | None = None, contracts: list[str] | None = None,
                         as_of: str | None = None) -> dict:
    """Run config of the renewal pipeline for ``orgs`` (every org if empty): with orgs, the dbt
    builds and the GX check cover only those orgs (D37) and the applies write only them."""
    return {"ops": renewal_run_ops(orgs, as_of, scoped_build=True, contracts=contracts)}


daily_lifecycle = ScheduleDefinition(
    name="daily_lifecycle",
    job=renewal_job,
    cron_schedule="5 0 * * *",
    run_config=lifecycle_run_config(),
    default_status=DefaultScheduleStatus.RUNNING,
    description=(
        "Every day just after midnight: statuses recomputed as of today and applied, so a Won renewal whose "
        "start date arrived becomes ACTIVE and its prior CLOSED without any CRM event (F7); renewals due by "
        "lead time are scaffolded."
    ),
)

defs = Definitions(
    assets=[renewal_models, renewal_scaffolding],
    asset_checks=[one_pending_successor_per_prior, seeded_quotes_are_system_drafts],
    jobs=[renewal_job],
    schedules=[daily_lifecycle],
)
