"""The code location: merges each area's Definitions and the shared resources."""

from dagster import Definitions

from dagster_project.audits import defs as audits
from dagster_project.backfill import defs as backfill
from dagster_project.lib.dbt_project import dbt_resource
from dagster_project.lib.resources import PostgresResource
from dagster_project.mirror import defs as mirror
from dagster_project.mirror.salesforce import SalesforceResource
from dagster_project.renewals import defs as renewals
from dagster_project.staleness import defs as staleness
from sensors.org_partitions import org_discovery_sensor
from sensors.renewal_sensor import renewal_sensor
from sensors.staleness_sensor import StalenessSettings, staleness_sensor

defs = Definitions.merge(
    backfill.defs,
    staleness.defs,
    renewals.defs,
    audits.defs,
    mirror.defs,
    Definitions(
        sensors=[staleness_sensor, renewal_sensor, org_discovery_sensor],
        resources={
            "dbt": dbt_resource(),
            "postgres": PostgresResource(),
            "staleness_settings": StalenessSettings(),
            # credentials are read from SALESFORCE_* when a push connects (dagster_project/mirror/salesforce.py)
            "salesforce": SalesforceResource(),
        },
    ),
)
