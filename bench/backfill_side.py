"""One side of `bench/backfill.py --compare-to`: the hierarchy backfill of one source tree,
measured on one database that already holds the benchmark's sources.

    .venv/bin/python bench/backfill_side.py --tree TREE --url URL --big ORG --tiny ORG --out FILE

Runs with the code of ``TREE`` (its ``dagster_project``, ``checks`` and ``bench/jobs.py``,
ahead of the editable install), so the same script measures the pre-redesign commit (in a
git worktree) and the working tree. Both run configurations are known here: before the
redesign a run over some orgs was run config (``orgs: [...]`` on the dbt step, the GX check
and the apply; ``orgs: []`` = every org); after it, a run over one org is that org's
partition (``execute(..., org=...)``). Writes one JSON object to ``FILE``:

- full: every org computed, verified and applied (wall seconds, rows written, step seconds);
- rerun: the same again with no change (must write 0 rows);
- big: one run for the org ``--big`` only;
- tiny: one run for the org ``--tiny`` (a handful of rows): the fixed overhead of a run;
- for each run, dbt's own timings (the log and run_results.json of that run's dbt step), so
  the dbt step splits into starting dbt (the process, dagster-dbt's work around it), dbt's
  parse and dbt's build;
- peak RSS of this process and of its children (dbt).
"""

from __future__ import annotations

import argparse
import datetime as dt
import inspect
import json
import os
import resource
import sys
import time
from pathlib import Path

from psycopg.conninfo import conninfo_to_dict

AS_OF = "2025-06-30"
JOB = "hierarchy_backfill"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", required=True, type=Path)
    parser.add_argument("--url", required=True)
    parser.add_argument("--big", required=True, help="the org of the one-org run")
    parser.add_argument("--tiny", required=True, help="the org of the fixed-overhead run")
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args()

    tree = args.tree.resolve()
    sys.path[0] = str(tree)  # not this script's folder: the tree's packages, ahead of the editable install
    os.chdir(tree)
    import dagster_project

    if not Path(dagster_project.__file__).resolve().is_relative_to(tree):
        raise SystemExit(f"dagster_project comes from {dagster_project.__file__}, not from {tree}")
    print(f"  dagster_project: {dagster_project.__file__}", flush=True)

    from dagster_project import settings
    from dagster_project.lib.dbt_project import parse_manifest

    os.environ["DATABASE_URL"] = args.url
    started = time.perf_counter()
    parse_manifest(args.url)  # this tree's manifest and parse state, for this database
    dbname = conninfo_to_dict(args.url).get("dbname")
    print(f"  dbt parse for {dbname}: {time.perf_counter() - started:.1f} s", flush=True)

    from bench import jobs
    from bench.jobs import execute, materialization_metadata, step_seconds
    from checks.hierarchy_checks import hierarchy_expectations_check

    if not Path(jobs.__file__).resolve().is_relative_to(tree):
        raise SystemExit(f"bench/jobs.py comes from {jobs.__file__}, not from {tree}")

    by_partition = "org" in inspect.signature(execute).parameters

    def ops(orgs: list[str]) -> dict:
        """The run config of a run over ``orgs`` ([] = every org)."""
        if by_partition:
            return {
                "hierarchy_models": {"config": {"as_of": AS_OF}},
                "app__engagement_hierarchy": {"config": {"apply": True}},
            }
        return {  # before the redesign: the orgs are run config of each step
            "hierarchy_models": {"config": {"as_of": AS_OF, "orgs": orgs}},
            hierarchy_expectations_check.node_def.name: {"config": {"orgs": orgs}},
            "app__engagement_hierarchy": {"config": {"orgs": orgs, "apply": True}},
        }

    def dbt_timeline(run_id: str) -> dict[str, float] | None:
        """Seconds of the run's dbt command (its own total, from its log), of its parse (start
        to the first node's thread pool) and of its build (run_results.json's elapsed)."""
        found = sorted(
            (settings.DBT_PROJECT_DIR / "target").glob(f"hierarchy_models-{run_id[:7]}-*"), key=os.path.getmtime
        )
        if not found or not (found[-1] / "run_results.json").exists():
            return None
        events = {}
        for line in (found[-1] / "dbt.log").read_text().splitlines():
            event = json.loads(line)
            events.setdefault(event["info"]["code"], event)
        at = {
            code: dt.datetime.fromisoformat(events[code]["info"]["ts"]) for code in ("A001", "Q027") if code in events
        }
        return {
            "command": events["Q039"]["data"]["elapsed"] if "Q039" in events else None,
            "parse": (at["Q027"] - at["A001"]).total_seconds() if len(at) == 2 else None,
            "build": json.loads((found[-1] / "run_results.json").read_text())["elapsed_time"],
        }

    def run(org: str | None) -> dict:
        if by_partition:
            result, wall = execute(JOB, args.url, ops([]), org=org)
        else:
            result, wall = execute(JOB, args.url, ops([org] if org else []))
        written = materialization_metadata(result, ["app", "engagement_hierarchy"])["rows_written"]
        figures = {"wall": wall, "rows_written": written, "steps": step_seconds(result)}
        figures["dbt"] = dbt_timeline(result.run_id)
        print(
            f"  {org or 'every org'}: {wall:.1f} s, {written:,} rows written; "
            + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in figures["steps"].items())
            + (
                "; dbt: " + ", ".join(f"{k} {v:.1f} s" for k, v in figures["dbt"].items() if v is not None)
                if figures["dbt"]
                else ""
            ),
            flush=True,
        )
        return figures

    figures = {
        "tree": str(tree),
        "dagster_project": dagster_project.__file__,
        "scoped_by": "partition" if by_partition else "run config",
        "full": run(None),
        "rerun": run(None),
        "big": run(args.big),
        "tiny": run(args.tiny),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "peak_rss_children_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }
    args.out.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
