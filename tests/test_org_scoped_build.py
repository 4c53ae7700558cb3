"""Org-scoped dbt builds (D37) give, for the orgs they cover, exactly the rows a
full build gives, and leave every other org's rows as they were — even an org
whose sources changed meanwhile (that org waits for a run that covers it).

Own database: a few realistic orgs, chaos orgs and the renewal scenarios, the
hierarchy and renewal models built for real through Dagster, three times."""

from __future__ import annotations

import json
import random
from collections import defaultdict

import psycopg
import pytest

from dagster_project.backfill.defs import hierarchy_models
from dagster_project.demo.generate import Dataset, chaos_org, history_org
from dagster_project.demo.load import load_dataset
from dagster_project.lib.dbt_project import dbt_project
from dagster_project.lib.runs import materialize_orgs
from dagster_project.mirror.defs import mirror_models
from dagster_project.renewals.defs import renewal_models
from tests.conftest import fresh_database
from tests.renewal_scenarios import renewal_dataset

AS_OF = "2024-06-30"
SCOPED, CHANGED_OUTSIDE, NEWCOMER = "scoped_history", "outside_history", "scoped_newcomer"


def org_tables() -> list[str]:
    manifest = json.loads(dbt_project().manifest_path.read_text())
    return sorted(
        f"{n['schema']}.{n['name']}"
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["config"]["materialized"] == "incremental"
    )


def build(url: str, orgs: list[str] | None = None) -> None:
    """The hierarchy, renewal and mirror models: every org in one run, or each of ``orgs`` in a run
    of its own (its org partition), as the sensors ask for them."""
    config = {"config": {"as_of": AS_OF}}
    for org in orgs or [None]:
        result = materialize_orgs(
            [hierarchy_models, renewal_models, mirror_models],
            url=url,
            org=org,
            run_config={"ops": {"hierarchy_models": config, "renewal_models": config, "mirror_models": config}},
        )
        assert result.success, [e.message for e in result.all_events if e.is_failure][:3]


def snapshot(url: str) -> dict[str, dict[str | None, list[str]]]:
    """Every per-org (incremental) table's rows as text, per org."""
    tables: dict[str, dict[str | None, list[str]]] = {}
    with psycopg.connect(url) as conn:
        for table in org_tables():
            per_org: dict[str | None, list[str]] = defaultdict(list)
            for org_id, row in conn.execute(f"select org_id, t::text from {table} as t"):
                per_org[org_id].append(row)
            tables[table] = {org: sorted(rows) for org, rows in per_org.items()}
    return tables


def change_sources(conn, org: str) -> None:
    """A CRM sync's worth of edits: Won deals lost, a membership gone, a renewal pointer moved."""
    conn.execute(
        """
        update salesforce.opportunity set stage_name = 'Closed Lost', is_won = false, system_modstamp = now()
        where org_id = %(org)s and id in (select id from salesforce.opportunity
                                          where org_id = %(org)s and is_won order by id limit 7)""",
        {"org": org},
    )
    conn.execute(
        """
        delete from app.deal_group_opportunity
        where (org_id, deal_group_id, opportunity_id) in (
            select org_id, deal_group_id, opportunity_id from app.deal_group_opportunity
            where org_id = %(org)s order by deal_group_id, opportunity_id limit 3)""",
        {"org": org},
    )
    conn.execute(
        """
        update salesforce.opportunity set last_opportunity_c = null, system_modstamp = now()
        where org_id = %(org)s and id in (select id from salesforce.opportunity
                                          where org_id = %(org)s and last_opportunity_c is not null
                                          order by id desc limit 4)""",
        {"org": org},
    )


@pytest.fixture(scope="module")
def scoped_url() -> str:
    url = fresh_database("platform_scoped")
    data = Dataset()
    for n, org in enumerate((SCOPED, CHANGED_OUTSIDE, "steady_history")):
        data.extend(history_org(org, random.Random(70 + n), accounts=25))
    for n in range(12):
        data.extend(chaos_org(f"scoped_chaos_{n:02d}", seed=500 + n))
    renewals, quotes, lines = renewal_dataset()
    data.extend(renewals)
    load_dataset(data, url)
    with psycopg.connect(url) as conn:
        for table, rows in (("app.quote", quotes), ("app.quote_line", lines)):
            for row in rows:
                conn.execute(
                    f"insert into {table} ({', '.join(row)}) values ({', '.join(['%s'] * len(row))})",
                    list(row.values()),
                )
    return url


def test_a_scoped_build_equals_a_full_build_for_its_orgs_and_leaves_the_others(scoped_url):
    build(scoped_url)
    before = snapshot(scoped_url)
    with psycopg.connect(scoped_url) as conn:
        change_sources(conn, SCOPED)
        change_sources(conn, CHANGED_OUTSIDE)
        conn.execute(
            "update salesforce.opportunity set org_id = null where org_id = 'scoped_chaos_03' "
            "and id in (select id from salesforce.opportunity where org_id = 'scoped_chaos_03' limit 2)"
        )
    # an org the CRM sync just brought in: no table of the last full build has its rows
    load_dataset(history_org(NEWCOMER, random.Random(99), accounts=60), scoped_url)

    build(scoped_url, [SCOPED, "scoped_chaos_03", NEWCOMER])
    scoped = snapshot(scoped_url)
    build(scoped_url)
    full = snapshot(scoped_url)

    assert scoped.keys() == before.keys() == full.keys()
    assert all(NEWCOMER in full[table] for table in ("marts.contracts", "intermediate.int_opportunities__typed"))
    changed = 0
    for table in before:
        for org in set(before[table]) | set(scoped[table]) | set(full[table]):
            if org in (SCOPED, "scoped_chaos_03", NEWCOMER):
                assert scoped[table].get(org) == full[table].get(org), f"{table}, org {org}: scoped ≠ full"
                changed += scoped[table].get(org) != before[table].get(org)
            else:
                # untouched, including the org whose sources changed and null-org rows
                assert scoped[table].get(org) == before[table].get(org), f"{table}, org {org}: touched"
    assert changed >= 5  # the edits did move the scoped orgs' rows
    assert any(full[t].get(CHANGED_OUTSIDE) != before[t].get(CHANGED_OUTSIDE) for t in before)


def test_a_scoped_build_on_a_fresh_database_builds_just_its_orgs():
    url = fresh_database("platform_scoped_first")
    data = Dataset()
    for n in range(3):
        data.extend(chaos_org(f"first_chaos_{n}", seed=900 + n))
    load_dataset(data, url)
    build(url, ["first_chaos_1"])
    with psycopg.connect(url) as conn:
        orgs = {
            row[0]
            for row in conn.execute(
                "select org_id from marts.contracts union select org_id from marts.backfill_reconciliation"
            )
        }
    assert orgs == {"first_chaos_1"}


def test_a_full_build_first_analyzes_the_sources_its_statistics_do_not_describe(scoped_url):
    """A source that changed by more than a tenth since its last analyze (or was never analyzed,
    as after a first load) is analyzed before a full build reads it: a plan made without
    statistics can hash a million rows as billions. A source the statistics describe is left
    to autovacuum."""
    changed, unchanged = "salesforce.opportunity", "app.deal_group"

    def last_analyze(conn, table):
        return conn.execute(
            "select last_analyze from pg_stat_user_tables where relid = %s::regclass", [table]
        ).fetchone()[0]

    with psycopg.connect(scoped_url, autocommit=True) as conn:
        # our own database: autovacuum kept off the changed table, so only the build can analyze it
        conn.execute(f"alter table {changed} set (autovacuum_enabled = false)")
        conn.execute(f"analyze {changed}")
        conn.execute(f"analyze {unchanged}")
        rows = conn.execute(f"update {changed} set system_modstamp = now()").rowcount
        for _ in range(1000 // rows):  # at least 1,000 changed rows: a small table is not worth an analyze
            conn.execute(f"update {changed} set system_modstamp = now()")
        before = {table: last_analyze(conn, table) for table in (changed, unchanged)}
    try:
        build(scoped_url)
        with psycopg.connect(scoped_url) as conn:
            assert last_analyze(conn, changed) > before[changed]
            assert last_analyze(conn, unchanged) == before[unchanged]
    finally:
        with psycopg.connect(scoped_url, autocommit=True) as conn:
            conn.execute(f"alter table {changed} reset (autovacuum_enabled)")
