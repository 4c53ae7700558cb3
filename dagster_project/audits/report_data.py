"""What one audit run's data-quality page shows (SPEC §7), read from the database in one
place: the run's results per (audit, org) from the history tables, each audit's counts over
the recent runs, and the marts a person fixes rows from (reconciliation, unattached and
quarantined rows by reason, unmapped CRM types, renewal-seed problems, the walker diff,
staleness problems, the mirror plan), and the last blocking checks' failing rows.

A mart that was never built (a database that never ran renewals, say) is a section that
says so, not an error: ``Table.missing``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from dagster_project.audits.history import SAMPLE_ROWS
from dagster_project.lib.check_failures import FAILURES_SCHEMA  # dbt's store_failures

TREND_RUNS = 14  # the runs a trend chart covers, this one included


@dataclass
class Table:
    """A table of a section: its columns and (up to a limit) rows; ``total`` counts all rows."""

    columns: list[str]
    rows: list[tuple]
    total: int
    missing: bool = False  # the relation does not exist (never built)


@dataclass
class AuditLine:
    """One audit in one org, in this run."""

    audit_id: str
    severity: str
    findings: int
    new: int
    still_open: int
    open_since: dt.datetime | None
    resolved: int
    trend: list[int | None]  # finding counts over the recent runs, oldest first (None: not run there)
    sample: list[dict]


@dataclass
class OrgSection:
    org_id: str
    name: str | None = None  # app.organization's name (user data)
    audits: list[AuditLine] = field(default_factory=list)
    reconciliation: dict | None = None
    unattached: Table | None = None
    quarantined: Table | None = None
    unmapped_types: Table | None = None
    seed_problems: Table | None = None
    walker_diff: Table | None = None
    mirror_plan: Table | None = None

    @property
    def errors(self) -> int:
        return sum(a.findings for a in self.audits if a.severity == "ERROR")

    @property
    def warnings(self) -> int:
        return sum(a.findings for a in self.audits if a.severity == "WARN")

    @property
    def state(self) -> str:
        """ERROR, WARN or OK: the worst open finding of the org."""
        return "ERROR" if self.errors else "WARN" if self.warnings else "OK"


@dataclass
class BlockingCheck:
    """The last result of one blocking dbt test: its failing rows and the orgs they are in."""

    name: str
    failing_rows: int
    orgs: list[str]


@dataclass
class ReportData:
    run_id: str
    ran_at: dt.datetime
    previous_run_id: str | None
    trend_runs: list[dt.datetime]
    orgs: list[OrgSection]
    blocking_checks: list[BlockingCheck]
    staleness_problems: Table
    is_latest: bool = True  # no audit run was recorded after it

    @property
    def errors(self) -> int:
        return sum(o.errors for o in self.orgs)

    @property
    def warnings(self) -> int:
        return sum(o.warnings for o in self.orgs)

    @property
    def new(self) -> int:
        return sum(a.new for o in self.orgs for a in o.audits)

    @property
    def resolved(self) -> int:
        return sum(a.resolved for o in self.orgs for a in o.audits)


class NoAuditRun(LookupError):
    """No audit run is recorded (or not the one asked for)."""


def latest_run_id(conn: psycopg.Connection) -> str:
    row = conn.execute("select run_id from platform.audit_runs order by ran_at desc limit 1").fetchone()
    if row is None:
        raise NoAuditRun("no audit run is recorded yet: run `platform audit` first")
    return row[0]


def gather(url: str, run_id: str | None = None) -> ReportData:
    """Everything the page of audit run ``run_id`` (default: the latest) shows."""
    with psycopg.connect(url) as conn:
        run_id = run_id or latest_run_id(conn)
        runs = conn.execute(
            "select run_id, max(ran_at) from platform.audit_runs group by run_id order by 2",
        ).fetchall()
        times = {r: t for r, t in runs}
        prefixed = [r for r in times if r.startswith(run_id)]
        if run_id not in times and len(prefixed) == 1:
            run_id = prefixed[0]
        if run_id not in times:
            raise NoAuditRun(f"no audit run {run_id!r} is recorded")
        ran_at = times[run_id]
        earlier = [r for r, t in runs if t <= ran_at]
        previous = earlier[-2] if len(earlier) > 1 else None
        trend_runs = earlier[-TREND_RUNS:]
        orgs = _org_sections(conn, run_id, ran_at, trend_runs)
        names = dict(conn.execute("select org_id, name from app.organization").fetchall())
        for org in orgs.values():
            org.name = names.get(org.org_id)
            _add_marts(conn, org)
        return ReportData(
            run_id=run_id,
            ran_at=ran_at,
            previous_run_id=previous,
            trend_runs=[times[r] for r in trend_runs],
            orgs=sorted(orgs.values(), key=lambda o: ({"ERROR": 0, "WARN": 1, "OK": 2}[o.state], o.org_id)),
            blocking_checks=_blocking_checks(conn),
            staleness_problems=_table(conn, "marts", "staleness_problems", None, None),
            is_latest=run_id == runs[-1][0],
        )


def _org_sections(conn, run_id: str, ran_at: dt.datetime, trend_runs: list[str]) -> dict[str, OrgSection]:
    rows = (
        conn.cursor(row_factory=dict_row)
        .execute(
            """
        select r.audit_id, r.org_id, r.severity, r.finding_count, r.new_count, r.resolved_count, r.sample,
            open.since, open.still_open
        from platform.audit_runs as r
        left join lateral (
            -- the episodes open at this run: seen first by it or earlier, not resolved by then
            select min(h.first_seen_at) as since,
                count(*) filter (where h.first_seen_run <> r.run_id) as still_open
            from platform.audit_findings_history as h
            where h.audit_id = r.audit_id and h.org_id = r.org_id
                and h.first_seen_at <= %(ran_at)s and coalesce(h.resolved_at, 'infinity') > %(ran_at)s
        ) as open on true
        where r.run_id = %(run)s
        order by r.org_id, r.audit_id
        """,
            {"run": run_id, "ran_at": ran_at},
        )
        .fetchall()
    )
    counts = conn.execute(
        "select run_id, audit_id, org_id, finding_count from platform.audit_runs where run_id = any(%s)",
        [trend_runs],
    ).fetchall()
    by_run = {(r, a, o): n for r, a, o, n in counts}
    orgs: dict[str, OrgSection] = {}
    for row in rows:
        org = orgs.setdefault(row["org_id"], OrgSection(row["org_id"]))
        org.audits.append(
            AuditLine(
                audit_id=row["audit_id"],
                severity=row["severity"],
                findings=row["finding_count"],
                new=row["new_count"],
                still_open=row["still_open"] or 0,
                open_since=row["since"] if row["finding_count"] else None,
                resolved=row["resolved_count"],
                trend=[by_run.get((r, row["audit_id"], row["org_id"])) for r in trend_runs],
                sample=(row["sample"] or [])[:SAMPLE_ROWS],
            )
        )
    for org in orgs.values():  # what has findings first
        org.audits.sort(key=lambda a: (a.findings == 0, a.audit_id))
    return orgs


def _add_marts(conn, org: OrgSection) -> None:
    reconciliation = _table(conn, "marts", "backfill_reconciliation", org.org_id, None)
    if reconciliation.rows:
        org.reconciliation = dict(zip(reconciliation.columns, reconciliation.rows[0], strict=True))
    by_reason = (
        "select {cols}, count(*) as rows from {rel} where org_id = %s group by {cols} order by rows desc, {cols}"
    )
    org.unattached = _grouped(conn, "unattached_opportunities", org.org_id, by_reason, ["reason"])
    org.quarantined = _grouped(conn, "quarantined_rows", org.org_id, by_reason, ["source_table", "reason"])
    org.unmapped_types = _table(conn, "marts", "unmapped_crm_types", org.org_id, "opportunities desc, crm_type")
    org.seed_problems = _table(conn, "marts", "renewal_seed_problems", org.org_id, None)
    org.walker_diff = _table(conn, "marts", "renewal_walker_diff", org.org_id, None)
    plan = _grouped(conn, "mirror_plan", org.org_id, by_reason, ["action"])
    org.mirror_plan = None if plan.missing else plan


def _exists(conn, schema: str, name: str) -> bool:
    return conn.execute("select to_regclass(%s) is not null", [f'"{schema}"."{name}"']).fetchone()[0]


def _table(conn, schema: str, name: str, org_id: str | None, order_by: str | None) -> Table:
    """Up to SAMPLE_ROWS rows of a relation (of one org when ``org_id``), without its org_id column."""
    if not _exists(conn, schema, name):
        return Table([], [], 0, missing=True)
    relation = sql.Identifier(schema, name)
    where = sql.SQL("where org_id = %s") if org_id else sql.SQL("")
    order = sql.SQL("order by " + order_by) if order_by else sql.SQL("")
    params = [org_id] if org_id else []
    total = conn.execute(sql.SQL("select count(*) from {} {}").format(relation, where), params).fetchone()[0]
    cursor = conn.execute(
        sql.SQL("select * from {} {} {} limit {}").format(relation, where, order, sql.Literal(SAMPLE_ROWS)), params
    )
    columns = [c.name for c in cursor.description]
    keep = [i for i, c in enumerate(columns) if c != "org_id" or not org_id]
    rows = [tuple(row[i] for i in keep) for row in cursor.fetchall()]
    return Table([columns[i] for i in keep], rows, total)


def _grouped(conn, name: str, org_id: str, template: str, columns: list[str]) -> Table:
    """A mart's rows of one org counted by ``columns`` (reason, action …)."""
    if not _exists(conn, "marts", name):
        return Table([], [], 0, missing=True)
    cols = sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    query = sql.SQL(template).format(cols=cols, rel=sql.Identifier("marts", name))
    rows = conn.execute(query, [org_id]).fetchall()
    return Table([*columns, "rows"], [tuple(r) for r in rows], sum(r[-1] for r in rows))


def _blocking_checks(conn) -> list[BlockingCheck]:
    """Each dbt test's failing rows as its last run stored them (``store_failures``)."""
    relations = conn.execute(
        "select table_name, exists (select 1 from information_schema.columns as c where c.table_schema = t.table_schema"
        " and c.table_name = t.table_name and c.column_name = 'org_id')"
        " from information_schema.tables as t where table_schema = %s order by table_name",
        [FAILURES_SCHEMA],
    ).fetchall()
    checks = []
    for name, has_org in relations:
        relation = sql.Identifier(FAILURES_SCHEMA, name)
        count = conn.execute(sql.SQL("select count(*) from {}").format(relation)).fetchone()[0]
        orgs = []
        if count and has_org:
            query = sql.SQL("select distinct org_id::text from {} where org_id is not null order by 1 limit 10")
            orgs = [r[0] for r in conn.execute(query.format(relation)).fetchall()]
        checks.append(BlockingCheck(name, count, orgs))
    return sorted(checks, key=lambda c: (c.failing_rows == 0, c.name))
