"""Which change events are ready, and which inspections they oblige us to check.

Shared by the staleness sensor (to decide whether a batch needs a run at all)
and by the apply step (to re-derive a run's scope from its event range, so run
config stays two numbers however large the batch). Both read dbt views:
``staging.stg_app__change_events`` classifies each event (the one definition of
SPEC §6 "Triggers") and ``intermediate.int_staleness__checked_agreements``
gives each agreement its live policy."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

# Change classes each policy counts; an agreement whose policy is unknown is checked on any change.
COUNTED_CLASSES = {
    "FULL": ("property", "people", "datetime", "charge", "template"),
    "SELECTIVE": ("property", "people", "datetime", "template"),
    "TEMPLATE_VERSION_ONLY": ("template",),
}
ALWAYS_CHECKED = ("scope", "policy", "unknown")  # who is checked, its policy, or an unreadable event
EVENTS_VIEW = "staging.stg_app__change_events"
AGREEMENTS_VIEW = "intermediate.int_staleness__checked_agreements"
DEFAULT_MAX_EVENTS_PER_RUN = 500_000


@dataclass(frozen=True)
class ReadyBatch:
    """Events ``first_event_id..last_event_id`` have settled; ``settling`` more are held back."""

    first_event_id: int
    last_event_id: int
    events: int
    settling_events: int


def ready_batch(
    conn: psycopg.Connection, after_event_id: int, debounce_seconds: float, max_events: int = DEFAULT_MAX_EVENTS_PER_RUN
) -> ReadyBatch | None:
    """The longest run of events after the cursor that belong only to settled
    keys (an inspection — or a template, for template events — with no event in
    the last ``debounce_seconds``). A burst for one inspection is held back
    whole until it settles, then taken in one batch. None when nothing is ready."""
    row = conn.execute(
        f"""
        with pending as (
            select event_id, occurred_at,
                   case when source = 'template' then 't:' || coalesce(template_id, '')
                        else 'i:' || coalesce(inspection_id, '') end as debounce_key
            from {EVENTS_VIEW}
            where event_id > %(after)s
            order by event_id
            limit %(max_events)s
        ),
        settling_keys as (
            select debounce_key from pending
            group by debounce_key
            having max(occurred_at) > now() - make_interval(secs => %(debounce)s)
        ),
        boundary as (
            select min(p.event_id) as first_settling, count(*) as settling_events
            from pending as p join settling_keys using (debounce_key)
        )
        select min(p.event_id), max(p.event_id), count(*), (select settling_events from boundary)
        from pending as p
        where p.event_id < coalesce((select first_settling from boundary), 9223372036854775807)
        """,
        {"after": after_event_id, "max_events": max_events, "debounce": debounce_seconds},
    ).fetchone()
    first, last, events, settling = row
    if not events:
        return None
    return ReadyBatch(first, last, events, settling or 0)


def _counted_sql() -> str:
    """SQL: does an event's class list count for an agreement's policy?"""
    per_policy = " or ".join(
        f"(a.policy = '{policy}' and b.change_classes && array{list(classes)}::text[])"
        for policy, classes in COUNTED_CLASSES.items()
    )
    return f"(b.change_classes && array{list(ALWAYS_CHECKED)}::text[] or a.policy is null or {per_policy})"


def scope_sql() -> str:
    """SQL (params first_event_id, last_event_id): inspection_id, needs_check —
    per inspection some event of the range touches. Template events
    fan out to every checked agreement of the template."""
    return f"""
        with batch as (
            select event_id, source, inspection_id, template_id, change_classes
            from {EVENTS_VIEW}
            where event_id between %(first_event_id)s and %(last_event_id)s
        ),
        touched as (
            select a.inspection_id, {_counted_sql()} as counts
            from batch as b
            join {AGREEMENTS_VIEW} as a on a.inspection_id = b.inspection_id and a.is_checked
            where b.source in ('inspection', 'charge') or b.source is null
            union all
            select a.inspection_id, {_counted_sql()}
            from batch as b
            join {AGREEMENTS_VIEW} as a on a.template_id = b.template_id and a.is_checked
            where b.source = 'template'
        )
        select inspection_id, bool_or(counts) as needs_check
        from touched
        group by inspection_id
    """


@dataclass(frozen=True)
class BatchScope:
    inspections_to_check: list[str]
    skipped_inspections: int  # touched, but no change their policy counts (e.g. charge-only under SELECTIVE)


def batch_scope(conn: psycopg.Connection, first_event_id: int, last_event_id: int) -> BatchScope:
    rows = conn.execute(scope_sql(), {"first_event_id": first_event_id, "last_event_id": last_event_id}).fetchall()
    return BatchScope(sorted(r[0] for r in rows if r[1]), sum(1 for r in rows if not r[1]))
