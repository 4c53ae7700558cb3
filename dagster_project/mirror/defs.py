"""The Salesforce mirror in Dagster (SPEC §5): the plan (dbt, ``tag:mirror``: the desired
``Deal_Group__c`` payload per contract and ``marts.mirror_plan``, tests blocking), then the
push asset — a dry run unless its run config says ``push: true`` — and the
``salesforce_mirror`` job, run (as a dry run) after every successful backfill or renewal run so
the plan in the asset's metadata is current."""

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    BackfillPolicy,
    Config,
    DagsterRunStatus,
    DefaultSensorStatus,
    Definitions,
    Failure,
    MaterializeResult,
    MetadataValue,
    RunRequest,
    RunStatusSensorContext,
    SkipReason,
    asset,
    define_asset_job,
    run_status_sensor,
)
from dagster_dbt import DbtCliResource, dbt_assets
from pydantic import Field

from dagster_project.lib.dbt_project import PlatformTranslator, dbt_project
from dagster_project.lib.dbt_run import DbtRunConfig, build_org_models
from dagster_project.lib.instance import HIERARCHY_BUILD_TAGS
from dagster_project.lib.jobs import BACKFILL_JOB, MIRROR_JOB, RENEWAL_JOB, mirror_run_config
from dagster_project.lib.partitions import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    ORG_PARTITIONS,
    PARTITION_NAME_TAG,
    scope_of,
)
from dagster_project.lib.resources import PostgresResource
from dagster_project.mirror.push import push_orgs
from dagster_project.mirror.salesforce import CredentialsError, SalesforceResource
from dagster_project.mirror.summary import plan_markdown, read_plan

MIRROR_GROUP = "mirror"
MIRROR_PLAN = AssetKey(["marts", "mirror_plan"])
DEAL_GROUP_MIRROR = AssetKey(["salesforce", "deal_group_mirror"])
EVERY_RECORD_ACCEPTED = "every_pushed_record_accepted"
# the runs after which the plan is recomputed: the ones that change the computed hierarchy
PLAN_AFTER_JOBS = (BACKFILL_JOB, RENEWAL_JOB)
PARTITION_TAGS = (PARTITION_NAME_TAG, ASSET_PARTITION_RANGE_START_TAG, ASSET_PARTITION_RANGE_END_TAG)


@dbt_assets(
    manifest=dbt_project().manifest_path,
    dagster_dbt_translator=PlatformTranslator(),
    select="tag:mirror",
    name="mirror_models",
    partitions_def=ORG_PARTITIONS,
    backfill_policy=BackfillPolicy.single_run(),
)
def mirror_models(
    context: AssetExecutionContext, dbt: DbtCliResource, postgres: PostgresResource, config: DbtRunConfig
):
    """The mirror's plan for the run's orgs: the desired Deal_Group__c payload per contract of the
    writeback-enabled orgs, and marts.mirror_plan against salesforce.deal_group_c and the ledger.
    A failing test stops the push."""
    yield from build_org_models(context, dbt, postgres, config)


class MirrorPushConfig(Config):
    """``push: false`` (the default) is a dry run: the plan in the metadata, nothing sent."""

    push: bool = Field(default=False, description="send the plan's INSERTs and UPDATEs to Salesforce")


@asset(
    key=DEAL_GROUP_MIRROR,
    deps=[MIRROR_PLAN],
    group_name=MIRROR_GROUP,
    partitions_def=ORG_PARTITIONS,
    backfill_policy=BackfillPolicy.single_run(),
    check_specs=[
        AssetCheckSpec(
            EVERY_RECORD_ACCEPTED,
            asset=DEAL_GROUP_MIRROR,
            description="every record the push sent was accepted by Salesforce (failures are retried next run)",
        )
    ],
    description=(
        "Deal_Group__c in Salesforce, kept equal to the computed contracts of writeback-enabled orgs (SPEC §5): "
        "the plan per org in the metadata; with `push: true`, its INSERTs and UPDATEs sent through "
        "simple-salesforce (Collections upserts by Deal_Group_Id__c, Bulk API 2.0 for large pushes), each "
        "record's result in platform.mirror_push_log. Credentials from SALESFORCE_* variables."
    ),
)
def deal_group_mirror(
    context: AssetExecutionContext,
    config: MirrorPushConfig,
    postgres: PostgresResource,
    salesforce: SalesforceResource,
) -> MaterializeResult:
    orgs = scope_of(context.partition_keys, context.instance)
    plans = read_plan(postgres.url(), orgs)
    metadata = {
        "mode": "push" if config.push else "dry run",
        "orgs": len(plans),
        **{action.lower(): sum(p.counts[action] for p in plans) for action in ("INSERT", "UPDATE", "UNCHANGED")},
        "refused": sum(p.counts["REFUSED"] for p in plans),
        "plan": MetadataValue.md(plan_markdown(plans)),
        "plan_json": MetadataValue.json([p.as_dict() for p in plans]),
    }
    if not config.push:
        return MaterializeResult(
            metadata=metadata,
            check_results=[
                AssetCheckResult(check_name=EVERY_RECORD_ACCEPTED, passed=True, metadata={"mode": "dry run"})
            ],
        )
    try:
        pushes = push_orgs([p.org_id for p in plans], salesforce, postgres.url(), context.run_id, log=context.log)
    except CredentialsError as error:
        raise Failure(description=str(error)) from None
    results = [p.as_dict() for p in pushes]
    failed = sum(r["failed"] for r in results)
    metadata.update(
        {
            "created": sum(r["created"] for r in results),
            "updated": sum(r["updated"] for r in results),
            "failed": failed,
            "requests": sum(r["requests"] for r in results),
            "push_json": MetadataValue.json(results),
        }
    )
    return MaterializeResult(
        metadata=metadata,
        check_results=[
            AssetCheckResult(
                check_name=EVERY_RECORD_ACCEPTED,
                passed=failed == 0,
                severity=AssetCheckSeverity.WARN,
                metadata={
                    "failed": failed,
                    "failures": MetadataValue.json([f for r in results for f in r["failures"]][:20]),
                },
            )
        ],
    )


mirror_job = define_asset_job(
    MIRROR_JOB,
    selection=AssetSelection.groups(MIRROR_GROUP),
    description="Plan the Salesforce mirror for the run's orgs (dry run) or, with push: true, send it.",
    tags=HIERARCHY_BUILD_TAGS,  # its dbt build reads the marts a hierarchy build rewrites: one at a time
)


@run_status_sensor(
    name="mirror_plan_after_apply",
    run_status=DagsterRunStatus.SUCCESS,
    request_job=mirror_job,
    default_status=DefaultSensorStatus.RUNNING,
    description="The mirror's plan (a dry run) for the same orgs after every successful backfill or renewal run.",
)
def mirror_plan_after_apply(context: RunStatusSensorContext):
    run = context.dagster_run
    if run.job_name not in PLAN_AFTER_JOBS:
        return SkipReason(f"{run.job_name} changes nothing the mirror's plan reads")
    tags = {key: value for key, value in run.tags.items() if key in PARTITION_TAGS}
    if not tags:
        return SkipReason(f"run {run.run_id} covered no org partition")
    return RunRequest(run_key=f"after:{run.run_id}", run_config=mirror_run_config(push=False), tags=tags)


defs = Definitions(
    assets=[mirror_models, deal_group_mirror],
    jobs=[mirror_job],
    sensors=[mirror_plan_after_apply],
)
