"""The staleness sensor on a real Dagster instance: debounce, run keys, cursor,
policy-aware skipping, and bad events that are listed without stopping the batch."""

from __future__ import annotations

import datetime as dt

import pytest
from dagster import DagsterInstance

from sensors.staleness_sensor import read_cursor, run_key, write_cursor
from tests.conftest import run_staleness
from tests.staleness_sensor_support import cursor_now, event_range, tick

SETTLED = 60.0


@pytest.fixture
def instance():
    return DagsterInstance.ephemeral()


def test_a_burst_is_held_back_then_coalesced_into_one_run_request(platform_url, agreement_app, instance):
    app = agreement_app
    app.company("db-co")
    app.template("db-t", "db-co")
    for name in ("quiet", "busy"):
        app.inspection(f"db-{name}", "db-co")
        app.sign(f"db-{name}-a", f"db-{name}", "db-t")
    cursor = cursor_now(app.conn)
    quiet = app.reschedule("db-quiet", dt.datetime(2026, 6, 1, tzinfo=dt.UTC), seconds_ago=SETTLED)
    burst = [
        app.event("inspection", "update", entity_id="db-busy", inspection_id="db-busy", fields=[field], seconds_ago=age)
        for field, age in (
            ("scheduled_at", 50),
            ("people.client.email", 40),
            ("property_address", 20),
            ("scheduled_at", 5),
            ("people.agent", 1),
        )
    ]

    # the burst is still going: only the quiet inspection's earlier event is taken
    requests, _, cursor = tick(platform_url, instance, cursor)
    assert [event_range(r) for r in requests] == [(quiet, quiet)]
    assert read_cursor(cursor) == quiet
    # a redelivered tick (same cursor) asks for the same run key, so the run starts once
    again, _, _ = tick(platform_url, instance, write_cursor(quiet - 1))
    assert [r.run_key for r in again] == [r.run_key for r in requests] == [run_key(quiet, quiet)]

    requests, skip, held_cursor = tick(platform_url, instance, cursor)
    assert requests == [] and held_cursor == cursor and "no settled change events" in skip.skip_message

    # the burst settles: ONE run request covers all five events
    app.conn.execute(
        "update app.change_event set occurred_at = now() - interval '45 seconds' where event_id = any(%s)", [burst]
    )
    requests, _, cursor = tick(platform_url, instance, cursor)
    assert len(requests) == 1
    assert event_range(requests[0]) == (burst[0], burst[-1])
    assert requests[0].run_key == run_key(burst[0], burst[-1])
    assert requests[0].tags["staleness/inspections"] == "1"
    assert read_cursor(cursor) == burst[-1]


def test_debounce_window_is_configurable(platform_url, agreement_app, instance):
    app = agreement_app
    app.company("dw-co")
    app.template("dw-t", "dw-co")
    app.inspection("dw-i", "dw-co")
    app.sign("dw-a", "dw-i", "dw-t")
    cursor = cursor_now(app.conn)
    event = app.reschedule("dw-i", dt.datetime(2026, 7, 1, tzinfo=dt.UTC), seconds_ago=10)
    assert tick(platform_url, instance, cursor, debounce_seconds=30)[0] == []
    assert [event_range(r) for r in tick(platform_url, instance, cursor, debounce_seconds=5)[0]] == [(event, event)]


def test_bad_events_are_listed_and_the_rest_of_the_batch_runs(platform_url, agreement_app, instance):
    app = agreement_app
    app.company("bad-co")
    app.template("bad-t", "bad-co")
    app.inspection("bad-i", "bad-co")
    app.inspection("bad-people", "bad-co", people=["not", "an", "object"])
    app.sign("bad-a", "bad-i", "bad-t")
    app.sign("bad-people-a", "bad-people", "bad-t")
    cursor = cursor_now(app.conn)
    bad = {
        app.event(
            "inspection", "update", inspection_id="bad-nobody", fields=["scheduled_at"], seconds_ago=SETTLED
        ): "UNKNOWN_INSPECTION",
        app.event(
            "inspection", "update", inspection_id="bad-i", fields=None, seconds_ago=SETTLED
        ): "MALFORMED_CHANGED_FIELDS",
        app.event(
            "inspection", "update", inspection_id="bad-i", fields=["people..x"], seconds_ago=SETTLED
        ): "MALFORMED_CHANGED_FIELDS",
        app.event(
            "template", "update", template_id="bad-no-template", fields=["body"], seconds_ago=SETTLED
        ): "UNKNOWN_TEMPLATE",
        app.event(
            "mystery", "update", inspection_id="bad-i", fields=["x"], seconds_ago=SETTLED
        ): "UNKNOWN_EVENT_SOURCE",
    }
    good = app.reschedule("bad-i", dt.datetime(2026, 8, 1, tzinfo=dt.UTC), seconds_ago=SETTLED)
    app.reschedule("bad-people", dt.datetime(2026, 8, 1, tzinfo=dt.UTC), seconds_ago=SETTLED)

    requests, _, cursor = tick(platform_url, instance, cursor)
    first, last = event_range(requests[0])
    assert first == min(bad) and last > good
    result = run_staleness(platform_url, first_event_id=first, last_event_id=last, instance=instance)
    assert result.success
    assert app.agreement("bad-a")["is_stale"]  # the valid reschedule was applied
    assert run_staleness(platform_url, instance=instance).success  # the full run lists the problems
    problems = {
        (r[0], r[1], r[2])
        for r in app.conn.execute(
            "select source_table, row_id, reason from marts.staleness_problems "
            "where row_id = any(%s) or row_id like 'bad-%%'",
            [[str(e) for e in bad]],
        ).fetchall()
    }
    assert {("app.change_event", str(event), reason) for event, reason in bad.items()} <= problems
    # FULL cannot hash people that is not an object: listed, and the flag left as it was
    assert ("app.inspection", "bad-people", "PEOPLE_NOT_OBJECT") in problems
    assert ("app.agreement", "bad-people-a", "PEOPLE_NOT_OBJECT") in problems
    assert app.agreement("bad-people-a")["is_stale"] is False


def test_sensor_skips_cleanly_before_the_views_exist(agreement_app, instance, tmp_path):
    from tests.conftest import fresh_database

    url = fresh_database("platform_test_no_views")
    requests, skip, cursor = tick(url, instance, write_cursor(0))
    assert requests == [] and "run the agreement_staleness job once" in skip.skip_message
    assert cursor == write_cursor(0)


def test_a_batch_run_does_not_apply_while_the_last_full_runs_checks_fail(platform_url, agreement_app, instance):
    from dagster import AssetCheckEvaluation, AssetKey

    app = agreement_app
    app.signed_job("gate")
    first = app.change_charge("gate-c", "1.00", seconds_ago=SETTLED)
    instance.report_runless_asset_event(
        AssetCheckEvaluation(
            asset_key=AssetKey(["marts", "agreement_staleness"]),
            check_name="staleness_every_checked_agreement_has_one_row",
            passed=False,
        )
    )
    result = run_staleness(platform_url, first_event_id=first, last_event_id=first, instance=instance)
    assert not result.success
    failure = [e for e in result.all_events if e.is_step_failure][0]
    assert (
        "blocking checks failed (marts/agreement_staleness:staleness_every_checked_agreement_has_one_row)"
        in failure.event_specific_data.error.message
    )
    assert app.agreement("gate-a")["is_stale"] is False
