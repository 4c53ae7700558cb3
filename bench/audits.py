"""Audit benchmark (issue 21).

    .venv/bin/python bench/audits.py [--opportunities 1000000] [--orgs 50] [--rounds 2]

On the backfill benchmark's data (bench/backfill.py's generator: ~1 M opportunities, 50
orgs of realistic histories, each with its hostile rows), in a fresh database
`bench_audits` on the embedded PostgreSQL (or the server of DATABASE_URL):

1. the hierarchy backfill, computed, verified and applied (the `hierarchy_backfill` job, as
   the CLI runs it): its wall clock, and its compute, the dbt step (`hierarchy_models`);
2. the `audits` job ``--rounds`` times, as the schedule runs it: every audit model and its
   dbt tests (`audit_models`), the history append (`platform__audit_history`) and the
   checks. The first round appends to an empty history, the later ones to a history that
   already holds every finding (the steady state of a daily schedule).

It prints each audits run's wall clock against the limit (≤ 30 s) and its ratio to the
backfill's compute measured in this same run (goal ≤ 0.5×), the slowest audit models
(dbt's own per-node timings) and the peak RSS of this process and of dbt. Then the last
run's data-quality page (issue 22): its size (goal < 5 MB), the time to render it from the
database, and its first paint in headless Chromium (goal < 2 s; Debian's chromium).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.backfill import bench_dataset, dbt_model_seconds, run_job  # noqa: E402
from bench.jobs import execute, materialization_metadata, step_seconds  # noqa: E402
from dagster_project.audits.report_page import write_report  # noqa: E402
from dagster_project.demo.load import load_dataset  # noqa: E402
from dagster_project.lib import database  # noqa: E402
from dagster_project.lib.dbt_project import prepare_parse_state  # noqa: E402
from dagster_project.lib.jobs import AUDITS_JOB  # noqa: E402

WALL_LIMIT_SECONDS = 30.0
RATIO_GOAL = 0.5
PAGE_SIZE_GOAL_MB = 5.0
FIRST_PAINT_GOAL_SECONDS = 2.0
CHROMIUM = "/usr/bin/chromium"


def run_audits(url: str) -> tuple[float, dict[str, float], dict, str]:
    """One run of the audits job: (wall seconds, step seconds, the history's metadata, run id)."""
    result, elapsed = execute(AUDITS_JOB, url, {}, partitioned=False)
    history = materialization_metadata(result, ["platform", "audit_history"])
    return elapsed, step_seconds(result), history, result.run_id


def first_paint_seconds(page_path: Path) -> tuple[float, float]:
    """(first contentful paint, load event) of the page in headless Chromium, from navigation start."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(page_path.as_uri(), wait_until="load")
        paint = page.evaluate(
            "performance.getEntriesByType('paint').find(e => e.name === 'first-contentful-paint')?.startTime ?? null"
        )
        load = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
        browser.close()
    return (paint or float("nan")) / 1000, load / 1000


def report_figures(url: str, run_id: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        started = time.perf_counter()
        path = write_report(url, run_id, Path(directory))
        render = time.perf_counter() - started
        size = path.stat().st_size / 1e6
        paint, load = first_paint_seconds(path)
    print(
        f"data-quality page: {size:.2f} MB "
        f"(goal < {PAGE_SIZE_GOAL_MB:.0f} MB {'✓' if size < PAGE_SIZE_GOAL_MB else '✗'}), "
        f"rendered from the database in {render:.2f} s; headless Chromium: first contentful paint {paint:.2f} s "
        f"(goal < {FIRST_PAINT_GOAL_SECONDS:.0f} s {'✓' if paint < FIRST_PAINT_GOAL_SECONDS else '✗'}), "
        f"load event {load:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--opportunities", type=int, default=1_000_000)
    parser.add_argument("--orgs", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2, help="runs of the audits job")
    args = parser.parse_args()

    url = database.create_database(database.database_url(), "bench_audits")
    database.init_db(url)
    data = bench_dataset(args.opportunities, args.orgs)
    load_dataset(data, url)
    print(f"sources: {len(data.opportunities):,} opportunities, {args.orgs} orgs")
    prepare_parse_state(url)  # as after a deployment's first run (D44)

    backfill, written, backfill_steps, _ = run_job(url, apply=True)
    compute = backfill_steps["hierarchy_models"]
    print(f"backfill (compute + verify + apply): {backfill:.1f} s, {written:,} rows written; compute {compute:.1f} s")

    for round_number in range(1, args.rounds + 1):
        wall, steps, history, run_id = run_audits(url)
        sql_seconds, slowest = dbt_model_seconds(run_id)
        verdict = "✓" if wall <= WALL_LIMIT_SECONDS else "✗"
        goal = "✓" if wall <= RATIO_GOAL * compute else "✗"
        print(
            f"audits run {round_number}: {wall:.1f} s wall (≤ {WALL_LIMIT_SECONDS:.0f} s {verdict}); "
            f"{wall / compute:.2f}× the backfill's compute (goal ≤ {RATIO_GOAL}× {goal}); "
            f"{history['findings']:,} findings in {history['orgs']} orgs, {history['new']:,} new, "
            f"{history['resolved']:,} resolved"
        )
        print("  steps: " + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in steps.items()))
        print(
            f"  audit SQL (dbt per-node timings, tests excluded): {sql_seconds:.1f} s; slowest: "
            + ", ".join(f"{name} {t:.1f} s" for name, t in slowest)
        )
    report_figures(url, run_id)
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS: this process {peak_self:.0f} MiB, children (dbt) {peak_children:.0f} MiB")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"benchmark wall: {time.perf_counter() - started:.0f} s")
