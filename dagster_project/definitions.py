"""The code location: merges each area's Definitions and the shared resources."""

from dagster import Definitions

from dagster_project.backfill import defs as backfill
from dagster_project.lib.dbt_project import dbt_resource
from dagster_project.lib.resources import PostgresResource

defs = Definitions.merge(
    backfill.defs,
    Definitions(resources={"dbt": dbt_resource(), "postgres": PostgresResource()}),
)
