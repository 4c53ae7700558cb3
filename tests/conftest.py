"""Session fixtures: one real PostgreSQL database for the whole run (embedded,
or a fresh database on the server of DATABASE_URL), every scenario and
generated org loaded into it, and ONE run of the backfill job over all of them."""

from __future__ import annotations

import os
import random

import psycopg
import pytest
from dagster import DagsterInstance, materialize
from psycopg.rows import dict_row

from checks.hierarchy_checks import hierarchy_expectations_check
from checks.staleness_checks import stale_at_set_iff_stale
from dagster_project.backfill.defs import engagement_hierarchy, hierarchy_models
from dagster_project.demo.agreements import load_agreements
from dagster_project.demo.generate import Dataset, chaos_org, demo_dataset
from dagster_project.demo.load import load_dataset
from dagster_project.lib import database
from dagster_project.lib.dbt_project import dbt_resource
from dagster_project.lib.resources import PostgresResource
from dagster_project.lib.runs import materialize_orgs
from dagster_project.staleness.defs import agreement_staleness, staleness_models
from tests.scenario_registry import SCENARIOS
from tests.staleness_fixtures import PREFIX as FIXTURE_PREFIX
from tests.staleness_fixtures import generated_fixtures

AS_OF = "2024-06-30"
CHAOS_ORGS = 240


def chaos_dataset() -> Dataset:
    data = Dataset()
    for i in range(CHAOS_ORGS):
        data.extend(chaos_org(f"chaos_{i:04d}", seed=1000 + i))
    return data


def fresh_database(name: str) -> str:
    server = os.environ.get("PLATFORM_TEST_SERVER_URL") or database.database_url()
    url = database.create_database(server, name)
    database.init_db(url)
    return url


def run_backfill(
    url: str,
    *,
    apply: bool = False,
    org: str | None = None,
    as_of: str = AS_OF,
    selection=None,
    instance: DagsterInstance | None = None,
):
    """The backfill assets and checks, materialized for real against ``url``: every org, or ``org``."""
    return materialize_orgs(
        [hierarchy_models, engagement_hierarchy, hierarchy_expectations_check],
        url=url,
        org=org,
        run_config={
            "ops": {
                "hierarchy_models": {"config": {"as_of": as_of}},
                "app__engagement_hierarchy": {"config": {"apply": apply}},
            }
        },
        instance=instance,
        selection=selection,
    )


def run_staleness(
    url: str,
    *,
    first_event_id: int | None = None,
    last_event_id: int | None = None,
    apply: bool = True,
    instance: DagsterInstance | None = None,
    run_config: dict | None = None,
):
    """The staleness job's assets and checks, materialized for real against ``url``: with an
    event range, what a sensor run does (the apply for that batch); without, the full job."""
    config = {"first_event_id": first_event_id, "last_event_id": last_event_id, "apply": apply}
    return materialize(
        [staleness_models, agreement_staleness, stale_at_set_iff_stale],
        selection=[agreement_staleness.key] if first_event_id is not None else None,
        resources={"dbt": dbt_resource(), "postgres": PostgresResource(database_url=url)},
        run_config=run_config or {"ops": {"app__agreement_staleness": {"config": config}}},
        instance=instance or DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


@pytest.fixture(scope="session")
def platform_url() -> str:
    """The session's database. DATABASE_URL, when set, names the server to use."""
    if os.environ.get("DATABASE_URL"):
        os.environ.setdefault("PLATFORM_TEST_SERVER_URL", os.environ["DATABASE_URL"])
    return fresh_database("platform_test")


@pytest.fixture(scope="session")
def source_data() -> Dataset:
    import tests.test_backfill_rules  # noqa: F401  (registers its scenario orgs, whichever tests were selected)
    import tests.test_crm_vocabulary  # noqa: F401  (registers its scenario org sc_sf_picklist)

    data = Dataset()
    for build in SCENARIOS.values():
        data.extend(build())
    data.extend(chaos_dataset())
    data.extend(demo_dataset(orgs=6, scale=0.5, seed=11))
    return data


@pytest.fixture(scope="session")
def computed(platform_url, source_data):
    """Every org loaded, and the backfill job run once (dry run) as of AS_OF."""
    load_dataset(source_data, platform_url)
    result = run_backfill(platform_url)
    assert result.success, "the session's backfill run failed"
    return result


@pytest.fixture(scope="session")
def staleness_computed(platform_url):
    """The generated agreement fixtures loaded, and the staleness job run once over everything."""
    with psycopg.connect(platform_url) as conn:
        load_agreements(generated_fixtures(), conn, FIXTURE_PREFIX)
    result = run_staleness(platform_url)
    assert result.success, "the session's staleness run failed"
    return result


@pytest.fixture(scope="session")
def marts(platform_url, computed):
    return Marts(platform_url)


class Marts:
    """Reads of the computed marts, scoped to one org."""

    def __init__(self, url: str):
        self.url = url

    def rows(self, sql: str, params=()) -> list[dict]:
        with psycopg.connect(self.url, row_factory=dict_row) as conn:
            return conn.execute(sql, params).fetchall()

    def contracts(self, org: str) -> dict[str, dict]:
        return {r["contract_id"]: r for r in self.rows("select * from marts.contracts where org_id = %s", [org])}

    def contract_of_head(self, org: str, head: str) -> dict:
        (row,) = self.rows("select * from marts.contracts where org_id = %s and head_opportunity_id = %s", [org, head])
        return row

    def members(self, org: str, contract_id: str) -> list[str]:
        return [
            r["opportunity_id"]
            for r in self.rows(
                "select opportunity_id from marts.contract_memberships where org_id = %s and contract_id = %s"
                " order by membership_sequence",
                [org, contract_id],
            )
        ]

    def unattached(self, org: str) -> dict[str, str]:
        return {
            r["opportunity_id"]: r["reason"]
            for r in self.rows(
                "select opportunity_id, reason from marts.unattached_opportunities where org_id = %s", [org]
            )
        }

    def unattached_detail(self, org: str, opp: str) -> str:
        (row,) = self.rows(
            "select detail from marts.unattached_opportunities where org_id = %s and opportunity_id = %s", [org, opp]
        )
        return row["detail"]

    def quarantined(self, org: str, table: str = "opportunity") -> list[tuple]:
        return sorted(
            (r["row_id"] or "", r["reason"])
            for r in self.rows(
                "select row_id, reason from marts.quarantined_rows where org_id = %s and source_table = %s",
                [org, table],
            )
        )

    def engagements(self, org: str) -> dict[str, dict]:
        return {r["engagement_id"]: r for r in self.rows("select * from marts.engagements where org_id = %s", [org])}

    def reconciliation(self, org: str) -> dict:
        (row,) = self.rows("select * from marts.backfill_reconciliation where org_id = %s", [org])
        return row


@pytest.fixture
def rng() -> random.Random:
    return random.Random(42)


@pytest.fixture
def agreement_app(platform_url, staleness_computed):
    """The application, simulated, on the session database (autocommit)."""
    from dagster_project.demo.agreements import AgreementApp

    with psycopg.connect(platform_url, autocommit=True) as conn:
        yield AgreementApp(conn)


# the audited customer database of the audit and report tests (one per session)
from tests.audit_fixtures import audited  # noqa: E402, F401
