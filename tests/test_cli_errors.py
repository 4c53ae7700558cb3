"""Every error a user can cause is one line naming the org, table, column or row,
and what to do; the password never appears, neither in the output nor in any
file a run wrote. Tried as a user would: real processes, real databases."""

from __future__ import annotations

import time
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from dagster_project import settings
from dagster_project.lib import database
from tests.customer_database import customer_database
from tests.scenario_registry import OrgBuilder
from tests.test_cli import run_cli

PASSWORD = "Hunter2-correct-horse"  # a throwaway role of the test server, made below


def last_line(result) -> str:
    return result.stderr.strip().splitlines()[-1]


def files_containing(text: str, *roots: Path, since: float) -> list[str]:
    """Files under ``roots`` written since ``since`` whose bytes contain ``text``."""
    found = []
    for root in roots:
        for path in root.rglob("*") if root.exists() else ():
            if path.is_file() and path.stat().st_mtime >= since and text.encode() in path.read_bytes():
                found.append(str(path))
    return found


@pytest.fixture(scope="module")
def small_customer():
    """A customer's database (SPEC §2 columns only) with three orgs, adopted by `init-db`."""
    data = None
    for org_id, flags in (
        ("err_ok", (True, True, False)),
        ("err_illegal", (True, False, False)),
        ("err_off", (False, True, False)),
    ):
        org = OrgBuilder(org_id)
        org.flags(*flags)
        org.opp(f"{org_id}-nb", "New Business", "2024-01-01")
        org.group(f"{org_id}-g1", f"{org_id}-nb")
        if data is None:
            data = org.data
        else:
            data.extend(org.data)
    url = customer_database("platform_test_cli_errors", data)
    assert run_cli("init-db", env={"DATABASE_URL": url}).returncode == 0
    return url


@pytest.fixture
def env(small_customer, tmp_path):
    return {"DATABASE_URL": small_customer, "DAGSTER_HOME": str(tmp_path)}


def test_an_unreachable_database_is_one_line_without_the_password(tmp_path):
    start = time.time()
    url = f"postgresql://analyst:{PASSWORD}@127.0.0.1:1/warehouse"
    result = run_cli("backfill", env={"DATABASE_URL": url, "DAGSTER_HOME": str(tmp_path)})
    assert result.returncode == 1
    assert last_line(result).startswith(
        "error: cannot reach PostgreSQL at analyst@127.0.0.1:1/warehouse (DATABASE_URL): connection failed"
    )
    assert last_line(result).endswith("Is the server running, and does DATABASE_URL name it?")
    assert PASSWORD not in result.stdout + result.stderr
    assert not files_containing(PASSWORD, tmp_path, since=start)


def test_a_url_that_is_not_a_url_is_one_line(tmp_path):
    result = run_cli(
        "init-db", env={"DATABASE_URL": f"analyst:{PASSWORD} at the warehouse", "DAGSTER_HOME": str(tmp_path)}
    )
    assert result.returncode == 1
    assert last_line(result) == (
        "error: DATABASE_URL is not a PostgreSQL URL: expected postgresql://USER:PASSWORD@HOST:PORT/DATABASE"
    )
    assert PASSWORD not in result.stderr


@pytest.fixture(scope="module")
def password_role(small_customer):
    """A login role that must give a password (scram), on the test server: its pg_hba.conf gets a
    line for that role only."""
    with psycopg.connect(small_customer, autocommit=True) as conn:
        hba = Path(conn.execute("show hba_file").fetchone()[0])
        rule = "local all platform_pw_test scram-sha-256\nhost all platform_pw_test all scram-sha-256\n"
        if not hba.read_text().startswith(rule):
            hba.write_text(rule + hba.read_text())
        if not conn.execute("select 1 from pg_roles where rolname = 'platform_pw_test'").fetchone():
            conn.execute("create role platform_pw_test login superuser")
        conn.execute(f"alter role platform_pw_test password '{PASSWORD}'")
        conn.execute("select pg_reload_conf()")
    parts = conninfo_to_dict(small_customer)
    return lambda password: make_conninfo(**{**parts, "user": "platform_pw_test", "password": password})


def test_a_wrong_password_is_one_line_naming_the_user_not_the_password(password_role, tmp_path):
    wrong = "Not-the-" + PASSWORD
    result = run_cli("backfill", env={"DATABASE_URL": password_role(wrong), "DAGSTER_HOME": str(tmp_path)})
    assert result.returncode == 1
    assert last_line(result).startswith("error: PostgreSQL at platform_pw_test@")
    assert last_line(result).endswith("refused the password: set the right one in DATABASE_URL")
    assert wrong not in result.stdout + result.stderr


def test_a_run_with_a_password_writes_it_nowhere(password_role, tmp_path):
    start = time.time()
    result = run_cli(
        "backfill",
        "--org",
        "err_ok",
        "--as-of",
        "2024-06-30",
        env={"DATABASE_URL": password_role(PASSWORD), "DAGSTER_HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert "err_ok: 1 contracts" in result.stdout
    assert PASSWORD not in result.stdout + result.stderr
    dbt_dirs = [path for path in settings.DBT_PROJECT_DIR.iterdir() if path.is_dir()]
    assert not files_containing(PASSWORD, tmp_path, *dbt_dirs, since=start)


def test_a_missing_table_says_to_run_init_db(tmp_path):
    server = database.database_url()
    url = database.create_database(server, "platform_test_empty")
    result = run_cli("backfill", env={"DATABASE_URL": url, "DAGSTER_HOME": str(tmp_path)})
    assert result.returncode == 1
    assert last_line(result).startswith("error: the database lacks what the platform needs (schema app (SPEC §2), and ")
    assert last_line(result).endswith(
        "run `python -m dagster_project init-db` first (`init-db --plan` prints what it adds)"
    )


def test_a_missing_spec_column_is_named_by_init_db_and_the_backfill(small_customer, env):
    with psycopg.connect(small_customer) as conn:
        conn.execute("alter table app.deal_group rename column crm_account_id to crm_account")
    try:
        for command in ("init-db", "backfill"):
            result = run_cli(command, env=env)
            assert result.returncode == 1
            assert last_line(result) == (
                "error: app.deal_group has no column crm_account_id (SPEC §2 requires them): add them to your "
                "tables; init-db adds only the platform's own columns"
            )
    finally:
        with psycopg.connect(small_customer) as conn:
            conn.execute("alter table app.deal_group rename column crm_account to crm_account_id")


def test_an_unknown_org_fails_at_once_naming_the_orgs_there_are(env):
    start = time.time()
    result = run_cli("backfill", "--org", "no_such_org", "--apply", env=env)
    assert result.returncode == 1
    assert last_line(result) == (
        "error: no org no_such_org in app.organization, salesforce.opportunity or "
        "app.deal_group; the orgs are: err_illegal, err_off, err_ok"
    )
    assert "applied" not in result.stdout
    assert time.time() - start < 20  # nothing was computed


def test_a_bad_as_of_fails_before_any_work(env):
    result = run_cli("renewals", "--as-of", "30/06/2024", env=env)
    assert result.returncode == 1
    assert last_line(result) == "error: as_of must be a date as YYYY-MM-DD, got '30/06/2024'"


def test_an_org_asked_for_with_apply_but_skipped_exits_non_zero_with_the_reason(env):
    result = run_cli(
        "backfill", "--org", "err_illegal", "--org", "err_off", "--apply", "--as-of", "2024-06-30", env=env
    )
    assert result.returncode == 1
    assert last_line(result) == (
        "error: err_illegal was not applied (illegal flag state: engagement model enabled without the renewal chain "
        "(flip order: chain → model → writeback)); err_off was not applied (engagement model not enabled (preview "
        "only))"
    )
    assert "— applied." not in result.stdout and "— not applied." in result.stdout


def test_a_failed_blocking_check_names_the_check_the_org_the_rows_and_their_relation(small_customer, env):
    """Two app.organization rows for one org: the customer's table had them before init-db, which
    then named them and did not create its unique index."""
    with psycopg.connect(small_customer) as conn:
        conn.execute("drop index app.organization_org_id_key")
        conn.execute("insert into app.organization (org_id, name) values ('err_ok', 'a second row')")
    try:
        result = run_cli("backfill", "--apply", "--as-of", "2024-06-30", env=env)
    finally:
        with psycopg.connect(small_customer) as conn:
            conn.execute("delete from app.organization where org_id = 'err_ok' and name = 'a second row'")
        assert run_cli("init-db", env=env).returncode == 0  # the index back
    assert result.returncode == 1
    line = last_line(result)
    assert line.startswith("error: backfill run ") and line.endswith(
        "nothing was applied. See the run in `dagster dev`."
    )
    assert (
        "blocking check unique_stg_app__organizations_org_id on staging.stg_app__organizations failed: "
        "1 rows (unique_field=err_ok; n_records=2); listed in test_failures.unique_stg_app__organizations_org_id"
    ) in line
    with psycopg.connect(small_customer) as conn:
        assert conn.execute("select count(*) from app.account").fetchone()[0] == 0  # the apply never ran


def test_two_backfills_started_at_once_both_end_well(env, small_customer):
    """The CLI runs its jobs in-process, outside Dagster's run queue: the second build waits for the
    first (an advisory lock), and the data is what one run makes."""
    import os
    import subprocess
    import sys

    command = [sys.executable, "-m", "dagster_project", "backfill", "--apply", "--as-of", "2024-06-30"]
    runs = [
        subprocess.Popen(
            command,
            cwd=settings.PROJECT_ROOT,
            env={**os.environ, **env},
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outcomes = [(run.wait(timeout=600), run.stderr.read()) for run in runs]
    assert [code for code, _ in outcomes] == [0, 0], outcomes
    with psycopg.connect(small_customer) as conn:
        contracts = conn.execute("select count(*) from app.deal_group where type = 'CONTRACT'").fetchone()[0]
        memberships = conn.execute(
            "select count(*) from app.deal_group_opportunity where created_by is not null"
        ).fetchone()[0]
    assert contracts == 1 and memberships == 0  # err_ok's one legacy deal group, converted once
