"""Dagster resources shared by every area."""

from dagster import ConfigurableResource

from dagster_project.lib import database


class PostgresResource(ConfigurableResource):
    """The platform database. ``database_url`` unset means ``DATABASE_URL`` when
    the run starts, else the embedded server (never read at import time)."""

    database_url: str | None = None

    def url(self) -> str:
        return self.database_url or database.database_url()

    def export_for_dbt(self) -> None:
        """Point this process's dbt invocations at the same database."""
        database.export_dbt_environment(self.url())
