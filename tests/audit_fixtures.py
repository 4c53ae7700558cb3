"""The audited customer database the audit and report tests share (one per test session):
each SPEC §7 finding F1–F8 and DRIFT planted in the live data of an org of its own (F1
before `init-db`, as in an adopted database), the backfill applied, the audits run once
through Dagster."""

from __future__ import annotations

import psycopg
import pytest
from dagster import DagsterInstance, materialize
from psycopg.rows import dict_row

from dagster_project.audits.defs import AUDITS_SELECTION, audit_checks, audit_history, audit_models
from dagster_project.demo.generate import Dataset
from dagster_project.lib import database
from dagster_project.lib.dbt_project import dbt_resource
from dagster_project.lib.resources import PostgresResource
from tests.conftest import run_backfill
from tests.customer_database import customer_database, insert_rows
from tests.scenario_registry import OrgBuilder

AS_OF = "2024-06-30"
APPLIED = dict(model=True, chain=True, writeback=False)
NOT_APPLIED = dict(model=False, chain=True, writeback=False)  # legal, engagement model not on yet


def contract(org: OrgBuilder, group_id: str, *opp_ids: str, **columns) -> None:
    """A legacy deal group whose live engagement columns the seed system already wrote."""
    org.group(group_id, *opp_ids)
    org.data.deal_groups[-1].update(type="CONTRACT", **columns)


def planted_orgs() -> dict[str, Dataset]:
    orgs: dict[str, OrgBuilder] = {}

    def org(org_id: str, flags: dict) -> OrgBuilder:
        orgs[org_id] = builder = OrgBuilder(org_id)
        builder.flags(**flags)
        return builder

    clean = org("aud_clean", APPLIED)
    clean.opp("o1", "New Business", "2024-01-15")
    clean.group("aud_clean:G1", "o1")

    f1 = org("aud_f1", NOT_APPLIED)  # two PENDING successors of one prior, as the seed system wrote them
    f1.opp("o1", "New Business", "2023-01-15")
    contract(f1, "aud_f1:P", "o1", contract_type="NEW_BUSINESS", status="ACTIVE")
    for n in (1, 2):
        f1.data.deal_groups.append(
            dict(
                org_id="aud_f1",
                id=f"aud_f1:R{n}",
                name=f"renewal {n}",
                crm_account_id="acc1",
                type="CONTRACT",
                contract_type="RENEWAL",
                status="PENDING",
                prior_deal_group_id="aud_f1:P",
            )
        )

    f2 = org("aud_f2", NOT_APPLIED)  # quotes added after init-db (rep_quotes)
    f2.opp("o1", "New Business", "2023-01-15")
    f2.opp("r1", "Renewal", "2098-12-01", outcome="open", pointer="o1", start="2099-01-15")
    contract(f2, "aud_f2:P", "o1", contract_type="NEW_BUSINESS", status="ACTIVE")
    contract(f2, "aud_f2:R", "r1", contract_type="RENEWAL", status="PENDING", prior_deal_group_id="aud_f2:P")

    f3 = org("aud_f3", NOT_APPLIED)
    f3.opp("o1", "New Business", "2023-01-15", outcome="lost")
    f3.opp("o2", "New Business", "2023-03-01")  # won, in no deal group: stranded
    contract(f3, "aud_f3:C", "o1", contract_type="NEW_BUSINESS", status="ACTIVE")

    f4 = org("aud_f4", dict(model=True, chain=False, writeback=False))
    f4.opp("o1", "New Business", "2024-01-15")
    f4.group("aud_f4:G1", "o1")

    f5 = org("aud_f5", NOT_APPLIED)  # duplicate app.account rows added after init-db
    f5.opp("o1", "New Business", "2024-01-15")
    f5.group("aud_f5:G1", "o1")

    f6 = org("example_strict_org", NOT_APPLIED)  # audit_settings makes F6 an ERROR in this org
    f6.opp("o1", "New Business", "2023-01-15")
    f6.group("example_strict_org:G1", "o1")
    for n, record_type in ((1, "RT_RENEWAL"), (2, "RT_RENEWAL"), (3, "RT_NEW")):
        f6.opp(f"r{n}", "Renewal", "2024-01-10", pointer="o1", record_type_id=record_type)

    f7 = org("aud_f7", NOT_APPLIED)
    f7.opp("o1", "New Business", "2023-01-15")
    f7.opp("r1", "Renewal", "2024-01-10", pointer="o1", start="2024-01-15")
    contract(f7, "aud_f7:P", "o1", contract_type="NEW_BUSINESS", status="ACTIVE")
    contract(f7, "aud_f7:R", "r1", contract_type="RENEWAL", status="PENDING", prior_deal_group_id="aud_f7:P")

    f8 = org("aud_f8", NOT_APPLIED)
    f8.opp("o1", "New Business", "2023-01-15", opportunity_replaced_by_c="r_elsewhere")
    f8.opp("r1", "Renewal", "2024-01-10", pointer="o1")
    f8.group("aud_f8:G1", "o1")

    drift = org("aud_drift", APPLIED)  # a live column changed after the apply (drift_planted)
    drift.opp("o1", "New Business", "2024-01-15")
    drift.group("aud_drift:G1", "o1")

    return {org_id: builder.data for org_id, builder in orgs.items()}


PLANTED = {  # audit → (org, entity_table, entity ids, severity)
    "F1": ("aud_f1", "app.deal_group", {"aud_f1:R1", "aud_f1:R2"}, "ERROR"),
    "F2": ("aud_f2", "app.quote", {"q_rep"}, "ERROR"),
    "F3": ("aud_f3", None, {"aud_f3:C", "o2"}, "ERROR"),
    "F4": ("aud_f4", "app.organization", {"aud_f4"}, "ERROR"),
    "F5": ("aud_f5", "app.account", {"A-dup-1", "A-dup-2"}, "ERROR"),
    "F6": ("example_strict_org", "salesforce.opportunity", {"r3"}, "ERROR"),
    "F7": ("aud_f7", "app.deal_group", {"aud_f7:R"}, "WARN"),
    "F8": ("aud_f8", "salesforce.opportunity", {"o1"}, "WARN"),
    "DRIFT": ("aud_drift", "app.deal_group", {"aud_drift:G1"}, "WARN"),
}


def rows(url: str, query: str, params=()) -> list[dict]:
    with psycopg.connect(url, row_factory=dict_row) as conn:
        return conn.execute(query, params).fetchall()


def execute(url: str, statement: str, params=()) -> None:
    with psycopg.connect(url) as conn:
        conn.execute(statement, params)


def run_audits(url: str, instance: DagsterInstance | None = None):
    return materialize(
        [audit_models, audit_history, audit_checks],
        resources={"dbt": dbt_resource(), "postgres": PostgresResource(database_url=url)},
        instance=instance or DagsterInstance.ephemeral(),
        selection=AUDITS_SELECTION,
        raise_on_error=False,
    )


@pytest.fixture(scope="session")
def audited() -> dict:
    """The customer's database with every finding planted, adopted, backfilled (applied) and audited once."""
    data = Dataset()
    for dataset in planted_orgs().values():
        data.extend(dataset)
    url = customer_database("audits_test", data)
    plan = database.init_db(url)  # names the two PENDING successors of aud_f1:P and goes on
    assert any("deal_group_one_pending_renewal_per_prior" in line for line in plan.violations)
    with psycopg.connect(url) as conn:
        draft = dict(org_id="aud_f2", opportunity_id="r1", status="DRAFT")
        insert_rows(
            conn,
            "app.quote",
            [  # the system's draft on the renewal, and the rep's primary draft the reseed would pick
                dict(
                    draft,
                    id="q_sys",
                    deal_group_id="aud_f2:R",
                    is_primary=False,
                    created_at="2024-06-01",
                    is_system_draft=True,
                ),
                dict(draft, id="q_rep", is_primary=True, created_at="2024-05-01", is_system_draft=False),
            ],
        )
    assert run_backfill(url, apply=True, as_of=AS_OF).success
    with psycopg.connect(url) as conn:
        insert_rows(
            conn,
            "app.account",
            [dict(org_id="aud_f5", account_id=f"A-dup-{n}", crm_account_id="acc-dup", name="dup") for n in (1, 2)],
        )
        (status,) = conn.execute("select status from app.deal_group where id = 'aud_drift:G1'").fetchone()
        conn.execute("update app.deal_group set status = 'CLOSED' where id = 'aud_drift:G1'")
    result = run_audits(url)
    assert result.success
    return dict(url=url, result=result, drift_status=status)
