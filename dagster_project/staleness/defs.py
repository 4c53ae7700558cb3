"""Agreement staleness in Dagster: compute (dbt models tagged `staleness`, their
tests blocking) → apply (`app/agreement_staleness`), triggered by the
staleness sensor per settled batch of change events."""

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    Config,
    DefaultScheduleStatus,
    Definitions,
    Failure,
    MaterializeResult,
    MetadataValue,
    ScheduleDefinition,
    asset,
    define_asset_job,
)
from dagster_dbt import DbtCliResource, dbt_assets
from pydantic import Field

from checks.staleness_checks import AGREEMENT_STALENESS, stale_at_set_iff_stale
from dagster_project.lib.dbt_project import PlatformTranslator, dbt_project, stream_dbt
from dagster_project.lib.jobs import STALENESS_JOB
from dagster_project.lib.resources import PostgresResource
from dagster_project.staleness.apply import apply_staleness

STALENESS_SELECTION = "tag:staleness"


@dbt_assets(
    manifest=dbt_project().manifest_path,
    dagster_dbt_translator=PlatformTranslator(),
    select=STALENESS_SELECTION,
    name="staleness_models",
)
def staleness_models(context: AssetExecutionContext, dbt: DbtCliResource, postgres: PostgresResource):
    """The agreement models of SPEC §6 — policies resolved, facts, staleness per
    agreement, report lock, problems — over every checked agreement, and their
    dbt tests as asset checks; a failing test stops the run before the apply."""
    postgres.export_for_dbt()
    # one thread: the staleness views depend on each other, and dbt replaces a view by dropping the old one
    # with CASCADE — two threads replacing two staging views under one dependent view can deadlock
    yield from stream_dbt(context, dbt, ["build", "--threads", "1"])


class StalenessApplyConfig(Config):
    """Without an event range: every checked agreement. ``apply: false`` = dry run."""

    first_event_id: int | None = Field(default=None, description="first change event of the batch")
    last_event_id: int | None = Field(default=None, description="last change event of the batch")
    apply: bool = True


@asset(
    key=AGREEMENT_STALENESS,
    deps=[AssetKey(["marts", "agreement_staleness"]), AssetKey(["marts", "report_lock"])],
    group_name="staleness",
    description=(
        "is_stale / stale_at of app.agreement, as marts.agreement_staleness computed them: only differences, "
        "one transaction, stale_at kept while stale and cleared when not; undetermined agreements left as they "
        "are. Scoped to the inspections an event batch obliges us to check when the sensor starts the run."
    ),
)
def agreement_staleness(
    context: AssetExecutionContext, config: StalenessApplyConfig, postgres: PostgresResource
) -> MaterializeResult:
    if config.first_event_id is not None:
        # a batch run does not rebuild the marts; it must not apply while the last full run's checks fail
        failed = failed_model_checks(context.instance)
        if failed:
            raise Failure(
                f"not applied: the last full staleness run's blocking checks failed ({', '.join(failed)}); "
                f"fix the data and re-run the {STALENESS_JOB} job"
            )
    result = apply_staleness(
        postgres.url(),
        first_event_id=config.first_event_id,
        last_event_id=config.last_event_id,
        dry_run=not config.apply,
    )
    return MaterializeResult(
        metadata={
            "mode": "dry run" if result.dry_run else "apply",
            "scope": result.scope,
            "inspections_in_scope": result.inspections_in_scope if result.inspections_in_scope is not None else -1,
            "became_stale": len(result.became_stale),
            "no_longer_stale": len(result.no_longer_stale),
            "stale_at_repaired": len(result.stale_at_repaired),
            "rows_written": 0 if result.dry_run else result.rows_written,
            "sample": MetadataValue.json(
                {"became_stale": result.became_stale[:20], "no_longer_stale": result.no_longer_stale[:20]}
            ),
        }
    )


def failed_model_checks(instance) -> list[str]:
    """The staleness dbt tests whose latest evaluation on this instance failed."""
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(list(staleness_models.check_keys))
    return sorted(
        f"{key.asset_key.to_user_string()}:{key.name}"
        for key, record in latest.items()
        if record.status.value == "FAILED"
    )


staleness_job = define_asset_job(
    STALENESS_JOB,
    selection=AssetSelection.assets(staleness_models) | AssetSelection.assets(agreement_staleness),
    description="Recompute agreement staleness and report lock, verify (blocking checks), apply the flags.",
)

staleness_full_recompute = ScheduleDefinition(
    name="staleness_full_recompute",
    job=staleness_job,
    cron_schedule="15 * * * *",
    default_status=DefaultScheduleStatus.RUNNING,
    description=(
        "Hourly: rebuild and test every staleness mart (report lock included) and apply any difference — "
        "what no change event announces (a company's policy edited, an agreement signed or archived) "
        "is picked up within the hour."
    ),
)

defs = Definitions(
    assets=[staleness_models, agreement_staleness],
    asset_checks=[stale_at_set_iff_stale],
    jobs=[staleness_job],
    schedules=[staleness_full_recompute],
)
