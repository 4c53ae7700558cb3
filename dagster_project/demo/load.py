"""Write a generated ``Dataset`` into the source tables, replacing its orgs."""

from __future__ import annotations

from dagster_project.demo.generate import (
    ACCOUNT_COLUMNS,
    DEAL_GROUP_COLUMNS,
    MEMBERSHIP_COLUMNS,
    OPPORTUNITY_COLUMNS,
    ORGANIZATION_COLUMNS,
    Dataset,
)
from dagster_project.lib import database

TABLES = (
    ("salesforce.opportunity", "opportunities", OPPORTUNITY_COLUMNS),
    ("salesforce.account", "crm_accounts", ACCOUNT_COLUMNS),
    ("app.deal_group", "deal_groups", DEAL_GROUP_COLUMNS),
    ("app.deal_group_opportunity", "memberships", MEMBERSHIP_COLUMNS),
    ("app.organization", "organizations", ORGANIZATION_COLUMNS),
)


def load_dataset(dataset: Dataset, url: str | None = None) -> dict[str, int]:
    """Replace every row of the dataset's orgs in one transaction, with COPY;
    returns rows written per table. Rows of other orgs are not touched."""
    orgs = sorted(
        {r["org_id"] for r in dataset.organizations if r["org_id"] is not None}
        | {r["org_id"] for r in dataset.opportunities if r["org_id"] is not None}
    )
    written = {}
    with database.connect(url) as conn:
        for table in ("app.account", "app.engagement"):
            conn.execute(f"delete from {table} where org_id = any(%s)", [orgs])
        for table, _, _ in TABLES:
            conn.execute(f"delete from {table} where org_id = any(%s)", [orgs])
        for table, attribute, columns in TABLES:
            rows = getattr(dataset, attribute)
            with conn.cursor().copy(f"copy {table} ({', '.join(columns)}) from stdin") as copy:
                for row in rows:
                    copy.write_row([row.get(column) for column in columns])
            written[table] = len(rows)
    return written
