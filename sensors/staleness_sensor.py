"""The staleness sensor: follows ``app.change_event`` by ``event_id`` and asks
for one staleness run per settled batch of events.

Each tick:
1. takes the events after the cursor whose inspection (or template) has been
   quiet for the debounce window — a burst is held back whole, then coalesced;
2. asks which inspections those events oblige us to check under their
   agreements' policies (under SELECTIVE a charge-only batch needs nothing);
3. yields a ``RunRequest`` whose run key is the event range (a redelivered
   batch never runs twice) and whose config is that range, or a ``SkipReason``.
   The run applies ``app/agreement_staleness`` for the batch's inspections only,
   computed from the live decisions view (no full dbt build per batch; the
   scheduled full run rebuilds and tests the marts);
4. advances the cursor past the batch — never past a settling event.
The cursor is JSON (``{"last_event_id": N}``) and Dagster keeps it across restarts.
"""

import json

import psycopg
from dagster import (
    ConfigurableResource,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)
from pydantic import Field

from checks.staleness_checks import AGREEMENT_STALENESS
from dagster_project.lib import database
from dagster_project.lib.change_batches import DEFAULT_MAX_EVENTS_PER_RUN, batch_scope, ready_batch
from dagster_project.lib.resources import PostgresResource

STALENESS_JOB = "agreement_staleness"
APPLY_OP = "app__agreement_staleness"


class StalenessSettings(ConfigurableResource):
    """How the staleness sensor batches change events."""

    debounce_seconds: float = Field(default=30.0, description="quiet time an inspection needs before its check")
    max_events_per_run: int = Field(default=DEFAULT_MAX_EVENTS_PER_RUN, description="cap on one batch")


def read_cursor(cursor: str | None) -> int:
    """The last event already handed to a run (0 before the first tick)."""
    if not cursor:
        return 0
    try:
        return int(json.loads(cursor)["last_event_id"])
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f'staleness_sensor: unreadable cursor {cursor!r}; expected {{"last_event_id": N}}') from error


def write_cursor(last_event_id: int) -> str:
    return json.dumps({"last_event_id": last_event_id})


def run_key(first_event_id: int, last_event_id: int) -> str:
    return f"staleness:events:{first_event_id}-{last_event_id}"


@sensor(
    job_name=STALENESS_JOB,
    minimum_interval_seconds=30,
    default_status=DefaultSensorStatus.RUNNING,
    description=(
        "Follows app.change_event; once an inspection's events have been quiet for the debounce window, "
        "starts one agreement_staleness run per batch (run key = event range). Under SELECTIVE, a charge-only "
        "batch starts nothing."
    ),
)
def staleness_sensor(
    context: SensorEvaluationContext, postgres: PostgresResource, staleness_settings: StalenessSettings
):
    after = read_cursor(context.cursor)
    try:
        with database.connect(postgres.url()) as conn:
            batch = ready_batch(conn, after, staleness_settings.debounce_seconds, staleness_settings.max_events_per_run)
            scope = batch_scope(conn, batch.first_event_id, batch.last_event_id) if batch else None
    except psycopg.errors.UndefinedTable as error:
        return SkipReason(
            f"the staleness views are not built yet ({error.diag.message_primary}); run the {STALENESS_JOB} job once"
        )
    if batch is None:
        return SkipReason(f"no settled change events after event {after}")
    cursor = write_cursor(batch.last_event_id)
    held = f"; {batch.settling_events} event(s) still within the debounce window" if batch.settling_events else ""
    if not scope.inspections_to_check:
        return SensorResult(
            skip_reason=SkipReason(
                f"events {batch.first_event_id}..{batch.last_event_id} ({batch.events}): no change any policy "
                f"counts ({scope.skipped_inspections} inspection(s) touched only by uncounted changes){held}"
            ),
            cursor=cursor,
        )
    context.log.info(
        f"events {batch.first_event_id}..{batch.last_event_id}: "
        f"{len(scope.inspections_to_check)} inspection(s) to check{held}"
    )
    return SensorResult(
        run_requests=[
            RunRequest(
                run_key=run_key(batch.first_event_id, batch.last_event_id),
                asset_selection=[AGREEMENT_STALENESS],
                run_config={
                    "ops": {
                        APPLY_OP: {
                            "config": {"first_event_id": batch.first_event_id, "last_event_id": batch.last_event_id}
                        }
                    }
                },
                tags={
                    "staleness/first_event_id": str(batch.first_event_id),
                    "staleness/last_event_id": str(batch.last_event_id),
                    "staleness/inspections": str(len(scope.inspections_to_check)),
                },
            )
        ],
        cursor=cursor,
    )
