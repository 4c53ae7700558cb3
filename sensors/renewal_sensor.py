"""The renewal sensor: follows the CRM sync and asks for a renewal pipeline run
for the orgs whose renewals a change can move.

- ``salesforce.opportunity`` by ``(system_modstamp, id)``: an opportunity that
  became Won, or whose ``last_opportunity_c`` (its renewal/amendment pointer)
  changed, compared with what the last run computed from
  (``marts.valid_opportunities``) — an amount or name edit is not one.
- ``salesforce.deal_group_c`` by ``(system_modstamp, id)``: only a changed
  ``renewal_opportunity_c``, compared with ``marts.renewal_deal_group_links``.
  An edit of any other field starts nothing (that was F2's cause).

One ``RunRequest`` per affected org (its org partition; the contracts touched
as run config), with a run key derived from the cursor range and the org, so a
redelivered change never runs twice; an org that is not a partition yet is
added first. The cursor (JSON, kept by Dagster across restarts) is
the last ``(system_modstamp, id)`` seen in each table; the first tick starts
from the newest row (history is the backfill's job, not the sensor's)."""

import hashlib
import json

import psycopg
from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SensorResult, SkipReason, sensor

from dagster_project.lib import database
from dagster_project.lib.jobs import RENEWAL_JOB, renewal_run_config
from dagster_project.lib.partitions import ORG_PARTITIONS, new_orgs
from dagster_project.lib.resources import PostgresResource

MAX_ROWS_PER_TICK = 200_000
_START = ["-infinity", ""]

_OPPORTUNITIES = """
    select o.org_id, o.id, o.system_modstamp,
           (coalesce(o.is_won, false) and not coalesce(v.is_won, false))
           or (v.opportunity_id is not null and o.last_opportunity_c is distinct from v.last_opportunity_id)
           or (v.opportunity_id is null and o.last_opportunity_c is not null) as is_renewal_relevant,
           m.contract_id
    from salesforce.opportunity as o
    left join marts.valid_opportunities as v on v.org_id = o.org_id and v.opportunity_id = o.id
    left join marts.contract_memberships as m on m.org_id = o.org_id and m.opportunity_id = o.last_opportunity_c
    where o.system_modstamp is not null and (o.system_modstamp, o.id) > (%(stamp)s::timestamptz, %(id)s)
    order by o.system_modstamp, o.id
    limit %(limit)s
"""

_DEAL_GROUPS = """
    select d.org_id, d.id, d.system_modstamp,
           d.renewal_opportunity_c is distinct from l.renewal_opportunity_id
           and (l.id is not null or d.renewal_opportunity_c is not null) as is_renewal_relevant,
           d.deal_group_id_c
    from salesforce.deal_group_c as d
    left join marts.renewal_deal_group_links as l on l.org_id = d.org_id and l.id = d.id
    where d.system_modstamp is not null and (d.system_modstamp, d.id) > (%(stamp)s::timestamptz, %(id)s)
    order by d.system_modstamp, d.id
    limit %(limit)s
"""

WATCHED_TABLES = ("opportunity", "deal_group_c")


def read_cursor(cursor: str | None) -> dict | None:
    if not cursor:
        return None
    try:
        value = json.loads(cursor)
        return {"opportunity": list(value["opportunity"]), "deal_group_c": list(value["deal_group_c"])}
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f"renewal_sensor: unreadable cursor {cursor!r}") from error


def write_cursor(position: dict) -> str:
    return json.dumps(position, sort_keys=True)


def run_key(before: str, after: str) -> str:
    return "renewals:" + hashlib.sha256(f"{before}->{after}".encode()).hexdigest()[:24]


def _newest(conn) -> dict:
    position = {}
    for table in WATCHED_TABLES:
        row = conn.execute(
            f"select system_modstamp, id from salesforce.{table} where system_modstamp is not null "
            "order by system_modstamp desc, id desc limit 1"
        ).fetchone()
        position[table] = [row[0].isoformat(), row[1]] if row else list(_START)
    return position


@sensor(
    job_name=RENEWAL_JOB,
    minimum_interval_seconds=30,
    default_status=DefaultSensorStatus.RUNNING,
    description=(
        "Follows the CRM sync: an opportunity that became Won or changed its renewal pointer, or a Deal_Group__c "
        "whose renewal_opportunity_c changed, starts the renewal pipeline for its org (run key = cursor range)."
    ),
)
def renewal_sensor(context: SensorEvaluationContext, postgres: PostgresResource):
    before = read_cursor(context.cursor)
    try:
        with database.connect(postgres.url()) as conn:
            if before is None:
                start = _newest(conn)
                return SensorResult(
                    skip_reason=SkipReason("first tick: following changes from now on"), cursor=write_cursor(start)
                )
            after = {k: list(v) for k, v in before.items()}
            orgs, contracts, relevant = set(), {}, {}
            for table, sql in (("opportunity", _OPPORTUNITIES), ("deal_group_c", _DEAL_GROUPS)):
                stamp, last_id = before[table]
                rows = conn.execute(sql, {"stamp": stamp, "id": last_id, "limit": MAX_ROWS_PER_TICK}).fetchall()
                if rows:
                    after[table] = [rows[-1][2].isoformat(), rows[-1][1]]
                for org_id, _, _, is_relevant, contract_id in rows:
                    if is_relevant and org_id is not None:
                        relevant[org_id] = relevant.get(org_id, 0) + 1
                        orgs.add(org_id)
                        if contract_id:
                            contracts.setdefault(org_id, set()).add(contract_id)
    except psycopg.errors.UndefinedTable as error:
        return SkipReason(
            f"the renewal models are not built yet ({error.diag.message_primary}); run the {RENEWAL_JOB} job once"
        )
    before_text, after_text = write_cursor(before), write_cursor(after)
    if not orgs:
        message = "no new CRM change" if after == before else "CRM changes, none that moves a renewal"
        return SensorResult(skip_reason=SkipReason(message), cursor=after_text)
    added = new_orgs(context.instance, sorted(orgs))
    return SensorResult(
        run_requests=[
            RunRequest(
                run_key=f"{run_key(before_text, after_text)}:{org}",
                partition_key=org,
                run_config=renewal_run_config(contracts=sorted(contracts.get(org, ()))),
                tags={"renewals/changes": str(relevant[org])},
            )
            for org in sorted(orgs)
        ],
        dynamic_partitions_requests=[ORG_PARTITIONS.build_add_request(added)] if added else [],
        cursor=after_text,
    )
