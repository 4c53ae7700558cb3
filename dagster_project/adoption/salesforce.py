"""`adopt-salesforce`: the `salesforce` relations of SPEC §2 as views over the
schemas a Fivetran Salesforce connector lands, one schema per org (SPEC §8).

What such a landing looks like, from the integration-test seeds of
fivetran/dbt_salesforce (`integration_tests/seeds/sf_opportunity_data.csv`,
`sf_opportunity_history_data.csv`, `sf_account_data.csv`): one table per object
(`opportunity`, `account`), Salesforce API names in snake_case (`id`,
`account_id`, `name`, `type`, `stage_name`, `is_closed`, `is_won`, `close_date`
as a timestamp, `amount` as a float, `record_type_id`, `is_deleted`), plus
`_fivetran_synced` and, in history mode, `_fivetran_active` (false on an old
version of a row). No seed has `system_modstamp` or any of our custom fields
(`Last_Opportunity__c` lands as `last_opportunity_c`). The seeds also hold a
column or two in Salesforce's own spelling (`AccountNumber`, `Description__c`):
the package reads either spelling of every column (its `add_renamed_columns`
and `coalesce_rename` macros), and so does this module.

As in the package's staging (`get_opportunity_columns` + `fill_staging_columns`),
each relation has one declared column list; a column a landing lacks becomes a
typed null, and each such fill is reported. Every org's landing is registered in
`platform.salesforce_sources`, and each view is the union over all of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg import sql

from dagster_project.lib import database
from dagster_project.lib.platform_schema import DDL_LOCK

# SPEC §2's columns of each relation (after org_id, which the view adds), typed as
# init-db types them. The order is the views' column order.
COLUMNS: dict[str, dict[str, str]] = {
    "account": {"id": "text", "name": "text", "is_deleted": "boolean", "system_modstamp": "timestamptz"},
    "opportunity": {
        "id": "text",
        "account_id": "text",
        "name": "text",
        "type": "text",
        "stage_name": "text",
        "is_closed": "boolean",
        "is_won": "boolean",
        "close_date": "date",
        "amount": "numeric(18, 2)",
        "record_type_id": "text",
        "is_deleted": "boolean",
        "system_modstamp": "timestamptz",
        "last_opportunity_c": "text",
        "opportunity_replaced_by_c": "text",
        "contract_start_date_c": "date",
        "contract_end_date_c": "date",
    },
    "deal_group_c": {
        "id": "text",
        "deal_group_id_c": "text",
        "name": "text",
        "account_c": "text",
        "status_c": "text",
        "group_effective_date_c": "date",
        "group_end_date_c": "date",
        "renewal_opportunity_c": "text",
        "prior_deal_group_c": "text",
        "contract_type_c": "text",
        "engagement_sequence_c": "numeric",
        "system_modstamp": "timestamptz",
    },
}
# A landing without this table is not a Salesforce sync; the other tables may be missing.
REQUIRED_TABLE = "opportunity"
# History mode: false marks an old version of a row; absent (or null) means current.
ACTIVE = "_fivetran_active"

REGISTRY_DDL = """
create schema if not exists salesforce;
create schema if not exists platform;
create table if not exists platform.salesforce_sources (
    org_id text primary key,
    source_schema text not null
)"""


class AdoptionError(RuntimeError):
    """A mistake the user can fix, in one line naming the org, schema, table or column.
    ``lines`` holds what was done before it was found (views created beside a table left alone)."""

    def __init__(self, message: str, lines: list[str] | None = None):
        super().__init__(message)
        self.lines = lines or []


@dataclass
class Landing:
    """One org's landed table for one relation."""

    org_id: str
    schema: str
    table: str | None  # None: the landing has no such table
    columns: dict[str, str]  # declared column → the landing's column of that name
    history_mode: bool  # the table has _fivetran_active


def adopt_salesforce(source_schema: str, org_id: str, url: str | None = None) -> list[str]:
    """Make `salesforce.account`, `.opportunity` and `.deal_group_c` views over the schema a
    Fivetran Salesforce connector lands for ``org_id`` (and over every org adopted before),
    in one transaction under the DDL lock init-db also takes. Returns the lines to print: one
    per view, one per column filled with nulls, one per table left alone. A `salesforce`
    table holding rows is left alone: the other views are still created, then AdoptionError
    names it."""
    if not org_id.strip():
        raise AdoptionError(
            f"adopt-salesforce --from-schema {source_schema}: the org id is empty; "
            "give the org whose rows the schema holds"
        )
    lines: list[str] = []
    left_alone: list[str] = []
    with database.connect(url) as conn:
        conn.execute("select pg_advisory_xact_lock(hashtext(%s))", [DDL_LOCK])
        conn.execute(REGISTRY_DDL)
        conn.execute(
            "insert into platform.salesforce_sources (org_id, source_schema) values (%s, %s)"
            " on conflict (org_id) do update set source_schema = excluded.source_schema",
            [org_id, source_schema],
        )
        sources = conn.execute(
            "select org_id, source_schema from platform.salesforce_sources order by org_id"
        ).fetchall()
        for relation in COLUMNS:
            landings = [_landing(conn, org, schema, relation) for org, schema in sources]
            done, reason = _create_view(conn, relation, landings)
            lines += done
            if reason:
                left_alone.append(f"salesforce.{relation} ({reason})")
    if left_alone:
        raise AdoptionError(
            f"left alone, not replaced by a view: {', '.join(left_alone)}; the other salesforce "
            "views were created. Move the rows away or drop the table, then run adopt-salesforce again",
            lines,
        )
    return lines


def _landing(conn: psycopg.Connection, org_id: str, schema: str, relation: str) -> Landing:
    """What ``schema`` holds for ``relation``; AdoptionError when it cannot be read as one."""
    if not conn.execute("select 1 from pg_namespace where nspname = %s", [schema]).fetchone():
        raise AdoptionError(f"org {org_id}: source schema {schema} does not exist")
    tables = [
        name
        for (name,) in conn.execute(
            "select table_name from information_schema.tables where table_schema = %s", [schema]
        )
    ]
    table = _find(relation, tables)
    if table is None:
        if relation == REQUIRED_TABLE:
            raise AdoptionError(
                f"org {org_id}: schema {schema} has no {relation} table "
                "(is it the schema the Salesforce connector writes to?)"
            )
        return Landing(org_id, schema, None, {}, False)
    present = [
        name
        for (name,) in conn.execute(
            "select column_name from information_schema.columns where table_schema = %s and table_name = %s",
            [schema, table],
        )
    ]
    columns = {name: found for name in COLUMNS[relation] if (found := _find(name, present))}
    if "id" not in columns:
        raise AdoptionError(f"org {org_id}: {schema}.{table} has no id column")
    landing = Landing(org_id, schema, table, columns, ACTIVE in present)
    _check_casts(conn, relation, landing)
    return landing


def _find(name: str, present: list[str]) -> str | None:
    """``name`` as Fivetran lands it (snake_case), else in Salesforce's own spelling
    (`StageName`, `Last_Opportunity__c`, or either folded to lower case)."""
    if name in present:
        return name
    if name.endswith("_c"):
        api_name = "_".join(word.capitalize() for word in name[:-2].split("_")) + "__c"
    else:
        api_name = "".join(word.capitalize() for word in name.split("_"))
    return next((column for column in present if column.lower() == api_name.lower()), None)


def _check_casts(conn: psycopg.Connection, relation: str, landing: Landing) -> None:
    """Each landed column can be read as its declared type (`jsonb` cannot become a `date`)."""
    source = sql.Identifier(landing.schema, landing.table)
    for name, column in landing.columns.items():
        type_ = COLUMNS[relation][name]
        try:
            with conn.transaction():  # a savepoint: the failed cast must not end the adoption's transaction
                conn.execute(
                    sql.SQL("select {}::{} from {} where false").format(sql.Identifier(column), sql.SQL(type_), source)
                )
        except psycopg.errors.CannotCoerce as error:
            raise AdoptionError(
                f"org {landing.org_id}: {landing.schema}.{landing.table}.{column} cannot be read "
                f"as salesforce.{relation}.{name} ({error.diag.message_primary})"
            ) from None


def _select(relation: str, landing: Landing) -> sql.Composed:
    """One org's branch of the view: the declared columns, cast, and only current rows."""
    values = [sql.SQL("{}::text as org_id").format(sql.Literal(landing.org_id))]
    for name, type_ in COLUMNS[relation].items():
        column = landing.columns.get(name)
        values.append(
            sql.SQL("{}::{} as {}").format(
                sql.Identifier(column) if column else sql.NULL, sql.SQL(type_), sql.Identifier(name)
            )
        )
    select = sql.SQL("select {}").format(sql.SQL(", ").join(values))
    if landing.table is None:
        return select + sql.SQL(" where false")
    select += sql.SQL(" from {}").format(sql.Identifier(landing.schema, landing.table))
    if landing.history_mode:
        select += sql.SQL(" where coalesce({}::boolean, true)").format(sql.Identifier(ACTIVE))
    return select


def _create_view(conn: psycopg.Connection, relation: str, landings: list[Landing]) -> tuple[list[str], str | None]:
    """Create or replace ``salesforce.<relation>``: the lines to print, and why it was left
    alone (None when the view was made)."""
    name = f"salesforce.{relation}"
    target = sql.Identifier("salesforce", relation)
    row = conn.execute(
        "select c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = 'salesforce' and c.relname = %s",
        [relation],
    ).fetchone()
    kind = row[0] if row else None
    lines = [
        f"{name}: view over "
        + ", ".join(f"{landing.schema}.{landing.table or relation} (org {landing.org_id})" for landing in landings)
    ]
    if kind in ("r", "p"):
        if conn.execute(sql.SQL("select exists (select from {})").format(target)).fetchone()[0]:
            return [f"{name}: a table holding rows, left alone"], "a table holding rows"
        dependents = _dependents(conn, name)
        if dependents:
            reason = f"an empty table {', '.join(dependents)} depend on"
            return [f"{name}: {reason}, left alone"], reason
        conn.execute(sql.SQL("drop table {}").format(target))
        lines.append(f"{name}: the empty table init-db created is dropped for the view")
    elif kind not in (None, "v"):
        return [f"{name}: not a table or a view (relkind {kind}), left alone"], f"relkind {kind}"
    create = sql.SQL("create or replace view {} as\n{}").format(
        target, sql.SQL("\nunion all\n").join(_select(relation, landing) for landing in landings)
    )
    try:
        with conn.transaction():
            conn.execute(create)
    except psycopg.errors.InvalidTableDefinition:  # a view with other columns (an older version): rebuild it
        conn.execute(sql.SQL("drop view {}").format(target))
        conn.execute(create)
    for landing in landings:
        if landing.table is None:
            lines.append(f"{name}: no table {landing.schema}.{relation}, so no rows from org {landing.org_id}")
            continue
        lines += [
            f"{name}.{column}: not in {landing.schema}.{landing.table}, filled with null ({type_})"
            for column, type_ in COLUMNS[relation].items()
            if column not in landing.columns
        ]
    return lines, None


def _dependents(conn: psycopg.Connection, relation: str) -> list[str]:
    """The views that read ``relation`` (dbt's staging views, after a build): a table they
    depend on cannot be dropped without dropping them."""
    return [
        dependent
        for (dependent,) in conn.execute(
            """
        select distinct dependent.oid::regclass::text
        from pg_depend as d
        join pg_rewrite as rewrite on rewrite.oid = d.objid
        join pg_class as dependent on dependent.oid = rewrite.ev_class
        where d.refobjid = %s::regclass and dependent.oid <> d.refobjid
        order by 1""",
            [relation],
        )
    ]
