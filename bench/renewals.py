"""Renewal benchmark (issue: the renewal pipeline).

    .venv/bin/python bench/renewals.py [--opportunities 1000000] [--orgs 50]

At the backfill benchmark's scale (~1 M opportunities, 50 renewal-enabled
orgs) in a fresh database `bench_renewals`, every Won opportunity gets a
primary signed quote of 1–20 lines (amendments' lines are quantity deltas,
some negative). Measures:

- the hierarchy job (compute + verify + apply), as the renewal pipeline's first half;
- the full seed computation from scratch: the renewal models (targets, seed
  replay, problems, walker diff, with their tests) and the scaffolding apply
  (successors + system drafts + lines), with rows/s;
- one event → applied successor: one Won renewal opportunity inserted, one
  sensor tick, the requested run of the renewal pipeline, until its PENDING
  successor exists; then the same run for an org with no rows (its fixed cost);
- peak RSS of this process and of its children (dbt).

``--event-only`` repeats the event on the database of an earlier run;
``--scoped-sweep`` builds every org of it org-scoped in turn (dbt's time per org);
``--new-org ORG`` copies ORG's sources to a new org id and times its first scoped
build (statistics that have never seen the org).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dagster import DagsterInstance, build_sensor_context  # noqa: E402

from bench.backfill import bench_dataset  # noqa: E402
from bench.jobs import execute, step_seconds  # noqa: E402
from dagster_project.demo.load import load_dataset  # noqa: E402
from dagster_project.lib import database  # noqa: E402
from dagster_project.lib.resources import PostgresResource  # noqa: E402

AS_OF = "2025-06-30"


def main() -> None:
    from dagster import AssetKey

    from dagster_project.demo.quotes import load_signed_quotes
    from dagster_project.renewals.defs import renewal_run_config

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--opportunities", type=int, default=1_000_000)
    parser.add_argument("--orgs", type=int, default=50)
    parser.add_argument(
        "--event-only",
        action="store_true",
        help="reuse the bench_renewals database of an earlier run; measure the event only",
    )
    parser.add_argument(
        "--scoped-sweep",
        action="store_true",
        help="reuse the bench_renewals database; an org-scoped dbt build of every org in turn",
    )
    parser.add_argument(
        "--new-org",
        metavar="ORG",
        help="reuse the bench_renewals database; copy ORG's sources to a new org id and time the "
        "first org-scoped build of it (an org no statistics know yet)",
    )
    args = parser.parse_args()

    if args.event_only or args.scoped_sweep or args.new_org:
        url = database.create_database(database.database_url(), "bench_renewals", fresh=False)
        if args.new_org:
            return new_org_build(url, args.new_org)
        return scoped_sweep(url) if args.scoped_sweep else measure_event(url)
    url = database.create_database(database.database_url(), "bench_renewals")
    database.init_db(url)
    data = bench_dataset(args.opportunities, args.orgs)
    load_dataset(data, url)
    quotes, lines = load_signed_quotes(url=url)
    print(
        f"sources: {len(data.opportunities):,} opportunities, {quotes:,} signed quotes, {lines:,} quote lines, "
        f"{args.orgs} orgs"
    )
    del data

    config = renewal_run_config(as_of=AS_OF)
    _, hierarchy = execute(
        "renewal_pipeline",
        url,
        config["ops"],
        [AssetKey(["app", "engagement_hierarchy"])] + _dbt_keys("hierarchy_models"),
    )
    print(f"hierarchy (compute + verify + apply): {hierarchy:.1f} s")

    _, seeds = execute(
        "renewal_pipeline", url, config["ops"], [AssetKey(["app", "renewal_scaffolding"])] + _dbt_keys("renewal_models")
    )
    with database.connect(url) as conn:
        targets, seeded, seed_lines, successors, drafts = conn.execute("""
            select (select count(*) from marts.renewal_targets),
                   (select count(*) from marts.renewal_targets where needs_seed),
                   (select count(*) from marts.renewal_seed_lines),
                   (select count(*) from app.deal_group where created_by = 'renewal_scaffold'),
                   (select count(*) from app.quote where is_system_draft)""").fetchone()
    print(
        f"full seed computation + scaffolding from scratch: {seeds:.1f} s — {targets:,} priors, {seeded:,} "
        f"renewals seeded, {seed_lines:,} seed lines ({seed_lines / seeds:,.0f} lines/s), {successors:,} "
        f"successors scaffolded, {drafts:,} system drafts"
    )

    measure_event(url)


def measure_event(url: str) -> None:
    """One Won renewal (starting the day after its prior ends) → sensor tick → run → PENDING successor."""
    from dagster_project.lib.dbt_project import prepare_parse_state
    from sensors.renewal_sensor import renewal_sensor

    prepare_parse_state(url)  # as after a deployment's first run: dbt's parse state for this database (D44)
    # the run below executes in this process, its code already loaded: GX too, which a run worker
    # imports for the hierarchy check (its ~3.5 s import is outside the clock, as the code's load is)
    import great_expectations  # noqa: F401

    instance = DagsterInstance.ephemeral()
    resources = {"postgres": PostgresResource(database_url=url)}
    cursor = renewal_sensor(build_sensor_context(instance=instance, resources=resources)).cursor
    with database.connect(url) as conn:
        org, prior, head, prior_end = conn.execute(
            """
            select t.org_id, t.prior_contract_id, c.head_opportunity_id, c.end_date from marts.renewal_targets as t
            join marts.contracts as c on c.org_id = t.org_id and c.contract_id = t.prior_contract_id
            where not t.has_pending_successor and not t.must_scaffold_now
              and c.head_close_date <= %s::date and c.start_date <= %s::date
            order by t.prior_end_date desc, t.prior_contract_id limit 1
        """,
            [AS_OF, AS_OF],
        ).fetchone()
    started = time.perf_counter()
    with database.connect(url) as conn:
        conn.execute(
            """
            insert into salesforce.opportunity (org_id, id, account_id, name, type, stage_name, is_closed, is_won,
                close_date, is_deleted, last_opportunity_c, contract_start_date_c, contract_end_date_c,
                system_modstamp)
            select org_id, 'bench-renewal-' || md5(now()::text), account_id, 'renewal', 'Renewal', 'Closed Won',
                   true, true, %s::date, false, id, %s::date + 1, %s::date + 365, now()
            from salesforce.opportunity where org_id = %s and id = %s limit 1""",
            [AS_OF, prior_end, prior_end, org, head],
        )
    result = renewal_sensor(build_sensor_context(instance=instance, cursor=cursor, resources=resources))
    tick = time.perf_counter() - started
    (request,) = result.run_requests
    request_config = request.run_config  # a run of the event's org partition (D37)
    for op in ("hierarchy_models", "renewal_models"):
        request_config["ops"][op]["config"]["as_of"] = AS_OF
    result, pipeline = execute("renewal_pipeline", url, request_config["ops"], org=request.partition_key)
    with database.connect(url) as conn:
        (exists,) = conn.execute(
            "select count(*) from app.deal_group where org_id = %s and prior_deal_group_id = %s and status = 'PENDING'",
            [org, prior],
        ).fetchone()
    total = time.perf_counter() - started
    print(
        f"one event → applied successor: sensor tick {tick:.2f} s + run {pipeline:.1f} s = {total:.1f} s "
        f"(+ up to one 30 s sensor interval); successor present: {bool(exists)}; run scoped to "
        f"org {request.partition_key}"
    )
    print("  steps: " + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in step_seconds(result).items()))
    fixed_result, fixed = fixed_cost(url, request_config["ops"])
    print(
        f"the same run for an org with no rows ({NO_ROWS_ORG}): {fixed:.1f} s, the fixed cost of any org's run; "
        f"the event's own work {pipeline - fixed:.1f} s"
    )
    print("  steps: " + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in step_seconds(fixed_result).items()))
    print(
        f"peak RSS: this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB, "
        f"children (dbt) {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MiB"
    )


NO_ROWS_ORG = "bench_no_rows"


def fixed_cost(url: str, ops: dict):
    """Seconds of the event's run (the renewal pipeline for one org partition) for an org that
    has nothing but its organization row (renewals enabled): what every org's run costs before
    any of its rows, twice over (the hierarchy's dbt step and the renewals'); (result, seconds)."""
    with database.connect(url) as conn:
        conn.execute(
            "insert into app.organization (org_id, name, engagement_model_enabled, renewal_chain_enabled, "
            "deal_group_writeback_enabled) values (%s, 'no rows', true, true, false) on conflict do nothing",
            [NO_ROWS_ORG],
        )
    return execute("renewal_pipeline", url, ops, org=NO_ROWS_ORG)


def new_org_build(url: str, template_org: str) -> None:
    """The first org-scoped build of an org that arrived after the last full build."""
    import uuid

    new_org = f"{template_org}_copy_{uuid.uuid4().hex[:6]}"
    with database.connect(url) as conn:
        tables = conn.execute("""
            select c.table_schema, c.table_name from information_schema.columns as c
            join information_schema.tables as t using (table_schema, table_name)
            where c.column_name = 'org_id' and c.table_schema in ('salesforce', 'app') and t.table_type = 'BASE TABLE'
            order by 1, 2""").fetchall()
        for schema, table in tables:
            columns = [
                name
                for (name,) in conn.execute(
                    "select column_name from information_schema.columns where table_schema = %s and table_name = %s "
                    "and column_name <> 'org_id' and column_default is null order by ordinal_position",
                    [schema, table],
                )
            ]
            conn.execute(
                f"insert into {schema}.{table} (org_id, {', '.join(columns)}) "
                f"select %s, {', '.join(columns)} from {schema}.{table} where org_id = %s",
                [new_org, template_org],
            )
    print(f"{new_org}: a copy of {template_org}'s sources")
    scoped_sweep(url, [new_org])


def scoped_sweep(url: str, orgs: list[str] | None = None) -> None:
    """The hierarchy and renewal models built org-scoped (D37) for each org in turn, with the
    dbt CLI as the sensor's run invokes it: dbt's elapsed time and the slowest model per org."""
    import json
    import statistics
    import subprocess

    from dagster_project import settings
    from dagster_project.lib.dbt_project import parse_manifest

    parse_manifest(url)  # this sweep runs dbt itself, in target/: parsed for this database there
    if orgs is None:
        with database.connect(url) as conn:
            orgs = [org for (org,) in conn.execute("select distinct org_id from marts.contracts order by 1")]
    elapsed = []
    for org in orgs:
        environment = {
            **os.environ,
            **database.dbt_environment(url),
            "PLATFORM_DBT_ORGS": json.dumps([org]),
            "PLATFORM_DBT_AS_OF": json.dumps(AS_OF),
        }
        done = subprocess.run(
            [
                settings.dbt_executable(),
                "build",
                "--exclude",
                "tag:staleness",
                "--threads",
                "4",
                "--profiles-dir",
                str(settings.DBT_PROJECT_DIR),
            ],
            cwd=settings.DBT_PROJECT_DIR,
            env=environment,
            capture_output=True,
            text=True,
        )
        results = json.loads((settings.DBT_PROJECT_DIR / "target" / "run_results.json").read_text())
        slowest = max(results["results"], key=lambda r: r["execution_time"])
        statistics_check = sum(r["execution_time"] for r in results["results"] if "on-run-start" in r["unique_id"])
        elapsed.append(results["elapsed_time"])
        print(
            f"{org}: {'ok' if done.returncode == 0 else 'FAILED'} {results['elapsed_time']:.1f} s, slowest "
            f"{slowest['unique_id'].split('.')[-1]} {slowest['execution_time']:.2f} s, run-start hooks "
            f"(source statistics check) {statistics_check:.2f} s",
            flush=True,
        )
    print(f"{len(orgs)} orgs: median {statistics.median(elapsed):.1f} s, max {max(elapsed):.1f} s")


def _dbt_keys(name: str):
    from dagster_project.definitions import defs

    (assets,) = [a for a in defs.assets if getattr(a, "op", None) is not None and a.op.name == name]
    return list(assets.keys)


if __name__ == "__main__":
    main()
