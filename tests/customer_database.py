"""A customer's database as SPEC §2 describes it (tests/fixtures/spec2_customer_schema.sql:
the listed columns only, no platform column, table, index or key), for the tests that adopt
one with `init-db`."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
from psycopg import sql

from dagster_project.demo.generate import Dataset
from dagster_project.lib import database

CUSTOMER_SCHEMA = Path(__file__).parent / "fixtures" / "spec2_customer_schema.sql"


def customer_database(name: str, data: Dataset) -> str:
    """A fresh database ``name`` holding the customer's schema and ``data``; its URL."""
    server = os.environ.get("PLATFORM_TEST_SERVER_URL") or database.database_url()
    url = database.create_database(server, name)
    with psycopg.connect(url) as conn:
        conn.execute(CUSTOMER_SCHEMA.read_text())
        for table, rows in (
            ("salesforce.opportunity", data.opportunities),
            ("salesforce.account", data.crm_accounts),
            ("app.deal_group", data.deal_groups),
            ("app.deal_group_opportunity", data.memberships),
            ("app.organization", data.organizations),
        ):
            insert_rows(conn, table, rows)
    return url


def insert_rows(conn: psycopg.Connection, table: str, rows: list[dict]) -> None:
    """Rows into a customer's table, only the columns it has (SPEC §2's membership table has no org_id)."""
    if not rows:
        return
    schema, name = table.split(".")
    have = {
        r[0]
        for r in conn.execute(
            "select column_name from information_schema.columns where table_schema = %s and table_name = %s",
            [schema, name],
        )
    }
    columns = [c for c in dict.fromkeys(k for row in rows for k in row) if c in have]
    with conn.cursor().copy(
        sql.SQL("copy {} ({}) from stdin").format(
            sql.Identifier(schema, name), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
    ) as copy:
        for row in rows:
            copy.write_row([row.get(c) for c in columns])
