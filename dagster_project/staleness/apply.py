"""Write ``is_stale`` / ``stale_at`` from ``marts.agreement_staleness`` to ``app.agreement``.

Only differences, in one transaction, under a transaction-scoped advisory lock
(two runs never interleave their writes). ``stale_at`` is when the agreement was
first found stale: kept while it stays stale, cleared when it is no longer
stale. Where staleness is undetermined (``is_stale`` NULL) the flag is left as
it is and only ``stale_at`` is made consistent with it. With an
event range, only the inspections that range obliges us to check are written
(the rest may be inside a debounce window); without one, every checked agreement."""

from __future__ import annotations

from dataclasses import dataclass, field

from dagster_project.lib import database
from dagster_project.staleness.batches import scope_sql

ADVISORY_LOCK = "hashtext('contract_platform.agreement_staleness')"

_APPLY = """
    with decided as (
        select a.agreement_id, a.is_stale as was_stale, a.stale_at as was_stale_at,
               coalesce(s.is_stale, a.is_stale) as is_stale,
               case when coalesce(s.is_stale, a.is_stale) then
                    case when a.is_stale then coalesce(a.stale_at, s.checked_at) else s.checked_at end
               end as stale_at
        from app.agreement as a
        join marts.agreement_staleness as s on s.agreement_id = a.agreement_id
        where a.status = 'ACTIVE' {scope}
    )
    update app.agreement as a
    set is_stale = d.is_stale, stale_at = d.stale_at
    from decided as d
    where d.agreement_id = a.agreement_id
      and (d.was_stale is distinct from d.is_stale or d.was_stale_at is distinct from d.stale_at)
    returning a.agreement_id, d.was_stale, d.is_stale
"""


@dataclass
class StalenessApply:
    """What an apply wrote (or, in a dry run, would write)."""

    dry_run: bool
    scope: str
    inspections_in_scope: int | None
    became_stale: list[str] = field(default_factory=list)
    no_longer_stale: list[str] = field(default_factory=list)
    stale_at_repaired: list[str] = field(default_factory=list)  # flag unchanged, stale_at made consistent with it

    @property
    def rows_written(self) -> int:
        return len(self.became_stale) + len(self.no_longer_stale) + len(self.stale_at_repaired)


def apply_staleness(url: str | None = None, *, first_event_id: int | None = None,
                    last_event_id: int | None = None, dry_run: bool = False) -> StalenessApply:
    if (first_event_id is None) != (last_event_id is None):
        raise ValueError("give both first_event_id and last_event_id, or neither (= every checked agreement)")
    with database.connect(url) as conn:
        conn.execute(f"select pg_advisory_xact_lock({ADVISORY_LOCK})")
        if first_event_id is None:
            scope, inspections = "", None
            label = "every checked agreement"
        else:
            conn.execute(f"create temp table staleness_scope on commit drop as "
                         f"select inspection_id from ({scope_sql()}) as s where needs_check",
                         {"first_event_id": first_event_id, "last_event_id": last_event_id})
            conn.execute("create index on staleness_scope (inspection_id)")
            conn.execute("analyze staleness_scope")
            inspections = conn.execute("select count(*) from staleness_scope").fetchone()[0]
            scope = "and s.inspection_id in (select inspection_id from staleness_scope)"
            label = f"events {first_event_id}..{last_event_id}"
        result = StalenessApply(dry_run, label, inspections)
        for agreement_id, was_stale, is_stale in conn.execute(_APPLY.format(scope=scope)).fetchall():
            if is_stale and not was_stale:
                result.became_stale.append(agreement_id)
            elif was_stale and not is_stale:
                result.no_longer_stale.append(agreement_id)
            else:
                result.stale_at_repaired.append(agreement_id)
        if dry_run:
            conn.rollback()
    return result
