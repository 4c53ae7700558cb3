"""The commands users type: ``python -m dagster_project <command>`` (or ``platform``).

Commands call the Dagster job or the small library functions; none of them
writes SQL by hand. Every failure exits non-zero with one line saying why.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import textwrap

from dagster_project import settings


def _prepare_dagster_home() -> str:
    """A persistent instance under the project, so runs show up in ``dagster dev``. Its storage
    is created under a file lock: two commands started at once on a new home would both create
    the same SQLite tables, and one would fail."""
    import fcntl

    from dagster import DagsterInstance

    from dagster_project.lib.instance import write_instance_config

    home = settings.dagster_home()
    write_instance_config(home)
    os.environ["DAGSTER_HOME"] = str(home)
    with open(home / ".storage.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        DagsterInstance.get().dispose()
    return str(home)


def cmd_init_db(args: argparse.Namespace) -> int:
    """Add what the platform needs to the database (SPEC §8); ``--plan`` prints the DDL only."""
    from dagster_project.lib import database

    plan_only = getattr(args, "plan", False)
    plan = database.init_db(dry_run=plan_only)
    if plan_only:
        print(
            "\n".join(plan.lines())
            if plan.steps
            else "-- nothing to add: every schema, table, column and index the platform needs is there"
        )
    else:
        for step in plan.steps:
            print(f"added {step.why}")
    for violation in plan.violations:
        print(f"warning: {violation}", file=sys.stderr)
    if plan.missing_columns:
        raise CliError(missing_columns_problem(plan.missing_columns))
    if not plan_only:
        register_orgs()
        print(
            "the database has what the platform needs"
            + (" (except the unique indexes named above)" if plan.violations else "")
        )
    return 0


def missing_columns_problem(missing: list[tuple[str, str]]) -> str:
    """One line: the SPEC §2 columns each table lacks."""
    by_table: dict[str, list[str]] = {}
    for table, column in missing:
        by_table.setdefault(table, []).append(column)
    tables = "; ".join(f"{table} has no column {', '.join(columns)}" for table, columns in by_table.items())
    return f"{tables} (SPEC §2 requires them): add them to your tables; init-db adds only the platform's own columns"


def require_platform_schema() -> None:
    """Before a job: the database holds what the platform reads and writes, or one line saying what
    to do. Jobs never change a customer's schema themselves: that is init-db's."""
    from dagster_project.lib import database

    plan = database.init_db(dry_run=True)
    if plan.missing_columns:
        raise CliError(missing_columns_problem(plan.missing_columns))
    needed = [step for step in plan.steps if step.needed_by_jobs]
    if needed:
        more = f", and {len(needed) - 1} more" if len(needed) > 1 else ""
        raise CliError(
            f"the database lacks what the platform needs ({needed[0].why}{more}): run "
            "`python -m dagster_project init-db` first (`init-db --plan` prints what it adds)"
        )


def require_known_orgs(orgs: list[str]) -> None:
    """An --org that names no org fails at once, naming the orgs there are."""
    if not orgs:
        return
    from dagster_project.lib.partitions import orgs_in_sources

    known = orgs_in_sources()
    unknown = [org for org in orgs if org not in known]
    if unknown:
        listed = ", ".join(known[:20]) + (f" … ({len(known)} in all)" if len(known) > 20 else "")
        raise CliError(
            f"no org {', '.join(unknown)} in app.organization, salesforce.opportunity or "
            f"app.deal_group; the orgs are: {listed or '(none: load data first)'}"
        )


def cmd_load_demo(args: argparse.Namespace) -> int:
    from dagster_project.demo.generate import demo_dataset
    from dagster_project.demo.load import load_dataset
    from dagster_project.demo.quotes import load_signed_quotes
    from dagster_project.lib import database

    if args.orgs < 1 or args.scale <= 0:
        raise CliError("--orgs must be ≥ 1 and --scale > 0")
    database.init_db()
    data = demo_dataset(orgs=args.orgs, scale=args.scale, seed=args.seed)
    written = load_dataset(data)
    orgs = sorted({row["org_id"] for row in data.organizations})
    written["app.quote"], written["app.quote_line"] = load_signed_quotes(orgs)
    register_orgs()
    print("loaded demo data: " + ", ".join(f"{table} {count}" for table, count in written.items()))
    return 0


def register_orgs() -> list[str]:
    """Every org in the sources is an org partition of this project's instance; returns them."""
    from dagster import DagsterInstance

    from dagster_project.lib.partitions import add_org_partitions, orgs_in_sources

    _prepare_dagster_home()
    orgs = orgs_in_sources()
    add_org_partitions(DagsterInstance.get(), orgs)
    return orgs


@contextlib.contextmanager
def dbt_output_to(log_name: str):
    """dbt's output (printed by dagster-dbt as the run goes) into ``.dagster_home/<log_name>``,
    not the terminal; the command prints its own summary."""
    with open(settings.dagster_home() / log_name, "w") as log, contextlib.redirect_stdout(log):
        yield


def execute_job(job_name: str, ops: dict, log_name: str, org: str | None = None, partitioned: bool = True):
    """Execute a job of the code location on the persistent instance (so the run shows in
    `dagster dev`) for one org partition, or for every org (``org`` None: one run over the whole
    range); dbt's own output goes to ``.dagster_home/<log_name>``, the terminal gets warnings
    only. Returns the result."""
    from dagster import DagsterInstance

    from dagster_project.lib.jobs import CONSOLE_WARNINGS_ONLY
    from dagster_project.lib.partitions import every_org_tags, org_tags

    require_platform_schema()
    _prepare_dagster_home()
    tags = {}
    if partitioned:
        if not register_orgs():
            raise CliError("no org in app.organization, salesforce.opportunity or app.deal_group: load data first")
        tags = org_tags(org) if org else every_org_tags(DagsterInstance.get())
    from dagster_project.definitions import defs

    run_config = {"ops": ops, "loggers": CONSOLE_WARNINGS_ONLY}
    with dbt_output_to(log_name):
        return defs.get_job_def(job_name).execute_in_process(
            run_config=run_config, instance=DagsterInstance.get(), tags=tags, raise_on_error=False
        )


def require_success(result, what: str) -> None:
    """A failed run becomes one line naming each failed blocking check: which check, which
    orgs, how many rows, and which relation lists them."""
    from dagster_project.lib.check_failures import describe_failed_checks

    if not result.success:
        checks = describe_failed_checks(result)
        reason = "; ".join(checks) if checks else "a step failed"
        raise CliError(
            f"{what} run {result.run_id} did not complete ({reason}); nothing was applied. "
            "See the run in `dagster dev`."
        )


def run_backfill(org: str | None, as_of: str | None, apply: bool):
    """Execute the hierarchy_backfill job for one org (or every org); returns the result."""
    from dagster_project.lib.jobs import BACKFILL_JOB, backfill_run_config

    return execute_job(BACKFILL_JOB, backfill_run_config(as_of, apply=apply)["ops"], "last_backfill_dbt.log", org=org)


def validate_run_options(args: argparse.Namespace) -> None:
    """--as-of and --org checked before any work: a bad date or an unknown org fails at once."""
    from dagster_project.lib.dbt_run import parse_as_of

    parse_as_of(args.as_of)  # a bad date fails here, with its reason
    require_platform_schema()
    require_known_orgs(args.org or [])


def requested_orgs_not_applied(summary: dict, orgs: list[str]) -> list[str]:
    """``org X was not applied (reason)`` for each requested org the apply skipped."""
    return [
        f"{row['org_id']} was not applied ({row['apply'].removeprefix('skipped: ')})"
        for row in summary["summary"]
        if row["org_id"] in orgs and row["apply"].startswith("skipped")
    ]


def cmd_backfill(args: argparse.Namespace) -> int:
    """Every org in one run, or each --org in a run of its own (its partition: computed, verified
    and applied alone)."""
    validate_run_options(args)
    rows, run_ids = [], []
    for org in args.org or [None]:
        result = run_backfill(org, args.as_of, args.apply)
        require_success(result, "backfill" + (f" of org {org}" if org else ""))
        summary = run_summary(result)
        if summary is None:
            raise CliError(f"backfill run {result.run_id} recorded no summary. See the run in `dagster dev`.")
        rows += [row for row in summary["summary"] if org is None or row["org_id"] == org]
        run_ids.append(result.run_id)
    print(render_summary({"summary": rows}))
    skipped = requested_orgs_not_applied({"summary": rows}, args.org or []) if args.apply else []
    mode = "applied" if args.apply else "dry run: nothing written (add --apply)"
    print(
        textwrap.dedent(f"""
        run {", ".join(run_ids)} — {"not applied" if skipped else mode}.
        dbt's log: {settings.dagster_home() / "last_backfill_dbt.log"}
        Next: `.venv/bin/python -m dagster_project dev` (the Dagster UI on http://127.0.0.1:3000) to browse
              the assets, checks and this run; `.venv/bin/python -m dagster_project status` for this summary.""")
    )
    if skipped:
        raise CliError("; ".join(skipped))
    return 0


def run_metadata(result, asset_key):
    """The metadata of the run's own (first) materialization of ``asset_key``, or None. Read from
    the run, never as the asset's latest: CLI runs are not queued, so another run may have
    materialized the asset since."""
    for event in result.get_asset_materialization_events():
        if event.asset_key == asset_key:
            return event.materialization.metadata
    return None


def run_summary(result) -> dict | None:
    """The summary a backfill run's own engagement_hierarchy materialization recorded."""
    from dagster_project.backfill.defs import ENGAGEMENT_HIERARCHY

    metadata = run_metadata(result, ENGAGEMENT_HIERARCHY)
    return None if metadata is None else {"summary": metadata["summary_json"].value}


def latest_summary():
    """The summary metadata of the latest engagement_hierarchy materialization (`status`)."""
    from dagster import DagsterInstance

    from dagster_project.backfill.defs import ENGAGEMENT_HIERARCHY

    _prepare_dagster_home()
    instance = DagsterInstance.get()
    event = instance.get_latest_materialization_event(ENGAGEMENT_HIERARCHY)
    if event is None:
        return None
    metadata = event.asset_materialization.metadata
    return {
        "run_id": event.run_id,
        "timestamp": event.timestamp,
        "mode": metadata["mode"].value,
        "summary": metadata["summary_json"].value,
    }


def render_summary(summary: dict, orgs: list[str] | None = None) -> str:
    from dagster_project.backfill.summary import OrgSummary, render

    rows = [OrgSummary(**row) for row in summary["summary"]]
    return render([row for row in rows if not orgs or row.org_id in orgs])


def cmd_status(args: argparse.Namespace) -> int:
    import datetime as dt

    summary = latest_summary()
    if summary is None:
        raise CliError("no backfill has run yet: run `python -m dagster_project backfill` first")
    when = dt.datetime.fromtimestamp(summary["timestamp"]).isoformat(timespec="seconds")
    print(f"last backfill: run {summary['run_id']} at {when} ({summary['mode']})")
    print(render_summary(summary))
    return 0


def cmd_dev(args: argparse.Namespace) -> int:
    """`dagster dev` on this project's instance, so the CLI's runs show in the UI; stops on
    Ctrl-C or SIGTERM with every process it started."""
    from dagster_project.lib.dev_server import run_dagster_dev

    _prepare_dagster_home()
    return run_dagster_dev(str(settings.PROJECT_ROOT / "workspace.yaml"), args.port)


def cmd_staleness(args: argparse.Namespace) -> int:
    from dagster_project.lib.jobs import STALENESS_JOB
    from dagster_project.staleness.summary import staleness_summary

    result = execute_job(
        STALENESS_JOB,
        {"app__agreement_staleness": {"config": {"apply": not args.dry_run}}},
        "last_staleness_dbt.log",
        partitioned=False,
    )
    require_success(result, "staleness")
    print(staleness_summary())
    print(
        f"run {result.run_id} — {'dry run: nothing written' if args.dry_run else 'flags applied'}. "
        "The staleness_sensor keeps this current from app.change_event; see `dagster dev`."
    )
    return 0


def cmd_renewals(args: argparse.Namespace) -> int:
    """The renewal pipeline, as the sensor (one org) and the daily schedule (every org) run it:
    hierarchy, renewal models, checks, then the applies (``--dry-run``: plan only)."""
    from checks.renewal_checks import RENEWAL_SCAFFOLDING
    from dagster_project.lib.jobs import RENEWAL_JOB, renewal_run_config
    from dagster_project.renewals.summary import renewal_summary

    validate_run_options(args)
    written: dict[str, int] = {}
    run_ids = []
    for org in args.org or [None]:
        result = execute_job(
            RENEWAL_JOB, renewal_run_config(args.as_of, apply=not args.dry_run)["ops"], "last_renewals_dbt.log", org=org
        )
        require_success(result, "renewals" + (f" of org {org}" if org else ""))
        # one materialization per org partition of the run, all with the run's totals: the first
        for key, value in (run_metadata(result, RENEWAL_SCAFFOLDING) or {}).items():
            if key not in ("mode", "orgs", "contracts_in_trigger", "per_org"):
                written[key] = written.get(key, 0) + value.value
        run_ids.append(result.run_id)
    print(renewal_summary(written, orgs=args.org or None))
    print(
        f"run {', '.join(run_ids)} — {'dry run: nothing written' if args.dry_run else 'applied'}. "
        "The renewal_sensor and the daily_lifecycle schedule keep this current; see `dagster dev`."
    )
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    """Every SPEC §7 audit over the live tables and the last computed marts, history appended."""
    from dagster import DagsterInstance

    from dagster_project.audits.cli import run_audit

    require_platform_schema()
    require_known_orgs(args.org or [])
    _prepare_dagster_home()
    with dbt_output_to("last_audit_dbt.log"):
        lines, code = run_audit(args.org or None, args.fail_on, instance=DagsterInstance.get())
    print("\n".join(lines))
    return code


def cmd_report(args: argparse.Namespace) -> int:
    """The path of the latest audit run's data-quality page (or run ``--run``'s, written from
    the history when its file is gone); ``--open`` opens it in the default browser."""
    import webbrowser

    from dagster_project.audits.report_data import NoAuditRun
    from dagster_project.audits.report_page import find_report, write_report

    path = find_report(args.run)
    if path is None and args.run:
        from dagster_project.lib import database

        require_platform_schema()
        try:
            path = write_report(database.database_url(), args.run)
        except NoAuditRun as error:
            raise CliError(str(error)) from None
    if path is None:
        raise CliError("no audit run has written a data-quality page yet: run `platform audit` first")
    print(path)
    if args.open and not webbrowser.open(path.resolve().as_uri()):
        print("no browser to open it with here; open the file above")
    return 0


def run_failure(result) -> str:
    """The first failed step's own message (a Failure's description), one line."""
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data.error:
            message = event.step_failure_data.error.message.strip().splitlines()[0]
            return message.split(": ", 1)[1] if message.startswith("dagster.") and ": " in message else message
    return "a step failed"


def cmd_mirror(args: argparse.Namespace) -> int:
    """The Salesforce mirror (SPEC §5): the plan per org (a dry run), or with --push the plan sent,
    each org's results printed (created, updated, failed, requests sent)."""
    from dagster_project.mirror.salesforce import credential_problem

    problem = credential_problem() if args.push else None
    if problem:  # before any work (or import): nothing is computed for a push that cannot be sent
        raise CliError(problem)
    from dagster_project.lib import database
    from dagster_project.lib.jobs import MIRROR_JOB, mirror_run_config
    from dagster_project.mirror.defs import DEAL_GROUP_MIRROR
    from dagster_project.mirror.summary import read_plan, render_plan, render_push

    require_platform_schema()
    require_known_orgs(args.org or [])
    lines, run_ids = [], []
    for org in args.org or [None]:
        result = execute_job(MIRROR_JOB, mirror_run_config(push=args.push)["ops"], "last_mirror_dbt.log", org=org)
        if not result.success:
            raise CliError(
                f"mirror run {result.run_id}" + (f" of org {org}" if org else "") + f" failed: {run_failure(result)}"
            )
        lines += render_plan(read_plan(database.database_url(), [org] if org else None))
        pushed = run_metadata(result, DEAL_GROUP_MIRROR) if args.push else None
        if pushed is not None:
            lines += render_push(pushed["push_json"].value)
        run_ids.append(result.run_id)
    print("\n".join(lines))
    print(
        f"run {', '.join(run_ids)} — "
        + (
            "pushed; each record's result is in platform.mirror_push_log"
            if args.push
            else "dry run: nothing sent (add --push)"
        )
    )
    return 0


def cmd_adopt_salesforce(args: argparse.Namespace) -> int:
    """Views in schema salesforce over a connector-landed schema, for one org (SPEC §8)."""
    from dagster_project.adoption.salesforce import AdoptionError, adopt_salesforce

    try:
        lines = adopt_salesforce(args.from_schema, args.org)
    except AdoptionError as error:
        if error.lines:  # what was done before the problem was found
            print("\n".join(error.lines))
        raise CliError(str(error)) from None
    print("\n".join(lines))
    return 0


def cmd_stale_policy(args: argparse.Namespace) -> int:
    from dagster_project.staleness.policy import set_stale_policy

    print(set_stale_policy(company_id=args.company, template_id=args.template, policy=args.policy))
    return 0


def cmd_load_demo_agreements() -> None:
    import datetime as dt

    from dagster_project.demo.agreements import AgreementApp, generate_agreements, load_agreements
    from dagster_project.lib import database

    with database.connect() as conn:
        written = load_agreements(
            generate_agreements(300, 420, events=0, seed=7, prefix="demo", companies=5), conn, "demo"
        )
    with database.connect(autocommit=True) as conn:  # what users did since: services, reschedules, a bad event
        app = AgreementApp(conn)
        for i in range(0, 60, 3):
            charge = conn.execute(
                "select charge_id from app.charge where inspection_id = %s limit 1", [f"demo-i{i}"]
            ).fetchone()
            if charge:
                app.change_charge(charge[0], "999.00", seconds_ago=120)
        for i in range(1, 60, 6):
            app.reschedule(f"demo-i{i}", dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC), seconds_ago=120)
        app.event("inspection", "update", inspection_id="demo-i-unknown", fields=["scheduled_at"], seconds_ago=120)
    print("loaded demo agreements: " + ", ".join(f"{table} {count}" for table, count in written.items()))


def cmd_demo(args: argparse.Namespace) -> int:
    """What the README's first command runs: init-db, the demo data, backfill --apply, the renewal
    pipeline, staleness, the mirror's plan (a dry run) and the audits, each printing its summary
    (the audits: where their page is), so every job, sensor and schedule has a state."""
    cmd_init_db(args)
    cmd_load_demo(args)
    cmd_load_demo_agreements()
    args.org, args.as_of, args.apply, args.dry_run = [], None, True, False
    cmd_backfill(args)
    print()
    cmd_renewals(args)
    print()
    cmd_staleness(args)
    print()
    args.push = False  # the mirror's plan for the writeback-enabled org, never sent from the demo
    cmd_mirror(args)
    print()
    args.fail_on = "never"  # the demo's hostile rows are findings on purpose
    return cmd_audit(args)


class CliError(RuntimeError):
    """A failure the user can act on; printed as one line."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dagster_project",
        description="Contract & agreement data platform. DATABASE_URL selects the PostgreSQL server; "
        "unset, an embedded server under .pgdata/ is used.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    init = commands.add_parser(
        "init-db", help="add the schemas, tables, columns and indexes the platform needs (idempotent; no row changes)"
    )
    init.add_argument("--plan", action="store_true", help="print the DDL it would run and change nothing")
    init.set_defaults(handler=cmd_init_db)

    adopt = commands.add_parser(
        "adopt-salesforce", help="views salesforce.* over a Salesforce sync a connector (Fivetran) landed, for one org"
    )
    adopt.add_argument("--from-schema", required=True, help="the connector's schema (one per org)")
    adopt.add_argument("--org", required=True, help="the org_id its rows belong to")
    adopt.set_defaults(handler=cmd_adopt_salesforce)

    def demo_options(p):
        p.add_argument("--orgs", type=int, default=6, help="how many orgs (default 6)")
        p.add_argument("--scale", type=float, default=1.0, help="accounts per org ×40 (default 1)")
        p.add_argument("--seed", type=int, default=7, help="generator seed (default 7)")

    load = commands.add_parser("load-demo", help="load a deterministic demo dataset (replaces its orgs)")
    demo_options(load)
    load.set_defaults(handler=cmd_load_demo)

    backfill = commands.add_parser("backfill", help="compute, verify and plan (or --apply) the hierarchy")
    backfill.add_argument("--org", action="append", help="apply only this org (repeatable); all orgs are computed")
    backfill.add_argument("--as-of", help="compute statuses as of YYYY-MM-DD (default today)")
    backfill.add_argument("--apply", action="store_true", help="write the differences (default: dry run)")
    backfill.set_defaults(handler=cmd_backfill)

    renewals = commands.add_parser(
        "renewals", help="the renewal pipeline: hierarchy, PENDING successors and their seeded draft quotes"
    )
    renewals.add_argument("--org", action="append", help="apply only this org (repeatable); all orgs are computed")
    renewals.add_argument("--as-of", help="compute statuses as of YYYY-MM-DD (default today)")
    renewals.add_argument("--dry-run", action="store_true", help="compute and verify only; write nothing")
    renewals.set_defaults(handler=cmd_renewals)

    audit = commands.add_parser("audit", help="run every audit (SPEC §7), append the history, print the findings")
    audit.add_argument("--org", action="append", help="record and print only this org (repeatable)")
    audit.add_argument(
        "--fail-on",
        choices=["error", "warn", "never"],
        default="error",
        help="exit 1 when a finding at or above this severity is open (default error)",
    )
    audit.set_defaults(handler=cmd_audit)

    report = commands.add_parser("report", help="print the path of the latest audit run's data-quality page")
    report.add_argument("--run", help="that audit run's page instead (a run id or its first characters)")
    report.add_argument("--open", action="store_true", help="open it in the default browser")
    report.set_defaults(handler=cmd_report)

    mirror = commands.add_parser(
        "mirror", help="the Salesforce mirror's plan per org (dry run), or --push it to Deal_Group__c"
    )
    mirror.add_argument("--org", action="append", help="only this org (repeatable)")
    mirror.add_argument(
        "--push", action="store_true", help="send the plan (needs the SALESFORCE_* variables; default: dry run)"
    )
    mirror.set_defaults(handler=cmd_mirror)

    commands.add_parser("status", help="print the last backfill's summary").set_defaults(handler=cmd_status)

    dev = commands.add_parser("dev", help="start the Dagster UI (dagster dev) on this project's instance")
    dev.add_argument("--port", type=int, default=3000)
    dev.set_defaults(handler=cmd_dev)

    staleness = commands.add_parser("staleness", help="recompute agreement staleness and report lock, apply the flags")
    staleness.add_argument("--dry-run", action="store_true", help="compute and verify only; write nothing")
    staleness.set_defaults(handler=cmd_staleness)

    policy = commands.add_parser("stale-policy", help="set a company's or a template's stale policy")
    target = policy.add_mutually_exclusive_group(required=True)
    target.add_argument("--company", help="company_id: the default for its templates")
    target.add_argument("--template", help="template_id: overrides its company")
    policy.add_argument(
        "--policy",
        required=True,
        type=str.upper,
        choices=["FULL", "SELECTIVE", "TEMPLATE_VERSION_ONLY", "INHERIT"],
        help="INHERIT clears it (template → company → FULL)",
    )
    policy.set_defaults(handler=cmd_stale_policy)

    demo = commands.add_parser(
        "demo", help="init-db, load-demo, backfill --apply, renewals, staleness, the mirror's plan and the audits"
    )
    demo_options(demo)
    demo.set_defaults(handler=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    from dagster_project.lib.database import DatabaseUnavailable

    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (CliError, ValueError, DatabaseUnavailable) as error:
        message = str(error)
    except Exception as error:  # the one line a user sees; the traceback is in the Dagster run
        message = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
    print(f"error: {without_secrets(message)}", file=sys.stderr)
    return 1


def without_secrets(message: str) -> str:
    """The message with DATABASE_URL's password blanked, wherever it appears."""
    from psycopg.conninfo import conninfo_to_dict

    url = settings.database_url_override()
    try:
        password = conninfo_to_dict(url).get("password") if url else None
    except Exception:  # a malformed URL: blank all of it
        password = url
    return message.replace(str(password), "***") if password else message


if __name__ == "__main__":
    sys.exit(main())
