"""Staleness benchmark (issue: agreement staleness).

    .venv/bin/python bench/staleness.py [--inspections 100000] [--agreements 150000]
                                        [--events 1000000] [--new-events 100000] [--sample 2000]

Loads 100 k inspections, 150 k agreements and 1 M historical change events into
a fresh database `bench_staleness` (embedded PostgreSQL, or the server of
DATABASE_URL), then measures:

- a full recompute: the agreement_staleness job (dbt build of the staleness
  models with every test, then the apply over every checked agreement);
- draining 100 k new events: the application edits 20 k inspections and emits
  100 k events (60 % charge, 20 % reschedule, 10 % people, 10 % unrelated),
  then one sensor tick (classification, debounce, policy-aware scope) and the
  run it requests (recompute + verify + apply of the scope), wall clock;
- the per-event baseline, as the original worker did after its debounce: per
  event, read the inspection, its charges and its agreements with their
  templates, recompute each agreement's hash, write the flag — timed on a
  sample and scaled linearly to the 100 k events;
- peak RSS of this process and of its children (dbt).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dagster import DagsterInstance, build_sensor_context  # noqa: E402

from bench.jobs import execute, materialization_metadata  # noqa: E402
from dagster_project.demo.agreements import generate_agreements, load_agreements  # noqa: E402
from dagster_project.lib import database  # noqa: E402
from dagster_project.lib.agreement_content import Charge, InspectionFacts, content_hash  # noqa: E402
from dagster_project.lib.resources import PostgresResource  # noqa: E402
from sensors.staleness_sensor import StalenessSettings, staleness_sensor, write_cursor  # noqa: E402


def run_job(url: str, ops_config: dict, asset_selection=None) -> tuple[float, dict]:
    result, elapsed = execute(
        "agreement_staleness", url, {"app__agreement_staleness": {"config": ops_config}}, asset_selection
    )
    return elapsed, materialization_metadata(result, ["app", "agreement_staleness"])


def historical_events(url: str, count: int, inspections: int) -> None:
    with database.connect(url) as conn:
        conn.execute(
            """
            insert into app.change_event (occurred_at, source, op, entity_id, inspection_id, changed_fields)
            select now() - interval '30 days', case when g %% 5 < 3 then 'charge' else 'inspection' end, 'update',
                   'gen-i' || (g * 7919 %% %(n)s), 'gen-i' || (g * 7919 %% %(n)s),
                   case g %% 5 when 0 then '{amount}' when 1 then '{amount}' when 2 then '{service_name}'
                                when 3 then '{scheduled_at}' else '{notes}' end::text[]
            from generate_series(1::bigint, %(count)s) as g
        """,
            {"n": inspections, "count": count},
        )


def new_events(url: str, count: int, inspections: int, seed: int = 3) -> None:
    """The application edits 20 k inspections and emits ``count`` events, all settled."""
    rng = random.Random(seed)
    edited = rng.sample(range(inspections), min(20_000, inspections))
    with database.connect(url) as conn:
        conn.execute(
            "update app.inspection set scheduled_at = scheduled_at + interval '1 day' where inspection_id = any(%s)",
            [[f"gen-i{i}" for i in edited[: len(edited) // 2]]],
        )
        conn.execute(
            "update app.charge set amount = amount + 25 where inspection_id = any(%s)",
            [[f"gen-i{i}" for i in edited[len(edited) // 2 :]]],
        )
        conn.execute(
            """
            insert into app.change_event (occurred_at, source, op, entity_id, inspection_id, changed_fields)
            select now() - interval '5 minutes', case when g %% 10 < 6 then 'charge' else 'inspection' end,
                   'update', 'gen-i' || ids[1 + g %% cardinality(ids)], 'gen-i' || ids[1 + g %% cardinality(ids)],
                   case when g %% 10 < 6 then '{amount}' when g %% 10 < 8 then '{scheduled_at}'
                        when g %% 10 < 9 then '{people.client.email}' else '{notes}' end::text[]
            from generate_series(1, %(count)s) as g, (select %(ids)s::int[] as ids) as edited
        """,
            {"count": count, "ids": edited},
        )


def per_event_seconds(url: str, sample: int) -> float:
    """The original worker: one event → read inspection, charges, agreements+templates → hash → write."""
    with database.connect(url, autocommit=True) as conn:
        events = conn.execute(
            "select inspection_id from app.change_event order by event_id desc limit %s", [sample]
        ).fetchall()
        started = time.perf_counter()
        for (inspection_id,) in events:
            inspection = conn.execute(
                "select property_address, property_city, property_postal_code, people, scheduled_at "
                "from app.inspection where inspection_id = %s",
                [inspection_id],
            ).fetchone()
            charges = tuple(
                Charge(*c)
                for c in conn.execute(
                    "select charge_id, service_name, amount, is_deleted from app.charge where inspection_id = %s",
                    [inspection_id],
                ).fetchall()
            )
            facts = InspectionFacts(*inspection, charges=charges)
            for agreement_id, signed_hash, body in conn.execute(
                "select a.agreement_id, a.signed_content_hash, t.body from app.agreement as a "
                "join app.agreement_template as t using (template_id) "
                "where a.inspection_id = %s and a.status = 'ACTIVE'",
                [inspection_id],
            ).fetchall():
                stale = content_hash(body, facts) != signed_hash
                conn.execute(
                    "update app.agreement set is_stale = %s where agreement_id = %s and is_stale is distinct from %s",
                    [stale, agreement_id, stale],
                )
        return (time.perf_counter() - started) / len(events)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inspections", type=int, default=100_000)
    parser.add_argument("--agreements", type=int, default=150_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--new-events", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=2000, help="per-event baseline sample size")
    args = parser.parse_args()

    server = os.environ.get("DATABASE_URL") or database.database_url()
    url = database.create_database(server, "bench_staleness")
    database.init_db(url)
    started = time.perf_counter()
    data = generate_agreements(args.inspections, args.agreements, seed=11, prefix="gen")
    with database.connect(url) as conn:
        load_agreements(data, conn, "gen")
    historical_events(url, args.events, args.inspections)
    with database.connect(url, autocommit=True) as conn:
        conn.execute("vacuum analyze")
    print(
        f"loaded {args.inspections:,} inspections, {len(data.agreements):,} agreements, "
        f"{len(data.charges):,} charges, {args.events:,} events in {time.perf_counter() - started:.0f} s"
    )
    del data

    full, meta = run_job(url, {})
    print(
        f"full recompute (dbt build + tests + apply, every checked agreement): {full:.1f} s, "
        f"{args.agreements / full:,.0f} agreements/s; rows written {meta['rows_written']}"
    )
    cursor = write_cursor(args.events)

    new_events(url, args.new_events, args.inspections)
    started = time.perf_counter()
    context = build_sensor_context(
        instance=DagsterInstance.ephemeral(),
        cursor=cursor,
        resources={"postgres": PostgresResource(database_url=url), "staleness_settings": StalenessSettings()},
    )
    result = staleness_sensor(context)
    tick = time.perf_counter() - started
    (request,) = result.run_requests
    run, meta = run_job(url, request.run_config["ops"]["app__agreement_staleness"]["config"], request.asset_selection)
    drain = tick + run
    print(
        f"drain {args.new_events:,} new events: sensor tick {tick:.2f} s "
        f"({request.tags['staleness/inspections']} inspections to check) + run {run:.1f} s = {drain:.1f} s, "
        f"{args.new_events / drain:,.0f} events/s; became stale {meta['became_stale']}, "
        f"no longer stale {meta['no_longer_stale']}"
    )

    per_event = per_event_seconds(url, args.sample)
    baseline = per_event * args.new_events
    print(
        f"per-event baseline: {per_event * 1000:.2f} ms/event on a {args.sample}-event sample, scaled to "
        f"{args.new_events:,} = {baseline:.0f} s → speed-up {baseline / drain:.1f}×"
    )
    print(
        f"peak RSS: this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB, "
        f"children (dbt) {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MiB"
    )


if __name__ == "__main__":
    main()
