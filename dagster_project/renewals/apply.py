"""Write the renewal scaffolding the marts computed into the application tables.

Per org, one transaction under a transaction-scoped advisory lock on the org,
only differences:
- a PENDING successor (``app.deal_group``, ``created_by = 'renewal_scaffold'``)
  for every prior that must have one now and has none. The partial unique index
  ``deal_group_one_pending_renewal_per_prior`` makes a second one impossible
  even without the lock (``on conflict do nothing``): F1 is enforced by the
  database, not by read-then-write (in an adopted database whose live rows
  already break that index, init-db does not create it and the lock alone
  serializes the org's writers);
- a system draft quote (``is_system_draft``, ``DRAFT``) with the seed lines
  for every successor that has a seed and no draft yet;
- a reseed of that draft when its ``seed_hash`` differs from the seed's (F2):
  only a system draft still in DRAFT and not marked primary is ever rewritten —
  a rep's quote, or a draft a rep took over, is never touched;
- the draft's opportunity when the successor got its renewal opportunity.
Orgs come from ``marts.renewal_targets``, which holds only legal,
renewal-enabled orgs (F4)."""

from __future__ import annotations

from dataclasses import dataclass, field

from dagster_project.lib import database

SCAFFOLD = "renewal_scaffold"

# one row per seeded renewal of the org: its contract and seed_hash
_SEEDS = """(select distinct org_id, renewal_contract_id, seed_hash from marts.renewal_seed_lines
             where org_id = %(org)s)"""

# a draft the system may still rewrite (F2): never a rep's quote, nor a draft a rep took over
_STILL_THE_SYSTEMS = "q.is_system_draft and q.status = 'DRAFT' and not q.is_primary"

_DRAFTS_TO_RESEED = f"""
    select q.id
    from app.quote as q
    join {_SEEDS} as seed
      on seed.org_id = q.org_id and seed.renewal_contract_id = q.deal_group_id
    where q.org_id = %(org)s and {_STILL_THE_SYSTEMS}
      and q.seed_hash is distinct from seed.seed_hash
"""

# (what, statement) in order; each returns the rows it wrote
STATEMENTS: list[tuple[str, str]] = [
    (
        "successors_scaffolded",
        """
        insert into app.deal_group (org_id, id, name, crm_account_id, type, account_id, engagement_id,
            engagement_sequence, contract_type, status, prior_deal_group_id, prior_head_opportunity_id, created_by)
        select t.org_id, t.renewal_contract_id, t.renewal_name, a.crm_account_id, 'CONTRACT', t.account_id,
            t.engagement_id, t.renewal_engagement_sequence, 'RENEWAL', 'PENDING', t.prior_contract_id,
            t.prior_head_opportunity_id, %(scaffold)s
        from marts.renewal_targets as t
        left join marts.accounts as a on a.org_id = t.org_id and a.account_id = t.account_id
        where t.org_id = %(org)s and t.must_scaffold_now
          and exists (select 1 from app.deal_group as prior
                      where prior.org_id = t.org_id and prior.id = t.prior_contract_id)
          and not exists (select 1 from app.deal_group as dg
                          where dg.org_id = t.org_id and dg.prior_deal_group_id = t.prior_contract_id
                            and dg.contract_type = 'RENEWAL' and dg.status = 'PENDING')
        -- no conflict target: where an adopted database's duplicates kept init-db from creating
        -- the unique index, the org's advisory lock above still makes this insert the only one
        on conflict do nothing
        returning id
    """,
    ),
    (
        "drafts_created",
        f"""
        insert into app.quote (org_id, id, opportunity_id, deal_group_id, is_primary, status, is_system_draft,
            seed_hash)
        select t.org_id, 'Q-' || t.renewal_contract_id, t.renewal_opportunity_id, t.renewal_contract_id, false,
            'DRAFT', true, seed.seed_hash
        from marts.renewal_targets as t
        join {_SEEDS} as seed
          on seed.org_id = t.org_id and seed.renewal_contract_id = t.renewal_contract_id
        where t.org_id = %(org)s and t.needs_seed
          and exists (select 1 from app.deal_group as dg where dg.org_id = t.org_id and dg.id = t.renewal_contract_id)
          and not exists (select 1 from app.quote as q
                          where q.org_id = t.org_id and q.deal_group_id = t.renewal_contract_id and q.is_system_draft)
        on conflict do nothing
        returning id
    """,
    ),
    (
        "draft_lines_cleared_for_reseed",
        f"""
        delete from app.quote_line as l
        where l.org_id = %(org)s and l.quote_id in ({_DRAFTS_TO_RESEED})
        returning l.id
    """,
    ),
    (
        "drafts_reseeded",
        f"""
        update app.quote as q
        set seed_hash = seed.seed_hash
        from {_SEEDS} as seed
        where q.org_id = %(org)s and seed.org_id = q.org_id and seed.renewal_contract_id = q.deal_group_id
          and {_STILL_THE_SYSTEMS}
          and q.seed_hash is distinct from seed.seed_hash
        returning q.id
    """,
    ),
    (
        "draft_lines_written",
        f"""
        insert into app.quote_line (org_id, quote_id, id, product_sku, quantity, unit_price, start_date, end_date)
        select s.org_id, q.id, q.id || '-' || s.product_sku, s.product_sku, s.quantity, s.unit_price,
            s.start_date, s.end_date
        from marts.renewal_seed_lines as s
        join app.quote as q
          on q.org_id = s.org_id and q.deal_group_id = s.renewal_contract_id and {_STILL_THE_SYSTEMS}
             and q.seed_hash = s.seed_hash
        where s.org_id = %(org)s
          and not exists (select 1 from app.quote_line as l where l.org_id = q.org_id and l.quote_id = q.id)
        returning id
    """,
    ),
    (
        "drafts_given_their_opportunity",
        """
        update app.quote as q
        set opportunity_id = t.renewal_opportunity_id
        from marts.renewal_targets as t
        where q.org_id = %(org)s and t.org_id = q.org_id and t.renewal_contract_id = q.deal_group_id
          and q.is_system_draft and q.status = 'DRAFT' and t.renewal_opportunity_id is not null
          and q.opportunity_id is distinct from t.renewal_opportunity_id
        returning q.id
    """,
    ),
]


@dataclass
class RenewalPlan:
    org_id: str
    dry_run: bool
    changes: dict[str, int] = field(default_factory=dict)

    @property
    def rows_written(self) -> int:
        return sum(self.changes.values())


class RenewalApplyError(RuntimeError):
    """A statement failed; the message names the org and what was being written."""


def renewal_orgs(url: str | None, requested: list[str] | None) -> list[str]:
    with database.connect(url) as conn:
        known = [r[0] for r in conn.execute("select distinct org_id from marts.renewal_targets order by 1")]
    return [org for org in known if not requested or org in requested]


def apply_renewals(
    orgs: list[str] | None = None, *, dry_run: bool = False, url: str | None = None
) -> list[RenewalPlan]:
    """Scaffold, seed and reseed, org by org (each its own transaction)."""
    plans = []
    for org in renewal_orgs(url, orgs):
        plan = RenewalPlan(org, dry_run)
        with database.connect(url) as conn:
            conn.execute("select pg_advisory_xact_lock(hashtext('contract_platform.renewals:' || %s))", [org])
            for what, statement in STATEMENTS:
                try:
                    plan.changes[what] = len(conn.execute(statement, {"org": org, "scaffold": SCAFFOLD}).fetchall())
                except Exception as error:
                    raise RenewalApplyError(f"org {org}: {what} failed: {error}") from error
            if dry_run:
                conn.rollback()
        plans.append(plan)
    written = sum(p.rows_written for p in plans)
    if not dry_run and written:
        database.refresh_statistics(url, ("app.deal_group", "app.quote", "app.quote_line"), written)
    return plans
