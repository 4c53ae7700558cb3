"""What the platform needs in the database, and the DDL that adds what is missing.

SPEC §2 lists the columns a customer's tables already hold; §8 says `init-db`
adopts such a database: it adds the platform's own columns, tables, indexes
and constraints (and the schemas), changes no existing row, and where live
data already breaks a constraint it names the rows and creates everything
else. The catalog below is that need, declared once; ``plan`` compares it with
the database's catalog and returns only the gaps, so a second ``init-db`` has
nothing to do and ``init-db --plan`` prints exactly what the first would run.

- A **required** column (SPEC §2) missing from an existing table is never
  invented: the plan names it (``missing_columns``) and the jobs refuse to run
  until the customer's table has it (a null column would silently turn real
  data into "unknown").
- A **platform** column is added to an existing table as a nullable column
  with no default, so no existing row changes.
- A relation that exists as a view (``adopt-salesforce``'s views over a
  connector's schema) is left as it is: it has every column by construction.
- A unique index the live data already breaks is not created; the plan lists
  the offending rows (``violations``) and the audits report them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg
from psycopg import sql

# Every DDL statement of the platform (this plan and adopt-salesforce's views) runs under
# this transaction-scoped advisory lock: two `init-db`s at once run one after the other
# (the second then finds nothing left to do) instead of deadlocking on each other's DDL.
DDL_LOCK = "platform-ddl"


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    # what a table init-db creates gets on top of the type (never added to an existing table)
    create_suffix: str = ""
    # why the platform adds it; None: a SPEC §2 column the customer's table must already hold
    platform_reason: str | None = None


@dataclass(frozen=True)
class Table:
    schema: str
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    # a table the platform owns (SPEC §2: app.account, app.engagement): created when missing
    platform_owned: bool = False

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class Index:
    name: str
    table: str  # schema.table
    columns: tuple[str, ...]
    why: str
    unique: bool = False
    where: str = ""
    # unique only: how an offending row is named when live data breaks the index
    row_label: str = "id"


def _cols(spec: str) -> tuple[Column, ...]:
    """``"name type [extra]; ..."`` → required columns (one line per table below)."""
    columns = []
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        name, _, rest = part.partition(" ")
        type_, _, suffix = rest.partition(" ")
        columns.append(Column(name, type_, suffix))
    return tuple(columns)


def _platform(name: str, type_: str, reason: str) -> Column:
    return Column(name, type_, platform_reason=reason)


_CREATED_BY = "marks rows the platform wrote, so a re-run reads the legacy input and not its own output (D2)"

TABLES: tuple[Table, ...] = (
    Table("salesforce", "account", _cols("org_id text; id text; name text; is_deleted boolean not null default false")),
    Table(
        "salesforce",
        "opportunity",
        _cols(
            "org_id text; id text; account_id text; name text; type text; stage_name text;"
            "is_closed boolean not null default false; is_won boolean not null default false; close_date date;"
            "amount numeric(18,2); record_type_id text; is_deleted boolean not null default false;"
            "system_modstamp timestamptz not null default now(); last_opportunity_c text;"
            "opportunity_replaced_by_c text; contract_start_date_c date; contract_end_date_c date"
        ),
    ),
    Table(
        "salesforce",
        "deal_group_c",
        _cols(
            "org_id text; id text; deal_group_id_c text; name text; account_c text; status_c text;"
            "group_effective_date_c date; group_end_date_c date; renewal_opportunity_c text; prior_deal_group_c text;"
            "contract_type_c text; engagement_sequence_c numeric; system_modstamp timestamptz not null default now()"
        ),
    ),
    Table(
        "app",
        "organization",
        _cols(
            "org_id text; name text not null; engagement_model_enabled boolean not null default false;"
            "renewal_chain_enabled boolean not null default false;"
            "deal_group_writeback_enabled boolean not null default false"
        ),
        primary_key=("org_id",),
    ),
    Table(
        "app",
        "deal_group",
        _cols(
            "org_id text; id text; name text; crm_account_id text; created_at timestamptz not null default now();"
            "type text; account_id text; engagement_id text; engagement_sequence integer; contract_type text;"
            "status text; prior_deal_group_id text"
        )
        + (
            _platform("created_by", "text", _CREATED_BY),
            _platform(
                "prior_head_opportunity_id",
                "text",
                "a scaffolded renewal remembers its prior's head, so the renewal opportunity that arrives "
                "later becomes its head (SPEC §4)",
            ),
        ),
    ),
    Table(
        "app",
        "deal_group_opportunity",
        _cols("deal_group_id text; opportunity_id text; sequence integer")
        + (
            _platform(
                "org_id",
                "text",
                "the tenant of the memberships the platform writes; a legacy row without "
                "one takes its deal group's org",
            ),
            _platform("created_by", "text", _CREATED_BY),
        ),
    ),
    Table(
        "app",
        "account",
        _cols("org_id text not null; account_id text not null; crm_account_id text; name text"),
        primary_key=("org_id", "account_id"),
        platform_owned=True,
    ),
    Table(
        "app",
        "engagement",
        _cols("org_id text not null; engagement_id text not null; account_id text not null; status text not null")
        + (
            _platform("started_on", "date", "the engagement's first term start, as the backfill computes it"),
            _platform("ended_on", "date", "the last term's end of a churned engagement, as the backfill computes it"),
        ),
        primary_key=("org_id", "engagement_id"),
        platform_owned=True,
    ),
    Table(
        "app",
        "quote",
        _cols(
            "org_id text; id text; opportunity_id text; is_primary boolean not null default false; status text;"
            "created_at timestamptz not null default now(); signed_at timestamptz;"
            "is_system_draft boolean not null default false"
        )
        + (
            _platform(
                "deal_group_id",
                "text",
                "the renewal contract a system draft belongs to (a scaffold may have no opportunity yet)",
            ),
            _platform(
                "seed_hash", "text", "the seed a system draft was written from: reseeded only when it changed (F2)"
            ),
        ),
    ),
    Table(
        "app",
        "quote_line",
        _cols(
            "quote_id text; id text; product_sku text; quantity numeric(18,4); unit_price numeric(18,2);"
            "start_date date; end_date date"
        )
        + (
            _platform(
                "org_id",
                "text",
                "the tenant of the draft lines the platform writes; a line without one takes its quote's org",
            ),
        ),
    ),
    Table("app", "company", _cols("company_id text; name text; stale_policy text"), primary_key=("company_id",)),
    Table(
        "app",
        "agreement_template",
        _cols(
            "template_id text; company_id text; name text; body text; version integer;"
            "updated_at timestamptz not null default now(); stale_policy text"
        ),
        primary_key=("template_id",),
    ),
    Table(
        "app",
        "inspection",
        _cols(
            "inspection_id text; company_id text; report_id text; job_creation_type text; scheduled_at timestamptz;"
            "property_address text; property_city text; property_postal_code text; people jsonb;"
            "updated_at timestamptz not null default now()"
        ),
        primary_key=("inspection_id",),
    ),
    Table(
        "app",
        "charge",
        _cols(
            "charge_id text; inspection_id text; service_name text; amount numeric(18,2);"
            "is_deleted boolean not null default false; updated_at timestamptz not null default now()"
        ),
        primary_key=("charge_id",),
    ),
    Table(
        "app",
        "agreement",
        _cols(
            "agreement_id text; inspection_id text; template_id text; status text; signed_at timestamptz;"
            "signed_template_version integer; signed_content_hash text; signed_facts jsonb;"
            "is_stale boolean not null default false; stale_at timestamptz"
        ),
        primary_key=("agreement_id",),
    ),
    Table(
        "app",
        "change_event",
        _cols(
            "event_id bigserial; occurred_at timestamptz not null default now(); source text; op text;"
            "entity_id text; inspection_id text; template_id text; changed_fields text[]"
        ),
        primary_key=("event_id",),
    ),
    # the audits' history (SPEC §7): platform-owned, appended by the audits job (dagster_project/audits)
    Table(
        "platform",
        "audit_runs",
        _cols(
            "run_id text not null; ran_at timestamptz not null; audit_id text not null; org_id text not null;"
            "severity text; finding_count integer not null; row_count integer not null;"
            "new_count integer not null; resolved_count integer not null; sample jsonb"
        ),
        primary_key=("run_id", "audit_id", "org_id"),
        platform_owned=True,
    ),
    Table(
        "platform",
        "audit_findings_history",
        _cols(
            "audit_id text not null; org_id text not null; finding_key text not null; severity text;"
            "entity_table text; entity_id text; detail text; first_seen_at timestamptz not null;"
            "first_seen_run text not null; last_seen_at timestamptz not null; last_seen_run text not null;"
            "resolved_at timestamptz; resolved_run text"
        ),
        primary_key=("audit_id", "org_id", "finding_key", "first_seen_run"),
        platform_owned=True,
    ),
    # the Salesforce mirror's push log, which is also its ledger (SPEC §5): one row per record a
    # push sent, with Salesforce's own result; written by dagster_project/mirror, read by marts.mirror_plan
    Table(
        "platform",
        "mirror_push_log",
        _cols(
            "push_id text not null; org_id text not null; contract_id text not null; salesforce_id text;"
            "result text not null; error_code text; error_message text; payload_hash text not null;"
            "payload jsonb not null; fields_sent text[] not null; api text not null; attempts integer not null;"
            "pushed_at timestamptz not null"
        ),
        primary_key=("push_id", "contract_id"),
        platform_owned=True,
    ),
)

_ONE_ID = "the apply and the staleness job address rows by this id"

INDEXES: tuple[Index, ...] = (
    Index("opportunity_org_id_idx", "salesforce.opportunity", ("org_id", "id"), "org-scoped builds read by org"),
    Index(
        "opportunity_modstamp_idx",
        "salesforce.opportunity",
        ("system_modstamp", "id"),
        "the renewal sensor follows the CRM sync by (system_modstamp, id)",
    ),
    Index(
        "deal_group_c_modstamp_idx",
        "salesforce.deal_group_c",
        ("system_modstamp", "id"),
        "the renewal sensor follows Deal_Group__c changes by (system_modstamp, id)",
    ),
    Index("deal_group_org_id_idx", "app.deal_group", ("org_id", "id"), "the apply writes deal groups by org and id"),
    Index(
        "deal_group_opportunity_org_idx",
        "app.deal_group_opportunity",
        ("org_id", "deal_group_id"),
        "the apply writes memberships by org and deal group",
    ),
    Index(
        "deal_group_one_pending_renewal_per_prior",
        "app.deal_group",
        ("org_id", "prior_deal_group_id"),
        "at most one PENDING renewal per prior, enforced by the database (SPEC §4, F1)",
        unique=True,
        where="contract_type = 'RENEWAL' and status = 'PENDING' and prior_deal_group_id is not null",
    ),
    Index(
        "quote_one_system_draft_per_renewal",
        "app.quote",
        ("org_id", "deal_group_id"),
        "one system draft per renewal contract",
        unique=True,
        where="is_system_draft and deal_group_id is not null",
    ),
    Index(
        "quote_opportunity_idx", "app.quote", ("org_id", "opportunity_id"), "renewal seeds read quotes by opportunity"
    ),
    Index("quote_line_quote_idx", "app.quote_line", ("quote_id",), "renewal seeds read lines by quote"),
    Index("quote_line_org_idx", "app.quote_line", ("org_id", "quote_id"), "org-scoped builds read lines by org"),
    Index("agreement_inspection_idx", "app.agreement", ("inspection_id",), "staleness reads agreements by inspection"),
    Index("agreement_template_idx", "app.agreement", ("template_id",), "staleness reads agreements by template"),
    Index("charge_inspection_idx", "app.charge", ("inspection_id",), "staleness reads charges by inspection"),
    Index(
        "audit_findings_history_open_key",
        "platform.audit_findings_history",
        ("audit_id", "org_id", "finding_key"),
        "a finding is open once at a time: each audit run updates or resolves it by its key",
        unique=True,
        where="resolved_at is null",
    ),
    Index(
        "mirror_push_log_contract_idx",
        "platform.mirror_push_log",
        ("org_id", "contract_id", "pushed_at"),
        "the mirror plan reads each contract's last successful push",
    ),
    # the keys of tables init-db creates are primary keys; on a customer's table, a unique index
    Index(
        "organization_org_id_key",
        "app.organization",
        ("org_id",),
        "one row of flags per org",
        unique=True,
        row_label="org_id",
    ),
    Index(
        "account_org_id_account_id_key",
        "app.account",
        ("org_id", "account_id"),
        "the apply writes accounts by (org, account id)",
        unique=True,
        row_label="account_id",
    ),
    Index(
        "engagement_org_id_engagement_id_key",
        "app.engagement",
        ("org_id", "engagement_id"),
        "the apply writes engagements by (org, engagement id)",
        unique=True,
        row_label="engagement_id",
    ),
    Index("company_company_id_key", "app.company", ("company_id",), _ONE_ID, unique=True, row_label="company_id"),
    Index(
        "agreement_template_template_id_key",
        "app.agreement_template",
        ("template_id",),
        _ONE_ID,
        unique=True,
        row_label="template_id",
    ),
    Index(
        "inspection_inspection_id_key",
        "app.inspection",
        ("inspection_id",),
        _ONE_ID,
        unique=True,
        row_label="inspection_id",
    ),
    Index("charge_charge_id_key", "app.charge", ("charge_id",), _ONE_ID, unique=True, row_label="charge_id"),
    Index(
        "agreement_agreement_id_key", "app.agreement", ("agreement_id",), _ONE_ID, unique=True, row_label="agreement_id"
    ),
    Index(
        "change_event_event_id_key",
        "app.change_event",
        ("event_id",),
        "the staleness sensor's cursor is the last event_id it read",
        unique=True,
        row_label="event_id",
    ),
)


@dataclass(frozen=True)
class Step:
    """One DDL statement and the line that says why."""

    statement: str
    why: str
    # a schema, table or column the jobs read or write (an index only speeds them up or guards them)
    needed_by_jobs: bool = True


@dataclass
class Plan:
    """What `init-db` would do, and what it cannot."""

    steps: list[Step] = field(default_factory=list)
    # (table, column): SPEC §2 columns an existing table lacks; the jobs cannot run until they exist
    missing_columns: list[tuple[str, str]] = field(default_factory=list)
    # one line each: a unique index the live data breaks, with the offending rows
    violations: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The plan as a reader sees it: each statement after a comment saying why."""
        out = []
        for step in self.steps:
            out += [f"-- {step.why}", step.statement + ";"]
        return out


@dataclass
class Catalog:
    """The part of the database's catalog the plan compares with."""

    schemas: set[str]
    relations: dict[str, str]  # schema.name → relkind ('r' table, 'v' view, ...)
    columns: dict[str, set[str]]  # schema.name → column names
    index_names: set[str]  # schema.name of every index
    unique_keys: dict[str, set[tuple[str, ...]]]  # table → column lists of its non-partial unique indexes


def read_catalog(conn: psycopg.Connection) -> Catalog:
    schemas = {TABLE.schema for TABLE in TABLES}
    relations, columns = {}, {}
    for schema, name, kind in conn.execute(
        "select n.nspname, c.relname, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = any(%s) and c.relkind in ('r', 'p', 'v', 'm', 'f')",
        [list(schemas)],
    ):
        relations[f"{schema}.{name}"] = kind
    for schema, name, column in conn.execute(
        "select table_schema, table_name, column_name from information_schema.columns where table_schema = any(%s)",
        [list(schemas)],
    ):
        columns.setdefault(f"{schema}.{name}", set()).add(column)
    index_names = {
        f"{s}.{n}"
        for s, n in conn.execute(
            "select schemaname, indexname from pg_indexes where schemaname = any(%s)", [list(schemas)]
        )
    }
    unique_keys: dict[str, set[tuple[str, ...]]] = {}
    for schema, table, key in conn.execute(
        """
            select n.nspname, t.relname,
                   array(select a.attname from unnest(i.indkey) with ordinality as k(attnum, pos)
                         join pg_attribute a on a.attrelid = t.oid and a.attnum = k.attnum order by k.pos)
            from pg_index i join pg_class t on t.oid = i.indrelid join pg_namespace n on n.oid = t.relnamespace
            where n.nspname = any(%s) and i.indisunique and i.indpred is null""",
        [list(schemas)],
    ):
        unique_keys.setdefault(f"{schema}.{table}", set()).add(tuple(key))
    present = {
        row[0] for row in conn.execute("select nspname from pg_namespace where nspname = any(%s)", [list(schemas)])
    }
    return Catalog(present, relations, columns, index_names, unique_keys)


def plan(conn: psycopg.Connection) -> Plan:
    """The gaps between what the platform needs and what the database holds (reads only)."""
    catalog = read_catalog(conn)
    result = Plan()
    for schema in sorted({t.schema for t in TABLES} - catalog.schemas):
        result.steps.append(Step(f"create schema {schema}", f"schema {schema} (SPEC §2)"))
    created: dict[str, Table] = {}
    for table in TABLES:
        kind = catalog.relations.get(table.qualified)
        if kind is None:
            created[table.qualified] = table
            result.steps.append(
                Step(
                    _create_table(table),
                    f"{table.qualified}: missing, created "
                    + ("(a table the platform writes)" if table.platform_owned else "empty"),
                )
            )
        elif kind in ("r", "p"):
            have = catalog.columns.get(table.qualified, set())
            for column in table.columns:
                if column.name in have:
                    continue
                if column.platform_reason is None:
                    result.missing_columns.append((table.qualified, column.name))
                else:
                    result.steps.append(
                        Step(
                            f"alter table {table.qualified} add column {column.name} {column.type}",
                            f"{table.qualified}.{column.name}: {column.platform_reason}",
                        )
                    )
    for index in INDEXES:
        step, violation = _index_step(conn, index, catalog, created)
        if step:
            result.steps.append(step)
        if violation:
            result.violations.append(violation)
    return result


def _create_table(table: Table) -> str:
    parts = [f"    {c.name} {c.type}{' ' + c.create_suffix if c.create_suffix else ''}" for c in table.columns]
    if table.primary_key:
        parts.append(f"    primary key ({', '.join(table.primary_key)})")
    return f"create table {table.qualified} (\n" + ",\n".join(parts) + "\n)"


def _index_step(conn, index: Index, catalog: Catalog, created: dict[str, Table]) -> tuple[Step | None, str | None]:
    schema = index.table.split(".")[0]
    if f"{schema}.{index.name}" in catalog.index_names:
        return None, None
    new_table = created.get(index.table)
    if new_table is None and catalog.relations.get(index.table) not in ("r", "p"):
        return None, None  # a view (adopt-salesforce) or a relation of another kind: nothing to index
    if index.unique and not index.where:
        if new_table is not None and new_table.primary_key == index.columns:
            return None, None  # the primary key of the table created above
        if index.columns in catalog.unique_keys.get(index.table, set()):
            return None, None  # the customer's own key, under another name
    statement = (
        f"create {'unique ' if index.unique else ''}index {index.name} on {index.table} "
        f"({', '.join(index.columns)})" + (f" where {index.where}" if index.where else "")
    )
    # a key over a column init-db is adding is null in every row: nothing can break it yet
    keyed_columns_exist = set(index.columns) <= catalog.columns.get(index.table, set())
    if index.unique and new_table is None and keyed_columns_exist:
        offending = _offending_keys(conn, index)
        if offending:
            return None, (
                f"{index.table}: not creating {index.name} ({index.why}): the live data breaks it — "
                + "; ".join(offending)
                + ". Everything else is created; the audits report these rows "
                "until they are fixed, then run init-db again."
            )
    return Step(statement, f"{index.table} ({', '.join(index.columns)}): {index.why}", needed_by_jobs=False), None


def _offending_keys(conn: psycopg.Connection, index: Index, limit: int = 10) -> list[str]:
    """Each key several rows share, as ``org_id=o, prior_deal_group_id=p: id a, b``."""
    columns = [sql.Identifier(c) for c in index.columns]
    schema, table = index.table.split(".")
    query = sql.SQL("""
        select {columns}, count(*), string_agg(coalesce({label}::text, '(null)'), ', ' order by {label}::text)
        from {table}
        where {not_null} {where}
        group by {columns}
        having count(*) > 1
        order by {columns}
        limit {limit}""").format(
        columns=sql.SQL(", ").join(columns),
        label=sql.Identifier(index.row_label),
        table=sql.Identifier(schema, table),
        not_null=sql.SQL(" and ").join(sql.SQL("{} is not null").format(c) for c in columns),
        where=sql.SQL(f"and ({index.where})" if index.where else ""),
        limit=limit,
    )
    out = []
    for row in conn.execute(query):
        key = ", ".join(f"{name}={value}" for name, value in zip(index.columns, row, strict=False))
        count, labels = row[-2], row[-1]
        out.append(f"{key}: {count} rows ({index.row_label} {labels})")
    return out


def apply(conn: psycopg.Connection, dry_run: bool = False) -> Plan:
    """Plan and (unless ``dry_run``) run the plan in one transaction, under the DDL lock."""
    with conn.transaction(force_rollback=dry_run):
        conn.execute("select pg_advisory_xact_lock(hashtext(%s))", [DDL_LOCK])
        result = plan(conn)
        if not dry_run:
            for step in result.steps:
                conn.execute(step.statement)
    return result
