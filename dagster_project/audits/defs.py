"""The audits in Dagster (SPEC §7): the audit models (dbt, ``tag:audit``, one table per
audit over every org, and their union ``marts.audit_findings``), the history asset that
appends each run to the platform's history tables, one asset check per audit, the
``audits`` job, a daily schedule and a sensor that runs the audits after every
successful backfill, renewal or staleness run.

Where each audit's check lives: on the asset a Dagster user would open when something is
wrong with that data — the live table it audits (``app/deal_group`` for F1, F3, F7;
``app/quote`` for F2; ``app/organization`` for F4; ``app/account`` for F5;
``salesforce/opportunity`` for F6 and F8; ``salesforce/deal_group_c`` for the mirror's
two), the apply that owns the drift (``app/engagement_hierarchy`` for DRIFT), the mart a platform audit reads. The audit
models themselves are the findings, not the audited data, so a check there would show a
red mark on a table that is doing its job."""

from collections.abc import Mapping
from typing import Any

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    Config,
    DagsterRunStatus,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    Definitions,
    MaterializeResult,
    MetadataValue,
    RunRequest,
    RunStatusSensorContext,
    SkipReason,
    TableColumn,
    TableRecord,
    TableSchema,
    asset,
    define_asset_job,
    multi_asset_check,
    run_status_sensor,
    schedule,
)
from dagster_dbt import DbtCliResource, dbt_assets
from pydantic import Field

from dagster_project.audits.history import SAMPLE_ROWS, append_history
from dagster_project.audits.report_page import write_report
from dagster_project.audits.summary import AuditResult, latest_results
from dagster_project.lib.dbt_project import PlatformTranslator, dbt_project, stream_dbt
from dagster_project.lib.jobs import AUDITS_JOB, BACKFILL_JOB, RENEWAL_JOB, STALENESS_JOB
from dagster_project.lib.resources import PostgresResource

AUDIT_FINDINGS = AssetKey(["marts", "audit_findings"])
AUDIT_HISTORY = AssetKey(["platform", "audit_history"])
AUDITS_GROUP = "audits"
# the runs after which the audits run (SPEC §7: "after every apply")
APPLYING_JOBS = (BACKFILL_JOB, RENEWAL_JOB, STALENESS_JOB)

# audit id → the asset its check is on, and what a failure means (see the module docstring)
AUDITED_ASSETS: dict[str, tuple[AssetKey, str]] = {
    "F1": (AssetKey(["app", "deal_group"]), "at most one PENDING renewal per prior (live and computed)"),
    "F2": (AssetKey(["app", "quote"]), "a reseed never overwrites a rep's quote on a PENDING renewal"),
    "F3": (AssetKey(["app", "deal_group"]), "no ACTIVE contract with a Closed Lost head, no stranded new business"),
    "F4": (AssetKey(["app", "organization"]), "rollout flags follow the flip order chain → model → writeback"),
    "F5": (AssetKey(["app", "account"]), "one app.account per CRM account id in an org"),
    "F6": (AssetKey(["salesforce", "opportunity"]), "renewal opportunities carry the org's renewal record type"),
    "F7": (AssetKey(["app", "deal_group"]), "a renewal whose start date arrived supersedes its ACTIVE prior"),
    "F8": (AssetKey(["salesforce", "opportunity"]), "the replaced-by pointer agrees with the computed renewal link"),
    "DRIFT": (AssetKey(["app", "engagement_hierarchy"]), "live engagement columns equal the computed hierarchy"),
    "RECONCILIATION": (
        AssetKey(["marts", "backfill_reconciliation"]),
        "input = attached + unattached + quarantined, per org",
    ),
    "QUARANTINE_SHARE": (
        AssetKey(["marts", "quarantined_rows"]),
        "quarantined opportunities stay under the org's configured share",
    ),
    "UNATTACHED_SHARE": (
        AssetKey(["marts", "unattached_opportunities"]),
        "unattached opportunities stay under the org's configured share",
    ),
    "MIRROR_ORPHAN": (
        AssetKey(["salesforce", "deal_group_c"]),
        "every Deal_Group__c record of a writeback-enabled org names a contract",
    ),
    "MIRROR_DUPLICATE_KEY": (
        AssetKey(["salesforce", "deal_group_c"]),
        "one Deal_Group__c record per Deal_Group_Id__c (a duplicated key is never sent)",
    ),
}


def check_name(audit_id: str) -> str:
    return f"audit_{audit_id.lower()}"


class AuditTranslator(PlatformTranslator):
    """The platform's translator, with the audit models (dbt tag ``audit``) in their own group."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if "audit" in (dbt_resource_props.get("tags") or []):
            return AUDITS_GROUP
        return super().get_group_name(dbt_resource_props)


@dbt_assets(
    manifest=dbt_project().manifest_path,
    dagster_dbt_translator=AuditTranslator(),
    select="tag:audit",
    name="audit_models",
)
def audit_models(context: AssetExecutionContext, dbt: DbtCliResource, postgres: PostgresResource):
    """Every audit over every org (not org-scoped: plain tables rebuilt whole, D68), their
    union marts.audit_findings, and their dbt tests. They read the live tables and the last
    computed marts, so they run after a backfill or renewal build."""
    postgres.export_for_dbt()
    yield from stream_dbt(context, dbt, ["build"])


class AuditHistoryConfig(Config):
    orgs: list[str] | None = Field(default=None, description="record these orgs only (default every org)")


@asset(
    key=AUDIT_HISTORY,
    deps=[AUDIT_FINDINGS],
    group_name=AUDITS_GROUP,
    description=(
        "The audits' history: a row per (run, audit, org) in platform.audit_runs (count, new, resolved, up to "
        f"{SAMPLE_ROWS} sample rows) and each finding by its stable key in platform.audit_findings_history "
        "(first seen, last seen, resolved). Appended in one transaction. Then the run's data-quality "
        "page (report_page.py) is written: its path is the `report` metadata entry."
    ),
)
def audit_history(context: AssetExecutionContext, config: AuditHistoryConfig, postgres: PostgresResource):
    append_history(postgres.url(), context.run_id, config.orgs)
    report = write_report(postgres.url(), context.run_id)
    context.log.info(f"data-quality page: {report}")
    context.instance.add_run_tags(context.run_id, {"platform/report": str(report)})
    results = latest_results(postgres.url(), run_id=context.run_id)
    rows = ["| audit | org | severity | findings | new | resolved |", "|---|---|---|---|---|---|"]
    rows += [
        f"| {r.audit_id} | {r.org_id} | {r.severity} | {r.findings} | {r.new} | {r.resolved} |"
        for r in results
        if r.findings or r.resolved
    ]
    return MaterializeResult(
        metadata={
            "orgs": len({r.org_id for r in results}),
            "findings": sum(r.findings for r in results),
            "error_findings": sum(r.findings for r in results if r.severity == "ERROR"),
            "new": sum(r.new for r in results),
            "resolved": sum(r.resolved for r in results),
            "per_audit_and_org": MetadataValue.md("\n".join(rows)),
            "report": MetadataValue.path(str(report)),
        }
    )


SAMPLE_COLUMNS = ("org_id", "entity_table", "entity_id", "finding_key", "detail")
SAMPLE_SCHEMA = TableSchema(columns=[TableColumn(name) for name in SAMPLE_COLUMNS])


def check_result(audit_id: str, results: list[AuditResult]) -> AssetCheckResult:
    """One audit's check from its latest run: failed with ERROR when an ERROR finding is open in
    any org, with WARN (shown, never blocking) when only WARN ones are; the metadata holds the
    count per org, new and resolved since the last run, and up to 20 sample rows."""
    asset_key, _ = AUDITED_ASSETS[audit_id]
    mine = [r for r in results if r.audit_id == audit_id]
    open_severities = {r.severity for r in mine if r.findings}
    severity = AssetCheckSeverity.ERROR if "ERROR" in open_severities else AssetCheckSeverity.WARN
    sample = [dict(org_id=r.org_id, **row) for r in mine if r.findings for row in r.sample][:SAMPLE_ROWS]
    return AssetCheckResult(
        check_name=check_name(audit_id),
        asset_key=asset_key,
        passed=not open_severities,
        severity=severity,
        metadata={
            "findings": sum(r.findings for r in mine),
            "findings_per_org": MetadataValue.json({r.org_id: r.findings for r in mine if r.findings}),
            "severity_per_org": MetadataValue.json({r.org_id: r.severity for r in mine if r.findings}),
            "new_since_last_run": sum(r.new for r in mine),
            "resolved_since_last_run": sum(r.resolved for r in mine),
            "run_id": mine[0].run_id if mine else "",
            "sample": MetadataValue.table(
                records=[TableRecord({k: str(row.get(k) or "") for k in SAMPLE_COLUMNS}) for row in sample],
                schema=SAMPLE_SCHEMA,
            ),
        },
    )


@multi_asset_check(
    specs=[
        AssetCheckSpec(
            name=check_name(audit_id), asset=asset_key, additional_deps=[AUDIT_HISTORY], description=protects
        )
        for audit_id, (asset_key, protects) in AUDITED_ASSETS.items()
    ],
    can_subset=True,
    name="audit_checks",
)
def audit_checks(context: AssetCheckExecutionContext, postgres: PostgresResource):
    """Each audit's latest recorded run, as its asset check (the history asset runs first)."""
    results = latest_results(postgres.url())
    selected = {key.name for key in context.selected_asset_check_keys}
    for audit_id in AUDITED_ASSETS:
        if check_name(audit_id) in selected:
            yield check_result(audit_id, results)


# the checks are on assets other areas own (or on sources), so they are selected by name
AUDITS_SELECTION = AssetSelection.groups(AUDITS_GROUP) | AssetSelection.checks(audit_checks)

audits_job = define_asset_job(
    AUDITS_JOB,
    selection=AUDITS_SELECTION,
    description="Every SPEC §7 audit over every org, the history appended, one asset check per audit.",
)


@schedule(
    name="audits_daily",
    job=audits_job,
    cron_schedule="0 6 * * *",
    default_status=DefaultScheduleStatus.RUNNING,
    description="Every audit over every org, every morning (after the 00:05 daily lifecycle has applied).",
)
def audits_daily():
    return RunRequest()


@run_status_sensor(
    name="audits_after_apply",
    run_status=DagsterRunStatus.SUCCESS,
    request_job=audits_job,
    default_status=DefaultSensorStatus.RUNNING,
    description="The audits after every successful hierarchy_backfill, renewal_pipeline or agreement_staleness run.",
)
def audits_after_apply(context: RunStatusSensorContext):
    run = context.dagster_run
    if run.job_name not in APPLYING_JOBS:
        return SkipReason(f"{run.job_name} applies nothing the audits read")
    return RunRequest(run_key=f"after:{run.run_id}", tags={"platform/audited_run": run.run_id})


defs = Definitions(
    assets=[audit_models, audit_history],
    asset_checks=[audit_checks],
    jobs=[audits_job],
    schedules=[audits_daily],
    sensors=[audits_after_apply],
)
