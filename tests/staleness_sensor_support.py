"""Ticking the real staleness sensor against the test database, and running what it asks for."""

from __future__ import annotations

from dagster import DagsterInstance, RunRequest, SensorResult, SkipReason, build_sensor_context

from dagster_project.lib.resources import PostgresResource
from sensors.staleness_sensor import StalenessSettings, read_cursor, staleness_sensor, write_cursor


def cursor_now(conn) -> str:
    """A cursor past every event so far: a test sees only its own events."""
    return write_cursor(conn.execute("select coalesce(max(event_id), 0) from app.change_event").fetchone()[0])


def tick(url: str, instance: DagsterInstance, cursor: str, debounce_seconds: float = 30.0):
    """One sensor evaluation: (run requests, skip reason or None, new cursor)."""
    context = build_sensor_context(
        instance=instance,
        cursor=cursor,
        resources={
            "postgres": PostgresResource(database_url=url),
            "staleness_settings": StalenessSettings(debounce_seconds=debounce_seconds),
        },
    )
    result = staleness_sensor(context)
    if isinstance(result, SkipReason):
        return [], result, cursor
    assert isinstance(result, SensorResult)
    requests = [r for r in (result.run_requests or []) if isinstance(r, RunRequest)]
    skip = result.skip_reason
    return requests, skip, result.cursor if result.cursor is not None else cursor


def event_range(request: RunRequest) -> tuple[int, int]:
    config = request.run_config["ops"]["app__agreement_staleness"]["config"]
    return config["first_event_id"], config["last_event_id"]


__all__ = ["cursor_now", "tick", "event_range", "read_cursor"]
