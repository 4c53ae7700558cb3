"""The audits' history (SPEC §7), in platform-owned tables init-db creates
(``lib/platform_schema.py``): ``platform.audit_runs`` gets one row per (run, audit, org)
— when, the count, new and resolved since the last run, up to 20 sample rows — and
``platform.audit_findings_history`` one row per finding episode, keyed by
``(audit_id, org_id, finding_key)``: first seen, last seen, resolved. A finding that
comes back after it was resolved opens a new episode.

The append is set-based SQL over ``marts.audit_findings``, in one transaction, so a run
that fails half-way records nothing and two runs never interleave (an advisory lock)."""

from __future__ import annotations

import psycopg

SAMPLE_ROWS = 20
HISTORY_LOCK = "platform-audit-history"

# the (audit, org) pairs this run covers: every enabled pair, or those of the asked orgs
_SCOPE = """
    create temp table audit_run_scope on commit drop as
    select audit_id, org_id, severity
    from audits.audit_scope
    where enabled and (%(orgs)s::text[] is null or org_id = any(%(orgs)s::text[]))
"""

_CURRENT = """
    create temp table audit_run_findings on commit drop as
    select f.audit_id, f.org_id, f.finding_key, min(f.severity) as severity,
        min(f.entity_table) as entity_table, min(f.entity_id) as entity_id, min(f.detail) as detail
    from marts.audit_findings as f
    inner join audit_run_scope as s on s.audit_id = f.audit_id and s.org_id = f.org_id
    group by f.audit_id, f.org_id, f.finding_key
"""

_STILL_OPEN = """
    update platform.audit_findings_history as h
    set last_seen_at = now(), last_seen_run = %(run)s, severity = c.severity, entity_table = c.entity_table,
        entity_id = c.entity_id, detail = c.detail
    from audit_run_findings as c
    where h.resolved_at is null
        and h.audit_id = c.audit_id and h.org_id = c.org_id and h.finding_key = c.finding_key
"""

_NEW = """
    insert into platform.audit_findings_history (audit_id, org_id, finding_key, severity, entity_table,
        entity_id, detail, first_seen_at, first_seen_run, last_seen_at, last_seen_run)
    select c.audit_id, c.org_id, c.finding_key, c.severity, c.entity_table, c.entity_id, c.detail,
        now(), %(run)s, now(), %(run)s
    from audit_run_findings as c
    where not exists (
        select 1 from platform.audit_findings_history as h
        where h.resolved_at is null
            and h.audit_id = c.audit_id and h.org_id = c.org_id and h.finding_key = c.finding_key
    )
"""

_RESOLVED = """
    update platform.audit_findings_history as h
    set resolved_at = now(), resolved_run = %(run)s
    from audit_run_scope as s
    where h.resolved_at is null and h.last_seen_run <> %(run)s
        and h.audit_id = s.audit_id and h.org_id = s.org_id
"""

_RUN_ROWS = """
    insert into platform.audit_runs (run_id, ran_at, audit_id, org_id, severity, finding_count, row_count,
        new_count, resolved_count, sample)
    with findings as (
        select audit_id, org_id, count(*) as n from audit_run_findings group by audit_id, org_id
    ),

    changed as (
        select audit_id, org_id,
            count(*) filter (where first_seen_run = %(run)s) as new_count,
            count(*) filter (where resolved_run = %(run)s) as resolved_count
        from platform.audit_findings_history
        where first_seen_run = %(run)s or resolved_run = %(run)s
        group by audit_id, org_id
    ),

    numbered as (
        select f.*, row_number() over (
            partition by f.audit_id, f.org_id order by f.finding_key, f.entity_table, f.entity_id) as n
        from marts.audit_findings as f
        inner join audit_run_scope as s on s.audit_id = f.audit_id and s.org_id = f.org_id
    ),

    rows as (
        select audit_id, org_id, count(*) as n from numbered group by audit_id, org_id
    ),

    samples as (
        select audit_id, org_id,
            jsonb_agg(jsonb_build_object('entity_table', entity_table, 'entity_id', entity_id,
                'finding_key', finding_key, 'detail', detail) order by n) as sample
        from numbered
        where n <= %(sample_rows)s
        group by audit_id, org_id
    )

    select %(run)s, now(), s.audit_id, s.org_id, s.severity, coalesce(findings.n, 0), coalesce(rows.n, 0),
        coalesce(changed.new_count, 0), coalesce(changed.resolved_count, 0), coalesce(samples.sample, '[]')
    from audit_run_scope as s
    left join findings on findings.audit_id = s.audit_id and findings.org_id = s.org_id
    left join changed on changed.audit_id = s.audit_id and changed.org_id = s.org_id
    left join rows on rows.audit_id = s.audit_id and rows.org_id = s.org_id
    left join samples on samples.audit_id = s.audit_id and samples.org_id = s.org_id
"""


def append_history(url: str, run_id: str, orgs: list[str] | None = None) -> None:
    """Record this audit run (``run_id``) over ``orgs`` (None: every org) from marts.audit_findings:
    a run row per enabled (audit, org); findings opened, kept open or resolved by key."""
    params = {"run": run_id, "orgs": sorted(orgs) if orgs else None, "sample_rows": SAMPLE_ROWS}
    with psycopg.connect(url) as conn, conn.transaction():
        conn.execute("select pg_advisory_xact_lock(hashtext(%s))", [HISTORY_LOCK])
        for statement in (_SCOPE, _CURRENT, _STILL_OPEN, _NEW, _RESOLVED, _RUN_ROWS):
            conn.execute(statement, params)
