"""The code location: merges each area's Definitions and the shared resources."""

from dagster import Definitions

from dagster_project.backfill.defs import defs as backfill_defs
from dagster_project.lib.dbt_project import dbt_resource
from dagster_project.lib.resources import PostgresResource

defs = Definitions.merge(
    backfill_defs,
    Definitions(resources={"dbt": dbt_resource(), "postgres": PostgresResource()}),
)
