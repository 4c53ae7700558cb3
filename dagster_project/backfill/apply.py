"""Write the computed hierarchy (the marts) into the application tables.

Per org, in one transaction, only differences: each statement below inserts
what is missing, updates what differs and deletes what the backfill itself
wrote earlier and no longer wants. A dry run executes the very same
statements and rolls back, so the plan it reports is exactly what an apply
would write. Only orgs whose flags are legal and model-enabled
(``marts.org_flag_states.is_applied``) and whose reconciliation balances are
touched.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import psycopg

from dagster_project.lib import database

CREATED_BY = "engagement_backfill"

# orgs applied side by side, each in its own transaction on its own connection
# (their rows are disjoint); more than the cores only queue on the server
APPLY_WORKERS = min(4, os.cpu_count() or 1)

# (table, action, statement). Every statement is scoped to one org: %(org)s.
STATEMENTS: list[tuple[str, str, str]] = [
    (
        "app.account",
        "insert",
        """
        insert into app.account (org_id, account_id, crm_account_id, name)
        select m.org_id, m.account_id, m.crm_account_id, m.name
        from marts.accounts as m
        where m.org_id = %(org)s
          and not exists (select 1 from app.account as a where a.org_id = m.org_id and a.account_id = m.account_id)
    """,
    ),
    (
        "app.account",
        "update",
        """
        update app.account as a
        set crm_account_id = m.crm_account_id, name = m.name
        from marts.accounts as m
        where a.org_id = %(org)s and m.org_id = a.org_id and m.account_id = a.account_id
          and (a.crm_account_id, a.name) is distinct from (m.crm_account_id, m.name)
    """,
    ),
    (
        "app.engagement",
        "insert",
        """
        insert into app.engagement (org_id, engagement_id, account_id, status, started_on, ended_on)
        select m.org_id, m.engagement_id, m.account_id, m.status, m.started_on, m.ended_on
        from marts.engagements as m
        where m.org_id = %(org)s
          and not exists (select 1 from app.engagement as e
                          where e.org_id = m.org_id and e.engagement_id = m.engagement_id)
    """,
    ),
    (
        "app.engagement",
        "update",
        """
        update app.engagement as e
        set account_id = m.account_id, status = m.status, started_on = m.started_on, ended_on = m.ended_on
        from marts.engagements as m
        where e.org_id = %(org)s and m.org_id = e.org_id and m.engagement_id = e.engagement_id
          and (e.account_id, e.status, e.started_on, e.ended_on)
              is distinct from (m.account_id, m.status, m.started_on, m.ended_on)
    """,
    ),
    (
        "app.deal_group",
        "update",
        """
        -- legacy deal groups: the engagement columns, null where not converted
        update app.deal_group as dg
        set type = desired.type, account_id = desired.account_id, engagement_id = desired.engagement_id,
            engagement_sequence = desired.engagement_sequence, contract_type = desired.contract_type,
            status = desired.status, prior_deal_group_id = desired.prior_contract_id
        from (
            select legacy.org_id, legacy.id,
                case when c.contract_id is not null then 'CONTRACT' end as type,
                c.account_id, c.engagement_id, c.engagement_sequence, c.contract_type, c.status,
                c.prior_contract_id
            from app.deal_group as legacy
            left join marts.contracts as c
                on c.org_id = legacy.org_id and c.legacy_deal_group_id = legacy.id
            where legacy.org_id = %(org)s and legacy.created_by is null
        ) as desired
        where dg.org_id = desired.org_id and dg.id = desired.id and dg.created_by is null
          and (dg.type, dg.account_id, dg.engagement_id, dg.engagement_sequence, dg.contract_type,
               dg.status, dg.prior_deal_group_id)
              is distinct from (desired.type, desired.account_id, desired.engagement_id,
                                desired.engagement_sequence, desired.contract_type, desired.status,
                                desired.prior_contract_id)
    """,
    ),
    (
        "app.deal_group",
        "update",
        """
        -- a renewal successor the renewal job scaffolded, now the contract of the renewal
        -- opportunity that arrived for its prior (SPEC §4): from here on the backfill maintains it
        update app.deal_group as dg
        set created_by = %(created_by)s
        where dg.org_id = %(org)s and dg.created_by = 'renewal_scaffold'
          and exists (select 1 from marts.contracts as c
                      where c.org_id = dg.org_id and c.contract_id = dg.id and c.legacy_deal_group_id is null)
    """,
    ),
    (
        "app.deal_group",
        "insert",
        """
        -- contracts the orphan pass opened
        insert into app.deal_group (org_id, id, name, crm_account_id, type, account_id, engagement_id,
            engagement_sequence, contract_type, status, prior_deal_group_id, created_by)
        select c.org_id, c.contract_id, c.contract_name, a.crm_account_id, 'CONTRACT', c.account_id,
            c.engagement_id, c.engagement_sequence, c.contract_type, c.status, c.prior_contract_id,
            %(created_by)s
        from marts.contracts as c
        left join marts.accounts as a on a.org_id = c.org_id and a.account_id = c.account_id
        where c.org_id = %(org)s and c.legacy_deal_group_id is null
          and not exists (select 1 from app.deal_group as dg
                          where dg.org_id = c.org_id and dg.id = c.contract_id and dg.created_by = %(created_by)s)
    """,
    ),
    (
        "app.deal_group",
        "update",
        """
        update app.deal_group as dg
        set name = c.contract_name, account_id = c.account_id, engagement_id = c.engagement_id,
            engagement_sequence = c.engagement_sequence, contract_type = c.contract_type,
            status = c.status, prior_deal_group_id = c.prior_contract_id
        from marts.contracts as c
        where dg.org_id = %(org)s and dg.created_by = %(created_by)s
          and c.org_id = dg.org_id and c.contract_id = dg.id and c.legacy_deal_group_id is null
          and (dg.name, dg.account_id, dg.engagement_id, dg.engagement_sequence, dg.contract_type,
               dg.status, dg.prior_deal_group_id)
              is distinct from (c.contract_name, c.account_id, c.engagement_id, c.engagement_sequence,
                                c.contract_type, c.status, c.prior_contract_id)
    """,
    ),
    (
        "app.deal_group_opportunity",
        "insert",
        """
        -- memberships the legacy table does not already hold (a legacy row of an adopted
        -- database may have no org_id: SPEC §2's membership table has none)
        insert into app.deal_group_opportunity (org_id, deal_group_id, opportunity_id, sequence, created_by)
        select m.org_id, m.contract_id, m.opportunity_id, m.membership_sequence, %(created_by)s
        from marts.contract_memberships as m
        where m.org_id = %(org)s
          and not exists (select 1 from app.deal_group_opportunity as dgo
                          where (dgo.org_id = m.org_id or dgo.org_id is null) and dgo.deal_group_id = m.contract_id
                            and dgo.opportunity_id = m.opportunity_id)
    """,
    ),
    (
        "app.deal_group_opportunity",
        "update",
        """
        update app.deal_group_opportunity as dgo
        set sequence = m.membership_sequence
        from marts.contract_memberships as m
        where dgo.org_id = %(org)s and dgo.created_by = %(created_by)s
          and m.org_id = dgo.org_id and m.contract_id = dgo.deal_group_id and m.opportunity_id = dgo.opportunity_id
          and dgo.sequence is distinct from m.membership_sequence
    """,
    ),
    (
        "app.deal_group_opportunity",
        "delete",
        """
        delete from app.deal_group_opportunity as dgo
        where dgo.org_id = %(org)s and dgo.created_by = %(created_by)s
          and not exists (select 1 from marts.contract_memberships as m
                          where m.org_id = dgo.org_id and m.contract_id = dgo.deal_group_id
                            and m.opportunity_id = dgo.opportunity_id)
    """,
    ),
    (
        "app.deal_group",
        "delete",
        """
        delete from app.deal_group as dg
        where dg.org_id = %(org)s and dg.created_by = %(created_by)s
          and not exists (select 1 from marts.contracts as c
                          where c.org_id = dg.org_id and c.contract_id = dg.id and c.legacy_deal_group_id is null)
    """,
    ),
    (
        "app.engagement",
        "delete",
        """
        delete from app.engagement as e
        where e.org_id = %(org)s
          and not exists (select 1 from marts.engagements as m
                          where m.org_id = e.org_id and m.engagement_id = e.engagement_id)
    """,
    ),
    (
        "app.account",
        "delete",
        """
        delete from app.account as a
        where a.org_id = %(org)s
          and not exists (select 1 from marts.accounts as m where m.org_id = a.org_id and m.account_id = a.account_id)
    """,
    ),
]

TABLES = ("app.account", "app.engagement", "app.deal_group", "app.deal_group_opportunity")


@dataclass
class OrgPlan:
    """What the apply writes (or would write) for one org."""

    org_id: str
    applied: bool = False
    skipped_reason: str | None = None
    changes: dict[str, dict[str, int]] = field(
        default_factory=lambda: {t: {"insert": 0, "update": 0, "delete": 0} for t in TABLES}
    )

    @property
    def rows_written(self) -> int:
        return sum(sum(actions.values()) for actions in self.changes.values())


class ApplyError(RuntimeError):
    """A statement failed; the message names the org and the table."""


def eligible_orgs(conn: psycopg.Connection, requested: list[str] | None) -> tuple[list[str], list[OrgPlan]]:
    """Orgs to apply, and a skipped plan (with its reason) for each requested org that may not be."""
    rows = conn.execute("""
        select f.org_id, f.is_applied, f.is_legal, f.problem, coalesce(r.is_balanced, true)
        from marts.org_flag_states as f
        left join marts.backfill_reconciliation as r on r.org_id = f.org_id
        order by f.org_id
    """).fetchall()
    known = {row[0]: row for row in rows}
    skipped, chosen = [], []
    for org in requested or [row[0] for row in rows]:
        if org not in known:
            skipped.append(OrgPlan(org, skipped_reason="org not found in the sources"))
            continue
        _, is_applied, is_legal, problem, balanced = known[org]
        if not is_legal:
            skipped.append(OrgPlan(org, skipped_reason=f"illegal flag state: {problem}"))
        elif not is_applied:
            skipped.append(OrgPlan(org, skipped_reason="engagement model not enabled (preview only)"))
        elif not balanced:
            skipped.append(OrgPlan(org, skipped_reason="reconciliation does not balance"))
        else:
            chosen.append(org)
    return chosen, skipped


def apply_hierarchy(orgs: list[str] | None = None, *, dry_run: bool = True, url: str | None = None) -> list[OrgPlan]:
    """Plan (dry run) or apply the computed hierarchy, org by org (a few orgs at a time, each
    in its own transaction). A failing org raises; orgs already committed stay applied."""
    with database.connect(url) as conn:
        chosen, plans = eligible_orgs(conn, orgs)
    with ThreadPoolExecutor(max_workers=APPLY_WORKERS) as pool:
        plans.extend(pool.map(lambda org: _apply_org(org, dry_run=dry_run, url=url), chosen))
    written = sum(p.rows_written for p in plans)
    if not dry_run and written:
        database.refresh_statistics(url, TABLES, written)
    return sorted(plans, key=lambda p: p.org_id)


def _apply_org(org: str, *, dry_run: bool, url: str | None) -> OrgPlan:
    plan = OrgPlan(org)
    with database.connect(url) as conn:
        with conn.transaction(force_rollback=dry_run):
            # one apply per org at a time: a second one waits, then finds nothing left to write
            conn.execute("select pg_advisory_xact_lock(hashtext('hierarchy-apply:' || %s))", [org])
            for table, action, statement in STATEMENTS:
                try:
                    cursor = conn.execute(statement, {"org": org, "created_by": CREATED_BY})
                except psycopg.Error as error:
                    raise ApplyError(f"org {org}: {action} on {table} failed: {error}") from error
                plan.changes[table][action] += cursor.rowcount
        plan.applied = not dry_run
    return plan
