"""Differential soak run: the dbt marts against the Python reference on many generated orgs.

    .venv/bin/python bench/differential_soak.py [--orgs 3000] [--history-orgs 0] [--seed-offset 40000]
                                                [--as-of 2024-06-30]

The test suite compares the two on 240 generated org histories (seeds 1000–1239).
This run does the same on as many more as asked, with other seeds and another
`as_of`: it loads ``--orgs`` chaos orgs (``chaos_org``: small, dense, random)
and ``--history-orgs`` realistic ones (``history_org`` with hostile rows, 200
accounts each: long renewal chains, churn and win-back), seeds from
``--seed-offset``, into a fresh database `differential_soak` on the embedded
PostgreSQL (or the server of DATABASE_URL), runs the hierarchy_backfill job (a
dry run: compute and verify, no apply), and compares every mart with the
reference row for row. Prints one line per mart and exits 1 on any difference,
with examples of the rows that differ. Not a test: it takes about a minute per
3,000 chaos orgs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

import psycopg
from psycopg.rows import dict_row

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.jobs import execute  # noqa: E402
from dagster_project.backfill.differential import MARTS, mart_differences, reference_backfill  # noqa: E402
from dagster_project.demo.generate import Dataset, chaos_org, history_org  # noqa: E402
from dagster_project.demo.load import load_dataset  # noqa: E402
from dagster_project.lib import database  # noqa: E402

HISTORY_ACCOUNTS = 200


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=3000)
    parser.add_argument("--history-orgs", type=int, default=0)
    parser.add_argument("--seed-offset", type=int, default=40000, help="first chaos_org seed (the tests use 1000–1239)")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2024, 6, 30))
    args = parser.parse_args()

    data = Dataset()
    for i in range(args.orgs):
        data.extend(chaos_org(f"soak_{args.seed_offset + i:06d}", seed=args.seed_offset + i))
    for i in range(args.history_orgs):
        data.extend(
            history_org(
                f"soak_history_{args.seed_offset + i:06d}", random.Random(args.seed_offset + i), HISTORY_ACCOUNTS
            )
        )
    url = database.create_database(database.database_url(), "differential_soak")
    database.init_db(url)
    load_dataset(data, url)

    started = time.perf_counter()
    execute(
        "hierarchy_backfill",
        url,
        {
            "hierarchy_models": {"config": {"as_of": args.as_of.isoformat()}},
            "app__engagement_hierarchy": {"config": {"apply": False}},
        },
    )
    computed = time.perf_counter() - started
    reference = reference_backfill(data, args.as_of)

    print(
        f"{args.orgs:,} chaos and {args.history_orgs:,} history orgs (seeds from {args.seed_offset}), "
        f"{len(data.opportunities):,} opportunities, as of {args.as_of}; job {computed:.1f} s"
    )
    differing = 0
    with psycopg.connect(url, row_factory=dict_row) as conn:
        for mart in MARTS:
            expected = getattr(reference, mart)
            columns = list(expected[0]) if expected else ["org_id"]
            actual = conn.execute(f"select {', '.join(columns)} from marts.{mart}").fetchall()
            missing, extra = mart_differences(expected, actual, columns)
            verdict = "agrees" if not missing and not extra else "DIFFERS"
            print(f"  marts.{mart}: {len(expected):,} rows, {verdict}")
            for row in missing[:5]:
                print(f"    only in the reference: {row}")
            for row in extra[:5]:
                print(f"    only in dbt: {row}")
            differing += bool(missing or extra)
    return 1 if differing else 0


if __name__ == "__main__":
    raise SystemExit(main())
