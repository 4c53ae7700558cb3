"""SPEC §6 regressions with real rows: the application's edits (and its change
events) replayed against PostgreSQL, the real sensor ticked, the runs it asks
for executed, and the application rows asserted. Each test has its own ids."""

from __future__ import annotations

import datetime as dt

import pytest
from dagster import DagsterInstance
from psycopg.rows import dict_row

from dagster_project.staleness.rules import AgreementLockInput, report_lock_state
from tests.conftest import run_staleness
from tests.staleness_sensor_support import cursor_now, event_range, read_cursor, tick

SETTLED = 60.0  # seconds: events this old are past the 30 s debounce window
LATER = dt.datetime(2026, 5, 2, 14, 0, tzinfo=dt.UTC)


@pytest.fixture
def instance():
    return DagsterInstance.ephemeral()


def staleness(app, agreement_id: str) -> dict:
    """The decision as it stands now (the live view the sensor's runs apply from)."""
    return (
        app.conn.cursor(row_factory=dict_row)
        .execute("select * from intermediate.int_staleness__decisions where agreement_id = %s", [agreement_id])
        .fetchone()
    )


def report_lock(app, inspection_id: str) -> dict:
    return (
        app.conn.cursor(row_factory=dict_row)
        .execute("select * from marts.report_lock where inspection_id = %s", [inspection_id])
        .fetchone()
    )


def live_lock(app, inspection_id: str):
    """What the portal computes from the live rows, through the Python API."""
    rows = app.conn.execute(
        "select status, signed_at is not null, is_stale from app.agreement where inspection_id = %s", [inspection_id]
    ).fetchall()
    return report_lock_state(AgreementLockInput(*r) for r in rows)


def run_requested(platform_url, instance, requests):
    assert len(requests) == 1
    first, last = event_range(requests[0])
    result = run_staleness(platform_url, first_event_id=first, last_event_id=last, instance=instance)
    assert result.success
    return result


def test_transcript_case_leaves_the_report_unlocked(platform_url, agreement_app, instance):
    """signed → services changed → replacement signed → prior archived (FULL, today's default)."""
    app = agreement_app
    app.signed_job("tr", amount="300.00")  # agreement tr-a, signed
    cursor = cursor_now(app.conn)

    app.change_charge("tr-c", "450.00", seconds_ago=SETTLED)  # services changed
    requests, _, cursor = tick(platform_url, instance, cursor)
    run_requested(platform_url, instance, requests)
    first = app.agreement("tr-a")
    assert first["is_stale"] and first["stale_at"] is not None
    assert staleness(app, "tr-a")["stale_reasons"] == ["charges"]
    assert live_lock(app, "tr-i").is_locked

    app.sign("tr-a2", "tr-i", "tr-t")  # the replacement, over the new services
    app.archive("tr-a")
    assert not live_lock(app, "tr-i").is_locked
    assert run_staleness(platform_url, instance=instance).success  # the next run, whatever starts it
    lock = report_lock(app, "tr-i")
    assert (lock["agreement_present"], lock["agreement_signed"], lock["is_locked"]) == (True, True, False)
    assert not app.agreement("tr-a2")["is_stale"]
    stale_at = app.agreement("tr-a")["stale_at"]

    # a late redelivery of the old charge event changes nothing: the replacement signed the current facts
    requests, skip, _ = tick(platform_url, instance, cursor_now(app.conn))
    assert requests == [] and skip is not None
    assert app.agreement("tr-a")["stale_at"] == stale_at


def test_selective_charge_edit_alone_is_not_stale_and_reschedule_is(platform_url, agreement_app, instance):
    app = agreement_app
    app.company("sel-co", stale_policy="SELECTIVE")
    app.template("sel-t", "sel-co")
    for name in ("charge-only", "charge-then-reschedule", "reschedule-then-charge"):
        app.inspection(f"sel-{name}", "sel-co")
        app.charge(f"sel-{name}-c", f"sel-{name}", "Radon test", "150.00")
        app.sign(f"sel-{name}-a", f"sel-{name}", "sel-t")
    cursor = cursor_now(app.conn)

    # a charge-only batch enqueues no work under SELECTIVE, and the cursor moves past it
    for name in ("charge-only", "charge-then-reschedule"):
        last = app.change_charge(f"sel-{name}-c", "175.00", seconds_ago=SETTLED)
    requests, skip, cursor = tick(platform_url, instance, cursor)
    assert requests == [] and "no change any policy counts" in skip.skip_message
    assert read_cursor(cursor) == last

    app.reschedule("sel-charge-then-reschedule", LATER, seconds_ago=SETTLED)
    app.reschedule("sel-reschedule-then-charge", LATER, seconds_ago=SETTLED)
    app.change_charge("sel-reschedule-then-charge-c", "200.00", seconds_ago=SETTLED)
    requests, _, cursor = tick(platform_url, instance, cursor)
    run_requested(platform_url, instance, requests)

    for name in ("charge-then-reschedule", "reschedule-then-charge"):
        row = staleness(app, f"sel-{name}-a")
        assert row["is_stale"] and row["stale_reasons"] == ["datetime"], name
        assert row["differing_classes"] == ["datetime", "charges"]
        assert app.agreement(f"sel-{name}-a")["is_stale"]
    alone = staleness(app, "sel-charge-only-a")
    assert alone["is_stale"] is False and alone["differing_classes"] == ["charges"]
    assert not app.agreement("sel-charge-only-a")["is_stale"]


def test_template_body_change_stales_selective_and_version_only(platform_url, agreement_app, instance):
    app = agreement_app
    app.company("tpl-co", stale_policy="SELECTIVE")  # company default …
    app.template("tpl-sel", "tpl-co")
    app.template("tpl-tvo", "tpl-co", stale_policy="TEMPLATE_VERSION_ONLY")  # … overridden by the template
    for template in ("tpl-sel", "tpl-tvo"):
        for n in range(2):
            app.inspection(f"{template}-i{n}", "tpl-co")
            app.sign(f"{template}-i{n}-a", f"{template}-i{n}", template)
    cursor = cursor_now(app.conn)
    app.change_template_body("tpl-sel", "New terms.", seconds_ago=SETTLED)
    app.change_template_body("tpl-tvo", "New terms.", seconds_ago=SETTLED)

    requests, _, cursor = tick(platform_url, instance, cursor)
    assert requests[0].tags["staleness/inspections"] == "4"  # fanned out to every agreement of both templates
    run_requested(platform_url, instance, requests)
    assert run_staleness(platform_url, instance=instance).success  # the scheduled full run
    policies = {
        r[0]: r[1]
        for r in app.conn.execute(
            "select template_id, policy from marts.stale_policy_resolved where company_id = 'tpl-co'"
        ).fetchall()
    }
    assert policies == {"tpl-sel": "SELECTIVE", "tpl-tvo": "TEMPLATE_VERSION_ONLY", None: "SELECTIVE"}
    for template, policy in (("tpl-sel", "SELECTIVE"), ("tpl-tvo", "TEMPLATE_VERSION_ONLY")):
        for n in range(2):
            row = staleness(app, f"{template}-i{n}-a")
            assert (row["policy"], row["is_stale"], row["stale_reasons"]) == (policy, True, ["template"])
            assert app.agreement(f"{template}-i{n}-a")["stale_at"] is not None


def test_stale_at_is_kept_while_stale_and_cleared_when_not(platform_url, agreement_app, instance):
    app = agreement_app
    app.signed_job("sa", service="Pool", amount="80.00")
    cursor = cursor_now(app.conn)
    app.change_charge("sa-c", "90.00", seconds_ago=SETTLED)
    requests, _, cursor = tick(platform_url, instance, cursor)
    run_requested(platform_url, instance, requests)
    first_stale_at = app.agreement("sa-a")["stale_at"]
    assert first_stale_at is not None

    app.reschedule("sa-i", LATER, seconds_ago=SETTLED)  # still stale, for one more reason
    requests, _, cursor = tick(platform_url, instance, cursor)
    run_requested(platform_url, instance, requests)
    assert app.agreement("sa-a")["stale_at"] == first_stale_at

    app.change_charge("sa-c", "80.00", seconds_ago=SETTLED)
    app.reschedule("sa-i", dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC), seconds_ago=SETTLED)
    requests, _, cursor = tick(platform_url, instance, cursor)
    result = run_requested(platform_url, instance, requests)
    agreement = app.agreement("sa-a")
    assert (agreement["is_stale"], agreement["stale_at"]) == (False, None)
    check = [e for e in result.get_asset_check_evaluations() if e.check_name == "stale_at_set_iff_stale"]
    assert check and all(e.passed for e in check)
