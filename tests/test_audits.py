"""The audits of SPEC §7 on a customer's database: each finding F1–F8 and DRIFT planted in
the live data of an org of its own (F1 before `init-db`, as in an adopted database), the
backfill applied, the audits run through Dagster; each is found in its org with the right
entity and severity and nowhere else, a clean org has none, and the history knows what is
new, still open and resolved. The schedule and the run-after-apply sensor run on a real
DagsterInstance."""

from __future__ import annotations

import psycopg
import pytest
from dagster import (
    AssetCheckSeverity,
    DagsterInstance,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    SkipReason,
    build_run_status_sensor_context,
    build_schedule_context,
    job,
    materialize,
    op,
)
from psycopg.rows import dict_row

from dagster_project.audits.cli import run_audit
from dagster_project.audits.defs import (
    AUDITS_SELECTION,
    audit_checks,
    audit_history,
    audit_models,
    audits_after_apply,
    audits_daily,
)
from dagster_project.demo.generate import Dataset
from dagster_project.lib import database
from dagster_project.lib.dbt_project import dbt_resource
from dagster_project.lib.jobs import AUDITS_JOB, BACKFILL_JOB
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


@pytest.fixture(scope="module")
def audited() -> dict:
    """The customer's database with every finding planted, adopted, backfilled (applied) and audited once."""
    data = Dataset()
    for dataset in planted_orgs().values():
        data.extend(dataset)
    url = customer_database("audits_test", data)
    plan = database.init_db(url)  # names the two PENDING successors of aud_f1:P and goes on
    assert any("deal_group_one_pending_renewal_per_prior" in line for line in plan.violations)
    with psycopg.connect(url) as conn:
        insert_rows(
            conn,
            "app.quote",
            [
                dict(
                    org_id="aud_f2",
                    id="q_sys",
                    opportunity_id="r1",
                    deal_group_id="aud_f2:R",
                    is_primary=False,
                    status="DRAFT",
                    created_at="2024-06-01",
                    is_system_draft=True,
                ),
                dict(
                    org_id="aud_f2",
                    id="q_rep",
                    opportunity_id="r1",
                    is_primary=True,
                    status="DRAFT",
                    created_at="2024-05-01",
                    is_system_draft=False,
                ),
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


def findings(url: str, audit_id: str) -> list[dict]:
    return rows(url, "select * from marts.audit_findings where audit_id = %s order by entity_id", [audit_id])


@pytest.mark.parametrize("audit_id", sorted(PLANTED))
def test_each_planted_finding_is_found_in_its_org_only_with_its_entity_and_severity(audited, audit_id):
    org, table, entities, severity = PLANTED[audit_id]
    found = [f for f in findings(audited["url"], audit_id) if not f["entity_table"].startswith("marts.")]
    assert {f["org_id"] for f in found} == {org}
    assert {f["entity_id"] for f in found} == entities
    assert {f["severity"] for f in found} == {severity}
    if table:
        assert {f["entity_table"] for f in found} == {table}
    assert all(f["detail"] and f["finding_key"] for f in found)


def test_the_rows_of_one_finding_share_its_key(audited):
    assert {f["finding_key"] for f in findings(audited["url"], "F1")} == {"aud_f1:P"}
    f3 = findings(audited["url"], "F3")
    assert {(f["entity_table"], f["finding_key"]) for f in f3} == {
        ("app.deal_group", "aud_f3:C"),
        ("salesforce.opportunity", "aud_f3:C"),
    }
    assert [f["finding_key"] for f in findings(audited["url"], "DRIFT")] == ["aud_drift:G1:status"]


def test_a_clean_org_has_no_finding(audited):
    assert rows(audited["url"], "select * from marts.audit_findings where org_id = 'aud_clean'") == []


def test_the_computed_state_holds_one_pending_renewal_per_prior_where_the_live_data_holds_two(audited):
    computed = [f for f in findings(audited["url"], "F1") if f["entity_table"] == "marts.contracts"]
    assert computed == []


def test_an_org_setting_turns_an_audit_off_and_overrides_a_severity(audited):
    scope = {
        (r["audit_id"], r["org_id"]): (r["severity"], r["enabled"])
        for r in rows(audited["url"], "select * from audits.audit_scope")
    }
    assert scope["F6", "example_strict_org"] == ("ERROR", True) and scope["F6", "aud_clean"] == ("WARN", True)


def test_each_audit_is_an_asset_check_with_its_severity_and_metadata(audited):
    evaluations = {e.check_name: e for e in audited["result"].get_asset_check_evaluations()}
    f1 = evaluations["audit_f1"]
    assert not f1.passed and f1.severity == AssetCheckSeverity.ERROR
    assert f1.asset_key.to_user_string() == "app/deal_group"
    metadata = f1.metadata
    assert metadata["findings_per_org"].value == {"aud_f1": 1}
    assert metadata["new_since_last_run"].value == 1 and metadata["resolved_since_last_run"].value == 0
    sample = metadata["sample"].value.records
    assert 0 < len(sample) <= 20 and {r.data["entity_id"] for r in sample} == {"aud_f1:R1", "aud_f1:R2"}
    drift = evaluations["audit_drift"]
    assert not drift.passed and drift.severity == AssetCheckSeverity.WARN
    assert evaluations["audit_reconciliation"].passed


def test_history_keeps_one_open_finding_across_unchanged_runs_and_resolves_it_when_fixed(audited):
    url = audited["url"]
    lines, code = run_audit(None, "never", url=url)
    assert code == 0
    runs = rows(url, "select run_id, count(*) as n from platform.audit_runs group by run_id")
    assert len(runs) == 2 and len({r["n"] for r in runs}) == 1  # one row per (audit, org) per run
    history = rows(url, "select * from platform.audit_findings_history where audit_id = 'DRIFT'")
    assert len(history) == 1 and history[0]["resolved_at"] is None
    assert history[0]["first_seen_run"] != history[0]["last_seen_run"]  # first seen at run 1, still open at run 2
    assert (
        rows(
            url,
            "select count(*) as n from platform.audit_findings_history group by audit_id, org_id, "
            "finding_key having count(*) > 1",
        )
        == []
    )
    assert any(line.startswith("DRIFT") and "0 new, 1 open" in line for line in lines)

    execute(url, "update app.deal_group set status = %s where id = 'aud_drift:G1'", [audited["drift_status"]])
    lines, code = run_audit(["aud_drift"], "warn", url=url)
    (resolved,) = rows(url, "select * from platform.audit_findings_history where audit_id = 'DRIFT'")
    assert resolved["resolved_at"] is not None
    assert any(line.startswith("DRIFT") and "1 resolved" in line for line in lines)
    assert code == 0  # aud_drift has nothing open any more, even at --fail-on warn


def test_the_audit_command_exits_1_when_a_finding_at_or_above_fail_on_is_open(audited):
    url = audited["url"]
    lines, code = run_audit(["aud_f1"], "error", url=url)
    assert code == 1 and any(line.startswith("F1") and "aud_f1" in line for line in lines)
    assert run_audit(["aud_f7"], "error", url=url)[1] == 0  # F7 is a WARN
    assert run_audit(["aud_f7"], "warn", url=url)[1] == 1
    assert run_audit(["aud_f1"], "never", url=url)[1] == 0
    assert run_audit(["aud_clean"], "warn", url=url)[1] == 0


def test_the_daily_schedule_runs_from_the_start_and_asks_for_an_audits_run():
    with DagsterInstance.ephemeral() as instance:
        request = audits_daily(build_schedule_context(instance=instance))
    assert isinstance(request, RunRequest)
    assert audits_daily.default_status == DefaultScheduleStatus.RUNNING and audits_daily.job_name == AUDITS_JOB


@op
def nothing():
    return None


def finished_run(instance: DagsterInstance, job_name: str):
    """A real, successful run of a job named ``job_name`` on ``instance``, and its success event."""

    @job(name=job_name)
    def stand_in():
        nothing()

    result = stand_in.execute_in_process(instance=instance)
    return result.dagster_run, result.get_run_success_event()


def test_the_audits_run_after_every_successful_backfill_renewal_or_staleness_run():
    assert audits_after_apply.default_status == DefaultSensorStatus.RUNNING
    with DagsterInstance.ephemeral() as instance:
        run, event = finished_run(instance, BACKFILL_JOB)
        context = build_run_status_sensor_context(
            sensor_name="audits_after_apply", dagster_instance=instance, dagster_run=run, dagster_event=event
        )
        request = audits_after_apply(context)
        assert isinstance(request, RunRequest) and request.run_key == f"after:{run.run_id}"
        other, other_event = finished_run(instance, "some_other_job")
        context = build_run_status_sensor_context(
            sensor_name="audits_after_apply", dagster_instance=instance, dagster_run=other, dagster_event=other_event
        )
        assert isinstance(audits_after_apply(context), SkipReason)
