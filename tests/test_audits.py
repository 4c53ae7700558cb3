"""The audits of SPEC §7 on a customer's database: each finding F1–F8 and DRIFT planted in
the live data of an org of its own (F1 before `init-db`, as in an adopted database), the
backfill applied, the audits run through Dagster; each is found in its org with the right
entity and severity and nowhere else, a clean org has none, and the history knows what is
new, still open and resolved. The schedule and the run-after-apply sensor run on a real
DagsterInstance."""

from __future__ import annotations

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
    op,
)

from dagster_project.audits.cli import run_audit
from dagster_project.audits.defs import (
    audits_after_apply,
    audits_daily,
)
from dagster_project.lib.jobs import AUDITS_JOB, BACKFILL_JOB
from tests.audit_fixtures import PLANTED, execute, rows


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
