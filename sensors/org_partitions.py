"""The org discovery sensor: every org the sources name is an org partition.

An org appears when its flags row, its first CRM opportunity or its first deal
group lands; the sensor adds its partition, so the UI shows it and a run can be
asked for it. `init-db`, the loaders and the CLI add partitions the same way."""

from dagster import DefaultSensorStatus, SensorEvaluationContext, SensorResult, SkipReason, sensor

from dagster_project.lib.database import DatabaseUnavailable
from dagster_project.lib.partitions import ORG_PARTITIONS, new_orgs, orgs_in_sources
from dagster_project.lib.resources import PostgresResource


@sensor(
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description="Adds an org partition for every org the sources name (app.organization, salesforce.opportunity, "
    "app.deal_group) that has none yet.",
)
def org_discovery_sensor(context: SensorEvaluationContext, postgres: PostgresResource):
    try:
        added = new_orgs(context.instance, orgs_in_sources(postgres.url()))
    except DatabaseUnavailable as error:
        return SkipReason(str(error))
    except Exception as error:  # the source tables are not there yet
        return SkipReason(f"cannot read the sources yet ({type(error).__name__}): run init-db")
    if not added:
        return SkipReason("no new org")
    return SensorResult(dynamic_partitions_requests=[ORG_PARTITIONS.build_add_request(added)])
