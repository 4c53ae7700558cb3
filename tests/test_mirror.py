"""The Salesforce mirror (SPEC §5, issue 23) end to end: real PostgreSQL, real dbt, real Dagster
(the mirror's assets materialized per org partition), and simple-salesforce talking HTTPS to a
local Salesforce (tests/salesforce_server.py) that keeps what it received. Each scenario is an
org of its own in one database, computed by one backfill run; each asserts the server's records
and the requests it received."""

from __future__ import annotations

import logging
import os
import ssl

import psycopg
import pytest
import trustme
from dagster import DagsterInstance
from psycopg.rows import dict_row

from dagster_project.demo.generate import Dataset
from dagster_project.demo.load import load_dataset
from dagster_project.lib.jobs import mirror_run_config
from dagster_project.lib.runs import materialize_orgs
from dagster_project.mirror.defs import DEAL_GROUP_MIRROR, deal_group_mirror, mirror_models
from dagster_project.mirror.salesforce import ACCESS_TOKEN, INSTANCE_URL, SalesforceResource
from tests.conftest import fresh_database, run_backfill
from tests.salesforce_server import FakeSalesforce
from tests.scenario_registry import OrgBuilder

TOKEN = "00Dxx0000001gPL!AQ4AQFake.Session.Token.9f8e7d6c5b4a"
WRITEBACK = dict(model=True, chain=True, writeback=True)
SALESFORCE_VARIABLES = (
    "SALESFORCE_INSTANCE_URL",
    "SALESFORCE_ACCESS_TOKEN",
    "SALESFORCE_USERNAME",
    "SALESFORCE_PASSWORD",
    "SALESFORCE_SECURITY_TOKEN",
    "SALESFORCE_DOMAIN",
)


# --- the local HTTPS Salesforce -----------------------------------------------------------------
@pytest.fixture(scope="session")
def test_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def httpserver_ssl_context(test_ca):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    test_ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


@pytest.fixture(scope="session")
def httpserver_listen_address():
    return ("127.0.0.1", 0)


@pytest.fixture
def salesforce(httpserver, test_ca, tmp_path, monkeypatch) -> FakeSalesforce:
    """The local Salesforce, and the environment a push reads: its URL, the token, its CA trusted."""
    ca_file = tmp_path / "test-ca.pem"
    test_ca.cert_pem.write_to_path(str(ca_file))
    for name in SALESFORCE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(INSTANCE_URL, httpserver.url_for("/"))
    monkeypatch.setenv(ACCESS_TOKEN, TOKEN)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca_file))
    return FakeSalesforce(TOKEN).install(httpserver)


# --- the orgs -------------------------------------------------------------------------------------
def org(org_id: str, flags: dict = WRITEBACK) -> OrgBuilder:
    builder = OrgBuilder(org_id)
    builder.flags(**flags)
    return builder


def single_contracts(builder: OrgBuilder, count: int, names: dict[int, str] | None = None) -> None:
    """``count`` legacy deal groups of one won new-business opportunity each, one account each."""
    for n in range(1, count + 1):
        builder.opp(f"o{n}", "New Business", "2024-01-15", account=f"acc{n}", start="2024-02-01", end="2026-01-31")
        builder.group(f"{builder.org_id}:G{n:03d}", f"o{n}", crm=f"acc{n}", name=(names or {}).get(n))


def scenario_orgs() -> Dataset:
    data = Dataset()
    first = org("mir_first")  # a prior and its renewal on one account, new business on another
    first.opp("o1", "New Business", "2023-01-15", start="2023-02-01", end="2024-01-31")
    first.group("mir_first:G1", "o1", name="Acme 2023")
    first.opp("r1", "Renewal", "2024-01-10", pointer="o1", start="2024-02-01", end="2025-01-31")
    first.opp("o2", "New Business", "2024-03-01", account="acc2", start="2024-03-01", end="2026-02-28")
    bad = org("mir_bad")  # 200 contracts in one request, one with a Name Salesforce refuses
    single_contracts(bad, 200, names={100: "x" * 100})
    flaky = org("mir_flaky")
    single_contracts(flaky, 3)
    bulk = org("mir_bulk")
    single_contracts(bulk, 5)
    dup = org("mir_dup")
    single_contracts(dup, 3)
    off = org("mir_off", dict(model=True, chain=True, writeback=False))
    single_contracts(off, 1)
    illegal = org("mir_illegal", dict(model=False, chain=True, writeback=True))  # writeback without the model
    single_contracts(illegal, 1)
    secret = org("mir_secret")
    single_contracts(secret, 2)
    split = org("mir_split")
    single_contracts(split, 3)
    for builder in (first, bad, flaky, bulk, dup, off, illegal, secret, split):
        data.extend(builder.data)
    return data


def synced_row(org_id: str, record: dict) -> dict:
    return dict(
        org_id=org_id,
        id=record["Id"],
        deal_group_id_c=record["Deal_Group_Id__c"],
        name=record.get("Name"),
        account_c=record.get("Account__c"),
        status_c=record.get("Status__c"),
        group_effective_date_c=record.get("Group_Effective_Date__c"),
        group_end_date_c=record.get("Group_End_Date__c"),
        renewal_opportunity_c=record.get("Renewal_Opportunity__c"),
        prior_deal_group_c=record.get("Prior_Deal_Group__c"),
        contract_type_c=record.get("Contract_Type__c"),
        engagement_sequence_c=record.get("Engagement_Sequence__c"),
        system_modstamp=record.get("SystemModstamp"),
    )


def write_synced(url: str, org_id: str, rows: list[dict]) -> None:
    """salesforce.deal_group_c for ``org_id`` replaced by ``rows`` (what the CRM sync lands)."""
    with psycopg.connect(url) as conn:
        conn.execute("delete from salesforce.deal_group_c where org_id = %s", [org_id])
        for row in rows:
            conn.execute(
                f"insert into salesforce.deal_group_c ({', '.join(row)}) values ({', '.join(['%s'] * len(row))})",
                list(row.values()),
            )


@pytest.fixture(scope="module")
def mirror_db() -> str:
    """The scenario orgs loaded into a database of their own and computed by one backfill run (dry run)."""
    url = fresh_database("mirror_test")
    load_dataset(scenario_orgs(), url)
    # mir_dup: Salesforce already holds two records with one contract's key, and one naming no contract
    write_synced(
        url,
        "mir_dup",
        [
            dict(org_id="mir_dup", id="a0Xdup000000001", deal_group_id_c="mir_dup:G002", name="one"),
            dict(org_id="mir_dup", id="a0Xdup000000002", deal_group_id_c="mir_dup:G002", name="two"),
            dict(org_id="mir_dup", id="a0Xorphan000001", deal_group_id_c="mir_dup:GONE", name="gone"),
        ],
    )
    write_synced(url, "mir_off", [dict(org_id="mir_off", id="a0Xoff000000001", deal_group_id_c="x", name="x")])
    assert run_backfill(url).success
    return url


def rows(url: str, query: str, params=()) -> list[dict]:
    with psycopg.connect(url, row_factory=dict_row) as conn:
        return conn.execute(query, params).fetchall()


def run_mirror(url: str, org_id: str, *, push: bool, instance: DagsterInstance | None = None, **settings):
    resource = SalesforceResource(**{"backoff_seconds": 0.0, "bulk_poll_seconds": 0.0, **settings})
    return materialize_orgs(
        [mirror_models, deal_group_mirror],
        url=url,
        org=org_id,
        run_config=mirror_run_config(push=push),
        instance=instance,
        salesforce=resource,
    )


def push_result(result) -> dict:
    """The org's push results from the mirror asset's metadata."""
    for event in result.get_asset_materialization_events():
        if event.asset_key == DEAL_GROUP_MIRROR:
            (push,) = event.step_materialization_data.materialization.metadata["push_json"].value
            return push
    raise AssertionError("no mirror materialization")


def plan(url: str, org_id: str) -> dict[str, dict]:
    return {r["deal_group_id_c"]: r for r in rows(url, "select * from marts.mirror_plan where org_id = %s", [org_id])}


def contract_ids(url: str, org_id: str) -> dict[str, str]:
    """head opportunity → contract id."""
    return {
        r["head_opportunity_id"]: r["contract_id"]
        for r in rows(url, "select * from marts.contracts where org_id = %s", [org_id])
    }


# --- the scenarios --------------------------------------------------------------------------------
def test_the_dry_run_sends_nothing_and_plans_an_insert_per_contract(mirror_db, salesforce):
    result = run_mirror(mirror_db, "mir_first", push=False)
    assert result.success
    assert salesforce.requests == 0
    planned = plan(mirror_db, "mir_first")
    assert {r["action"] for r in planned.values()} == {"INSERT"} and len(planned) == 3
    assert planned["mir_first:G1"]["changed_fields"]["Name"] == {"old": None, "new": "Acme 2023"}


def test_first_push_inserts_every_contract_priors_first_and_reruns_send_nothing(mirror_db, salesforce):
    heads = contract_ids(mirror_db, "mir_first")
    prior, renewal, other = heads["o1"], heads["r1"], heads["o2"]
    result = run_mirror(mirror_db, "mir_first", push=True)
    assert result.success
    pushed = push_result(result)
    assert (pushed["created"], pushed["updated"], pushed["failed"], pushed["requests"]) == (3, 0, 0, 2)
    assert salesforce.requests == 2
    first_request, second_request = salesforce.upsert_bodies()
    assert {r["Deal_Group_Id__c"] for r in first_request} == {prior, other}  # the prior goes first
    assert second_request == [
        {
            "attributes": {"type": "Deal_Group__c"},
            "Deal_Group_Id__c": renewal,
            "Name": "opportunity r1",
            "Account__c": "acc1",
            "Status__c": "Active",
            "Group_Effective_Date__c": "2024-02-01",
            "Group_End_Date__c": "2025-01-31",
            "Prior_Deal_Group__r": {"Deal_Group_Id__c": prior},  # the lookup by external id
            "Contract_Type__c": "RENEWAL",
            "Engagement_Sequence__c": 2,
        }
    ]
    records = salesforce.by_external_id()
    assert set(records) == {prior, renewal, other}
    assert records[renewal]["Prior_Deal_Group__c"] == records[prior]["Id"]
    assert records[prior]["Renewal_Opportunity__c"] == "r1" and records[prior]["Status__c"] == "Closed"
    assert rows(mirror_db, "select count(*) as n from platform.mirror_push_log where org_id = 'mir_first'")[0]["n"] == 3

    # a re-run right after the push, before the sync landed anything: the ledger says it is there
    assert run_mirror(mirror_db, "mir_first", push=True).success
    assert salesforce.requests == 2
    assert {r["action"] for r in plan(mirror_db, "mir_first").values()} == {"UNCHANGED"}

    # the sync's echo of our writes lands in salesforce.deal_group_c: still nothing to send
    write_synced(mirror_db, "mir_first", [synced_row("mir_first", r) for r in salesforce.records.values()])
    assert run_mirror(mirror_db, "mir_first", push=True).success
    assert salesforce.requests == 2

    # one contract's end date changes in the CRM: one record, that field only
    with psycopg.connect(mirror_db) as conn:
        conn.execute(
            "update salesforce.opportunity set contract_end_date_c = '2025-03-31'"
            " where org_id = 'mir_first' and id = 'r1'"
        )
    assert run_backfill(mirror_db, org="mir_first").success
    result = run_mirror(mirror_db, "mir_first", push=True)
    assert plan(mirror_db, "mir_first")[renewal]["changed_fields"] == {
        "Group_End_Date__c": {"old": "2025-01-31", "new": "2025-03-31"}
    }
    assert push_result(result)["updated"] == 1
    assert salesforce.requests == 3
    assert salesforce.upsert_bodies()[-1] == [
        {"attributes": {"type": "Deal_Group__c"}, "Deal_Group_Id__c": renewal, "Group_End_Date__c": "2025-03-31"}
    ]
    assert salesforce.by_external_id()[renewal]["Group_End_Date__c"] == "2025-03-31"
    assert len(salesforce.records) == 3


def test_one_bad_record_in_200_fails_alone_and_a_rerun_retries_only_it(mirror_db, salesforce):
    result = run_mirror(mirror_db, "mir_bad", push=True)
    assert result.success  # the push finished; the failure is listed, not fatal
    pushed = push_result(result)
    assert (pushed["created"], pushed["failed"], pushed["requests"]) == (199, 1, 1)
    assert salesforce.requests == 1 and len(salesforce.upsert_bodies()[0]) == 200
    assert len(salesforce.records) == 199 and "mir_bad:G100" not in salesforce.by_external_id()
    (failure,) = pushed["failures"]
    assert failure["contract_id"] == "mir_bad:G100" and failure["error_code"] == "STRING_TOO_LONG"
    (logged,) = rows(mirror_db, "select * from platform.mirror_push_log where org_id = 'mir_bad' and result = 'failed'")
    assert logged["error_code"] == "STRING_TOO_LONG" and logged["error_message"].startswith(
        "Name: data value too large"
    )
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert not checks["every_pushed_record_accepted"].passed

    result = run_mirror(mirror_db, "mir_bad", push=True)
    assert salesforce.requests == 2
    assert [r["Deal_Group_Id__c"] for r in salesforce.upsert_bodies()[-1]] == ["mir_bad:G100"]
    assert push_result(result)["failed"] == 1 and len(salesforce.records) == 199


def test_a_transient_503_and_a_locked_row_are_retried_and_nothing_is_doubled(mirror_db, salesforce):
    salesforce.fail_next = [503]
    salesforce.lock_once = {"mir_flaky:G002"}
    result = run_mirror(mirror_db, "mir_flaky", push=True)
    pushed = push_result(result)
    assert (pushed["created"], pushed["failed"], pushed["requests"]) == (3, 0, 3)
    assert salesforce.requests == 3  # the 503, the batch (one row locked), that row again
    assert [len(body) for body in salesforce.upsert_bodies()] == [3, 3, 1]
    assert sorted(salesforce.by_external_id()) == ["mir_flaky:G001", "mir_flaky:G002", "mir_flaky:G003"]
    assert len(salesforce.records) == 3
    attempts = {
        r["contract_id"]: r["attempts"]
        for r in rows(mirror_db, "select * from platform.mirror_push_log where org_id = 'mir_flaky'")
    }
    assert attempts == {"mir_flaky:G001": 2, "mir_flaky:G002": 3, "mir_flaky:G003": 2}


def test_above_the_bulk_threshold_one_ingest_job_sends_the_same_records(mirror_db, salesforce):
    result = run_mirror(mirror_db, "mir_bulk", push=True, bulk_threshold=3)
    pushed = push_result(result)
    assert (pushed["created"], pushed["failed"], pushed["api"]) == (5, 0, "bulk2")
    assert len(salesforce.jobs) == 1 and salesforce.upsert_bodies() == []
    (job,) = salesforce.jobs.values()
    assert job["operation"] == "upsert" and job["externalIdFieldName"] == "Deal_Group_Id__c"
    records = salesforce.by_external_id()
    assert sorted(records) == [f"mir_bulk:G{n:03d}" for n in range(1, 6)]
    assert records["mir_bulk:G001"]["Status__c"] == "Active"
    assert records["mir_bulk:G001"]["Group_End_Date__c"] == "2026-01-31"
    assert pushed["requests"] == salesforce.requests
    assert run_mirror(mirror_db, "mir_bulk", push=True, bulk_threshold=3).success
    assert len(salesforce.jobs) == 1  # nothing left to send


def test_a_duplicate_key_is_refused_listed_and_never_sent(mirror_db, salesforce):
    for sf_id, name in (("a0Xdup000000001", "one"), ("a0Xdup000000002", "two")):
        salesforce.records[sf_id] = {"Id": sf_id, "Deal_Group_Id__c": "mir_dup:G002", "Name": name}
    result = run_mirror(mirror_db, "mir_dup", push=True)
    planned = plan(mirror_db, "mir_dup")
    assert planned["mir_dup:G002"]["action"] == "REFUSED"
    assert planned["mir_dup:G002"]["reason"].startswith("DUPLICATE_KEY: 2 Deal_Group__c records")
    assert push_result(result)["created"] == 2
    assert salesforce.requests == 1
    assert [r["Deal_Group_Id__c"] for r in salesforce.upsert_bodies()[0]] == ["mir_dup:G001", "mir_dup:G003"]


def test_a_key_salesforce_holds_twice_before_the_sync_lands_it_fails_alone(mirror_db, salesforce):
    for sf_id in ("a0Xsplit0000001", "a0Xsplit0000002"):  # created in Salesforce, not synced yet
        salesforce.records[sf_id] = {"Id": sf_id, "Deal_Group_Id__c": "mir_split:G002", "Name": "twice"}
    pushed = push_result(run_mirror(mirror_db, "mir_split", push=True))
    assert (pushed["created"], pushed["failed"]) == (2, 1)
    (failure,) = pushed["failures"]
    assert failure["contract_id"] == "mir_split:G002" and failure["error_code"] == "DUPLICATE_EXTERNAL_ID"
    # the 300 splits the request until the record that matches two fails alone: 3 → 1 + 2 → 1 + 1
    assert [[r["Deal_Group_Id__c"][-4:] for r in body] for body in salesforce.upsert_bodies()] == [
        ["G001", "G002", "G003"],
        ["G001"],
        ["G002", "G003"],
        ["G002"],
        ["G003"],
    ]
    assert len(salesforce.records) == 4  # the two it held, and G001 and G003 once each


def test_a_writeback_disabled_org_and_an_illegal_flag_org_are_never_sent(mirror_db, salesforce):
    for org_id in ("mir_off", "mir_illegal"):
        result = run_mirror(mirror_db, org_id, push=True)
        assert result.success and push_result(result)["requests"] == 0
    assert salesforce.requests == 0
    (off,) = plan(mirror_db, "mir_off").values()
    (illegal,) = plan(mirror_db, "mir_illegal").values()
    assert off["action"] == illegal["action"] == "REFUSED"
    assert off["reason"].startswith("ORG_NOT_ENABLED") and illegal["reason"].startswith("ILLEGAL_FLAGS")
    assert rows(mirror_db, "select * from marts.mirror_payload where org_id in ('mir_off', 'mir_illegal')") == []


def test_no_credentials_or_refused_ones_are_one_line_naming_the_variable_and_the_token_is_never_logged(
    mirror_db, salesforce, monkeypatch, caplog
):
    caplog.set_level(logging.DEBUG)
    instance = DagsterInstance.ephemeral()
    server_url = os.environ[INSTANCE_URL]
    monkeypatch.delenv(ACCESS_TOKEN)
    monkeypatch.delenv(INSTANCE_URL)
    missing = run_mirror(mirror_db, "mir_secret", push=True, instance=instance)
    assert not missing.success
    assert "no Salesforce credentials: set SALESFORCE_INSTANCE_URL and SALESFORCE_ACCESS_TOKEN" in failure(missing)
    assert salesforce.requests == 0

    monkeypatch.setenv(INSTANCE_URL, server_url)
    monkeypatch.setenv(ACCESS_TOKEN, TOKEN + "-expired")
    refused = run_mirror(mirror_db, "mir_secret", push=True, instance=instance)
    assert not refused.success
    assert failure(refused) == (
        "Salesforce refused the session (INVALID_SESSION_ID): set SALESFORCE_ACCESS_TOKEN to a current access "
        "token for SALESFORCE_INSTANCE_URL"
    )
    assert salesforce.requests == 1 and salesforce.records == {}

    monkeypatch.setenv(ACCESS_TOKEN, TOKEN)
    pushed = run_mirror(mirror_db, "mir_secret", push=True, instance=instance)
    assert push_result(pushed)["created"] == 2

    logged = [str(record.__dict__) for record in caplog.records]
    events = [str(entry) for run in (missing, refused, pushed) for entry in instance.all_logs(run.run_id)]
    ledger = [str(r) for r in rows(mirror_db, "select * from platform.mirror_push_log")]
    for secret in (TOKEN, TOKEN + "-expired", "AQ4AQFake"):
        assert not any(secret in text for text in logged + events + ledger)


def failure(result) -> str:
    """The failed step's message (a Failure's description)."""
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            message = error.message if error else ""
            return message.strip().splitlines()[0].split(": ", 1)[-1]
    return ""


def test_the_audits_list_orphan_records_and_duplicate_keys_of_writeback_orgs(mirror_db):
    from dagster import materialize

    from dagster_project.audits.defs import AUDITS_SELECTION, audit_checks, audit_history, audit_models
    from dagster_project.lib.dbt_project import dbt_resource
    from dagster_project.lib.resources import PostgresResource

    result = materialize(
        [audit_models, audit_history, audit_checks],
        resources={"dbt": dbt_resource(), "postgres": PostgresResource(database_url=mirror_db)},
        instance=DagsterInstance.ephemeral(),
        selection=AUDITS_SELECTION,
        raise_on_error=False,
    )
    assert result.success
    found = {
        (r["audit_id"], r["entity_id"], r["finding_key"], r["severity"])
        for r in rows(mirror_db, "select * from marts.audit_findings where audit_id like 'MIRROR%%'")
    }
    assert found == {
        ("MIRROR_DUPLICATE_KEY", "a0Xdup000000001", "mir_dup:G002", "ERROR"),
        ("MIRROR_DUPLICATE_KEY", "a0Xdup000000002", "mir_dup:G002", "ERROR"),
        ("MIRROR_ORPHAN", "a0Xorphan000001", "a0Xorphan000001", "WARN"),
    }  # mir_off's record is not listed: writeback is off there
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert not checks["audit_mirror_duplicate_key"].passed
    assert checks["audit_mirror_duplicate_key"].asset_key.to_user_string() == "salesforce/deal_group_c"


def test_the_plan_is_recomputed_as_a_dry_run_after_every_backfill_or_renewal_run():
    from dagster import DefaultSensorStatus, RunRequest, SkipReason, build_run_status_sensor_context, job, op

    from dagster_project.lib.jobs import BACKFILL_JOB
    from dagster_project.mirror.defs import mirror_plan_after_apply

    @op
    def nothing():
        return None

    def finished_run(instance, job_name, tags):
        @job(name=job_name)
        def stand_in():
            nothing()

        result = stand_in.execute_in_process(instance=instance, tags=tags)
        return result.dagster_run, result.get_run_success_event()

    assert mirror_plan_after_apply.default_status == DefaultSensorStatus.RUNNING
    with DagsterInstance.ephemeral() as instance:
        run, event = finished_run(instance, BACKFILL_JOB, {"dagster/partition": "mir_first"})
        context = build_run_status_sensor_context(
            sensor_name="mirror_plan_after_apply", dagster_instance=instance, dagster_run=run, dagster_event=event
        )
        request = mirror_plan_after_apply(context)
        assert isinstance(request, RunRequest) and request.run_key == f"after:{run.run_id}"
        assert request.tags == {"dagster/partition": "mir_first"}
        assert request.run_config == mirror_run_config(push=False)
        other, other_event = finished_run(instance, "audits", {})
        context = build_run_status_sensor_context(
            sensor_name="mirror_plan_after_apply",
            dagster_instance=instance,
            dagster_run=other,
            dagster_event=other_event,
        )
        assert isinstance(mirror_plan_after_apply(context), SkipReason)


def test_the_cli_push_without_credentials_is_one_line_naming_the_variables():
    import subprocess
    import sys

    from dagster_project import settings

    env = {k: v for k, v in os.environ.items() if not k.startswith("SALESFORCE_")}
    result = subprocess.run(
        [sys.executable, "-m", "dagster_project", "mirror", "--push"],
        capture_output=True,
        text=True,
        cwd=settings.PROJECT_ROOT,
        env=env,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: no Salesforce credentials: set SALESFORCE_INSTANCE_URL and SALESFORCE_ACCESS_TOKEN (or "
        "SALESFORCE_USERNAME, SALESFORCE_PASSWORD and SALESFORCE_SECURITY_TOKEN; SALESFORCE_DOMAIN=test for a "
        "sandbox)"
    ]


def test_the_cli_prints_each_orgs_plan_as_a_dry_run(mirror_db, tmp_path):
    import subprocess
    import sys

    from dagster_project import settings

    env = {k: v for k, v in os.environ.items() if not k.startswith("SALESFORCE_")}
    result = subprocess.run(
        [sys.executable, "-m", "dagster_project", "mirror", "--org", "mir_dup", "--org", "mir_illegal"],
        capture_output=True,
        text=True,
        cwd=settings.PROJECT_ROOT,
        env={**env, "DATABASE_URL": mirror_db, "DAGSTER_HOME": str(tmp_path)},
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("mir_dup: 3 contracts — INSERT ") and "REFUSED 1" in lines[0]
    assert any(line.startswith("  REFUSED mir_dup:G002: DUPLICATE_KEY: 2 Deal_Group__c records") for line in lines)
    assert "mir_illegal: 1 contracts — INSERT 0, UPDATE 0, UNCHANGED 0, REFUSED 1" in lines
    assert lines[-1].endswith("dry run: nothing sent (add --push)")


def test_a_record_waits_only_for_a_prior_this_push_inserts_and_only_when_it_sends_the_lookup():
    from dagster_project.mirror.push import PlannedRecord, levels

    def record(contract_id, action, prior=None, changed=()):
        payload = {"Name": contract_id, "Status__c": "Active", "Prior_Deal_Group__r": prior}
        return PlannedRecord("o", contract_id, action, tuple(changed), payload, "h", prior)

    chain = [record("A", "INSERT"), record("B", "INSERT", "A"), record("C", "INSERT", "B")]
    assert [[r.contract_id for r in level] for level in levels(chain)] == [["A"], ["B"], ["C"]]
    steady = [record("A", "UPDATE", changed=["Name"]), record("B", "UPDATE", "A", changed=["Name"])]
    assert [[r.contract_id for r in level] for level in levels(steady)] == [["A", "B"]]
    relinked = [record("A", "UPDATE", changed=["Name"]), record("B", "UPDATE", "A", changed=["Prior_Deal_Group__r"])]
    assert len(levels(relinked)) == 1  # A exists in Salesforce already: the lookup resolves
    assert record("B", "UPDATE", None, changed=["Prior_Deal_Group__r"]).body() == {
        "attributes": {"type": "Deal_Group__c"},
        "Deal_Group_Id__c": "B",
        "Prior_Deal_Group__c": None,  # a cleared lookup
    }
