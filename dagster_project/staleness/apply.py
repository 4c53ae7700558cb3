"""Write ``is_stale`` / ``stale_at`` from ``marts.agreement_staleness`` to ``app.agreement``.

Only differences, in one transaction, under a transaction-scoped advisory lock
(two runs never interleave their writes). ``stale_at`` is when the agreement was
first found stale: kept while it stays stale, cleared when it is no longer
stale. Where staleness is undetermined (``is_stale`` NULL) the flag is left as
it is and only ``stale_at`` is made consistent with it. With an
event range, only the inspections that range obliges us to check are written
(the rest may be inside a debounce window), computed for just them from the
live view ``intermediate.int_staleness__decisions`` — the same SQL the mart
materializes; without one, every checked agreement from ``marts.agreement_staleness``
(which the job's dbt build has just rebuilt and tested). Either way the writes
are checked before commit: a checked agreement whose ``stale_at`` disagrees
with ``is_stale`` rolls the whole transaction back."""

from __future__ import annotations

from dataclasses import dataclass, field

from dagster_project.lib import database
from dagster_project.lib.change_batches import scope_sql

ADVISORY_LOCK = "hashtext('contract_platform.agreement_staleness')"
LIVE_DECISIONS = "intermediate.int_staleness__decisions"
COMPUTED_DECISIONS = "marts.agreement_staleness"

# rows left alone already equal their decision, which is consistent by construction
_INCONSISTENT = """
    select agreement_id from app.agreement
    where agreement_id = any(%(written)s::text[]) and (stale_at is not null) <> is_stale
    limit 5
"""


class StalenessApplyError(RuntimeError):
    """A check inside the apply failed; nothing was written."""


_APPLY = """
    with decided as (
        select a.agreement_id, a.is_stale as was_stale, a.stale_at as was_stale_at,
               coalesce(s.is_stale, a.is_stale) as is_stale,
               case when coalesce(s.is_stale, a.is_stale) then
                    case when a.is_stale then coalesce(a.stale_at, s.checked_at) else s.checked_at end
               end as stale_at
        from app.agreement as a
        join {decisions} as s on s.agreement_id = a.agreement_id
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


def apply_staleness(
    url: str | None = None,
    *,
    first_event_id: int | None = None,
    last_event_id: int | None = None,
    dry_run: bool = False,
) -> StalenessApply:
    if (first_event_id is None) != (last_event_id is None):
        raise ValueError("give both first_event_id and last_event_id, or neither (= every checked agreement)")
    with database.connect(url) as conn:
        conn.execute(f"select pg_advisory_xact_lock({ADVISORY_LOCK})")
        params: dict = {}
        if first_event_id is None:
            scope, inspections, decisions = "", None, COMPUTED_DECISIONS
            label = "every checked agreement"
        else:
            # an array, not a join: the planner then reaches the agreements through their
            # inspection_id index instead of computing every agreement's facts first
            inspection_ids = [
                row[0]
                for row in conn.execute(
                    f"select inspection_id from ({scope_sql()}) as s where needs_check",
                    {"first_event_id": first_event_id, "last_event_id": last_event_id},
                )
            ]
            inspections = len(inspection_ids)
            scope = "and s.inspection_id = any(%(scope)s::text[])"
            params["scope"] = inspection_ids
            label = f"events {first_event_id}..{last_event_id}"
            decisions = LIVE_DECISIONS
        result = StalenessApply(dry_run, label, inspections)
        for agreement_id, was_stale, is_stale in conn.execute(
            _APPLY.format(scope=scope, decisions=decisions), params
        ).fetchall():
            if is_stale and not was_stale:
                result.became_stale.append(agreement_id)
            elif was_stale and not is_stale:
                result.no_longer_stale.append(agreement_id)
            else:
                result.stale_at_repaired.append(agreement_id)
        written = result.became_stale + result.no_longer_stale + result.stale_at_repaired
        inconsistent = [r[0] for r in conn.execute(_INCONSISTENT, {"written": written})]
        if inconsistent:
            conn.rollback()
            raise StalenessApplyError(
                f"app.agreement: stale_at disagrees with is_stale after the apply for {inconsistent}; "
                "rolled back, nothing written"
            )
        if dry_run:
            conn.rollback()
    return result
