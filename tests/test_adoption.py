"""Adopting a customer's database (SPEC §8), as a new user does it: a database
whose tables hold SPEC §2's columns only (and some of the customer's own),
histories already in it, two PENDING successors of one prior written by the
seed system; then `init-db`, and backfill, renewals and staleness from the
command line against it (DATABASE_URL)."""

from __future__ import annotations

import datetime as dt
import random

import psycopg
import pytest
from psycopg import sql

import tests.test_backfill_rules  # noqa: F401  (registers sc_legacy_renewal_chain)
from dagster_project.backfill.differential import MARTS, mart_differences, reference_backfill
from dagster_project.demo.agreements import generate_agreements, load_agreements
from dagster_project.demo.generate import Dataset, chaos_org, history_org
from tests.customer_database import customer_database
from tests.scenario_registry import SCENARIOS
from tests.test_cli import run_cli

AS_OF = "2024-06-30"
ENABLED_ORG = "adopt_hist"
DUPLICATED_PRIOR = "adopt_hist:seed-prior"


def customer_histories() -> Dataset:
    """Orgs whose rows reach every SPEC §3 reason: a realistic history (engagement model on),
    random dense orgs, and a legacy duplicate successor. A deal group's id is unique across
    orgs, as in an application database whose memberships carry no org_id (SPEC §2)."""
    data = Dataset()
    data.extend(history_org(ENABLED_ORG, random.Random(3), 12))
    for n in range(40):
        data.extend(chaos_org(f"adopt_chaos_{n:02d}", seed=5000 + n))
    data.extend(SCENARIOS["sc_legacy_renewal_chain"]())  # a legacy duplicate successor
    for row in data.deal_groups:
        row["id"] = f"{row['org_id']}:{row['id']}" if row["id"] is not None else None
    for row in data.memberships:
        row["deal_group_id"] = f"{row['org_id']}:{row['deal_group_id']}"
    # the seed system's two PENDING successors of one prior (F1), and that prior (deal groups
    # with no members, as the backfill sees them)
    data.deal_groups.append(dict(org_id=ENABLED_ORG, id=DUPLICATED_PRIOR, name="prior", crm_account_id=None))
    data.deal_groups += [
        dict(
            org_id=ENABLED_ORG,
            id=f"{ENABLED_ORG}:pending-{n}",
            name=f"Renewal {n}",
            crm_account_id=None,
            type="CONTRACT",
            contract_type="RENEWAL",
            status="PENDING",
            prior_deal_group_id=DUPLICATED_PRIOR,
        )
        for n in (1, 2)
    ]
    return data


def as_loaded(data: Dataset) -> Dataset:
    """The histories as the platform reads them from tables without a membership org_id: each
    membership takes the org of its deal group when exactly one org has a deal group of that id
    (stg_app__deal_group_opportunities), else none."""
    orgs_of: dict[str, set] = {}
    for row in data.deal_groups:
        if row["id"] is not None and row["org_id"] is not None:
            orgs_of.setdefault(row["id"], set()).add(row["org_id"])
    memberships = [
        {
            **row,
            "org_id": next(iter(orgs_of[row["deal_group_id"]]))
            if len(orgs_of.get(row["deal_group_id"], ())) == 1
            else None,
        }
        for row in data.memberships
    ]
    return Dataset(data.opportunities, data.deal_groups, memberships, data.crm_accounts, data.organizations)


def catalog(url: str) -> list[tuple]:
    """Every column, index and constraint of the source schemas: what `init-db` may change."""
    with psycopg.connect(url) as conn:
        return conn.execute("""
            select 'column', table_schema || '.' || table_name || '.' || column_name,
                   data_type || coalesce(' default ' || column_default, '') || ' ' || is_nullable
            from information_schema.columns where table_schema in ('app', 'salesforce')
            union all
            select 'index', schemaname || '.' || indexname, indexdef
            from pg_indexes where schemaname in ('app', 'salesforce')
            union all
            select 'constraint', conrelid::regclass::text || '.' || conname, pg_get_constraintdef(oid)
            from pg_constraint where connamespace::regnamespace::text in ('app', 'salesforce')
            order by 1, 2""").fetchall()


def table_rows(url: str, table: str, exclude: tuple[str, ...] = ()) -> list[tuple]:
    """A table's rows over the columns it had before init-db (``exclude``: columns init-db added)."""
    schema, name = table.split(".")
    with psycopg.connect(url) as conn:
        columns = [
            r[0]
            for r in conn.execute(
                "select column_name from information_schema.columns where table_schema = %s and table_name = %s"
                " order by ordinal_position",
                [schema, name],
            )
            if r[0] not in exclude
        ]
        return sorted(
            conn.execute(
                sql.SQL("select {} from {}").format(
                    sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(schema, name)
                )
            ).fetchall(),
            key=repr,
        )


@pytest.fixture(scope="module")
def customer():
    """The customer's database, before the platform has touched it; its URL and histories."""
    data = customer_histories()
    url = customer_database("platform_test_adoption", data)
    with psycopg.connect(url) as conn:
        load_agreements(generate_agreements(40, 60, events=0, seed=3, prefix="adopt", companies=2), conn, "adopt")
    return url, data


@pytest.fixture(scope="module")
def adopted(customer, tmp_path_factory):
    """`init-db --plan`, then `init-db` twice, on the customer's database; the outputs and catalogs."""
    url, _ = customer
    env = {"DATABASE_URL": url, "DAGSTER_HOME": str(tmp_path_factory.mktemp("dagster_home"))}
    before = catalog(url)
    rows_before = table_rows(url, "app.deal_group")
    plan = run_cli("init-db", "--plan", env=env)
    after_plan = catalog(url)
    first = run_cli("init-db", env=env)
    after_first = catalog(url)
    second = run_cli("init-db", env=env)
    return dict(
        env=env,
        before=before,
        rows_before=rows_before,
        plan=plan,
        after_plan=after_plan,
        first=first,
        after_first=after_first,
        second=second,
        after_second=catalog(url),
    )


def test_init_db_plan_prints_the_ddl_and_changes_nothing(adopted):
    assert adopted["plan"].returncode == 0, adopted["plan"].stderr
    assert adopted["after_plan"] == adopted["before"]
    ddl = adopted["plan"].stdout
    assert "alter table app.deal_group add column created_by text;" in ddl
    assert "alter table app.deal_group_opportunity add column org_id text;" in ddl
    assert "create table app.account (" in ddl and "create table app.engagement (" in ddl
    assert "create unique index deal_group_one_pending_renewal_per_prior" not in ddl  # the live data breaks it


def test_init_db_adds_the_platform_columns_names_the_duplicate_pending_successors_and_exits_0(adopted, customer):
    url, _ = customer
    first = adopted["first"]
    assert first.returncode == 0, first.stderr
    assert "added app.deal_group.created_by: marks rows the platform wrote" in first.stdout
    (warning,) = [line for line in first.stderr.splitlines() if line.startswith("warning:")]
    assert "deal_group_one_pending_renewal_per_prior" in warning
    assert (
        f"prior_deal_group_id={DUPLICATED_PRIOR}: 2 rows (id {ENABLED_ORG}:pending-1, {ENABLED_ORG}:pending-2)"
        in warning
    )
    columns = {name for kind, name, _ in adopted["after_first"] if kind == "column"}
    assert {
        "app.deal_group.created_by",
        "app.deal_group.prior_head_opportunity_id",
        "app.deal_group_opportunity.org_id",
        "app.quote.seed_hash",
        "app.quote_line.org_id",
        "app.account.account_id",
        "app.engagement.started_on",
    } <= columns
    assert {"app.deal_group.owner_email", "salesforce.opportunity.forecast_category"} <= columns  # theirs, kept
    indexes = {name for kind, name, _ in adopted["after_first"] if kind == "index"}
    assert "app.quote_one_system_draft_per_renewal" in indexes
    assert "app.deal_group_one_pending_renewal_per_prior" not in indexes
    # no existing row changed: the customer's rows over the customer's columns
    assert (
        table_rows(url, "app.deal_group", exclude=("created_by", "prior_head_opportunity_id")) == adopted["rows_before"]
    )


def test_init_db_twice_changes_nothing(adopted):
    assert adopted["second"].returncode == 0
    assert not [line for line in adopted["second"].stdout.splitlines() if line.startswith("added")]
    assert adopted["after_second"] == adopted["after_first"]


@pytest.fixture(scope="module")
def adopted_runs(adopted):
    """backfill --apply, renewals and staleness from the command line, on the adopted database."""
    env = adopted["env"]
    backfill = run_cli("backfill", "--as-of", AS_OF, "--apply", env=env)
    renewals = run_cli("renewals", "--as-of", AS_OF, env=env)
    staleness = run_cli("staleness", env=env)
    return dict(backfill=backfill, renewals=renewals, staleness=staleness)


def test_the_backfill_runs_on_the_adopted_database_and_applies_the_enabled_org(adopted_runs, customer):
    url, _ = customer
    result = adopted_runs["backfill"]
    assert result.returncode == 0, result.stderr
    assert f"{ENABLED_ORG}: " in result.stdout and "DOES NOT RECONCILE" not in result.stdout
    with psycopg.connect(url) as conn:
        contracts = conn.execute(
            "select count(*) from app.deal_group where org_id = %s and type = 'CONTRACT'", [ENABLED_ORG]
        ).fetchone()[0]
        accounts = conn.execute("select count(*) from app.account where org_id = %s", [ENABLED_ORG]).fetchone()[0]
    assert contracts > 0 and accounts > 0


def test_the_computed_rows_equal_the_reference_for_memberships_without_org_id(adopted_runs, customer):
    """Every mart, row for row, equals SPEC §3's reference over the same histories: a membership
    row without org_id took its deal group's org (all reasons of §3 are among these orgs)."""
    url, data = customer
    assert adopted_runs["backfill"].returncode == 0
    reference = reference_backfill(as_loaded(data), dt.date.fromisoformat(AS_OF))
    orgs = sorted({row["org_id"] for row in data.organizations})
    reasons = {r["reason"] for r in reference.unattached_opportunities} | {
        r["reason"] for r in reference.quarantined_rows
    }
    assert len(reasons) == 19  # every SPEC §3 reason
    with psycopg.connect(url, row_factory=psycopg.rows.dict_row) as conn:
        for mart in MARTS:
            expected = [row for row in getattr(reference, mart) if row.get("org_id") in orgs]
            columns = list(expected[0])
            actual = conn.execute(
                sql.SQL("select {} from marts.{} where org_id = any(%s)").format(
                    sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(mart)
                ),
                [orgs],
            ).fetchall()
            missing, extra = mart_differences(expected, actual, columns)
            assert not missing and not extra, f"marts.{mart}: {missing[:3]} / {extra[:3]}"


def test_renewals_and_staleness_run_from_the_command_line_on_the_adopted_database(adopted_runs):
    renewals, staleness = adopted_runs["renewals"], adopted_runs["staleness"]
    assert renewals.returncode == 0, renewals.stderr
    assert "renewals (ACTIVE contracts with a Won head" in renewals.stdout
    assert f"  {ENABLED_ORG}" in renewals.stdout and "applied: successors scaffolded" in renewals.stdout
    assert staleness.returncode == 0, staleness.stderr
    assert "agreement staleness (ACTIVE agreements of attik jobs):" in staleness.stdout
