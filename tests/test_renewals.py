"""The renewal pipeline (SPEC §4) on real PostgreSQL through real Dagster runs:
seed replay, scaffolding, F1 under 8 concurrent applies, F2 reseed, adoption
of a scaffold by the renewal opportunity that arrives, the sensor, F4, F7."""

from __future__ import annotations

import threading

import psycopg
import pytest
from dagster import DagsterInstance, build_schedule_context, build_sensor_context, instance_for_test
from psycopg.rows import dict_row

from checks.hierarchy_checks import hierarchy_expectations_check
from checks.renewal_checks import one_pending_successor_per_prior, seeded_quotes_are_system_drafts
from dagster_project.backfill.apply import apply_hierarchy
from dagster_project.backfill.defs import engagement_hierarchy, hierarchy_models
from dagster_project.demo.load import load_dataset
from dagster_project.lib.jobs import renewal_run_config
from dagster_project.lib.partitions import add_org_partitions
from dagster_project.lib.resources import PostgresResource
from dagster_project.lib.runs import materialize_orgs
from dagster_project.renewals.apply import apply_renewals
from dagster_project.renewals.defs import daily_lifecycle, renewal_models, renewal_scaffolding
from sensors.renewal_sensor import read_cursor, renewal_sensor
from tests.conftest import fresh_database
from tests.renewal_scenarios import AS_OF, renewal_dataset


def run_pipeline(url: str, config: dict | None = None, instance=None, org: str | None = None):
    """The renewal pipeline, as of AS_OF: every org in one run (the daily schedule's), or ``org`` with
    what ``config`` (a sensor's run request) says."""
    config = config or renewal_run_config()
    for op in ("hierarchy_models", "renewal_models"):
        config["ops"][op]["config"]["as_of"] = AS_OF
    result = materialize_orgs(
        [
            hierarchy_models,
            engagement_hierarchy,
            hierarchy_expectations_check,
            renewal_models,
            renewal_scaffolding,
            one_pending_successor_per_prior,
            seeded_quotes_are_system_drafts,
        ],
        url=url,
        run_config=config,
        instance=instance,
        org=org,
    )
    assert result.success, [e.message for e in result.all_events if e.is_failure][:3]
    return result


def insert(conn, table: str, rows: list[dict]) -> None:
    for row in rows:
        conn.execute(
            f"insert into {table} ({', '.join(row)}) values ({', '.join(['%s'] * len(row))})", list(row.values())
        )


@pytest.fixture(scope="module")
def renewal_url():
    url = fresh_database("platform_renewals")
    data, quotes, lines = renewal_dataset()
    load_dataset(data, url)
    with psycopg.connect(url) as conn:
        insert(conn, "app.quote", quotes)
        insert(conn, "app.quote_line", lines)
        insert(
            conn,
            "salesforce.deal_group_c",
            [
                dict(org_id="rn_sensor", id="a0X1", deal_group_id_c="x", name="mirror", renewal_opportunity_c=None),
                dict(org_id="rn_sensor", id="a0X2", deal_group_id_c="y", name="mirror 2", renewal_opportunity_c=None),
            ],
        )
    run_pipeline(url)
    with psycopg.connect(url) as conn:  # rn_race's scaffold is left for the race below to write
        conn.execute(
            "delete from app.quote_line where org_id = 'rn_race' and quote_id in"
            " (select id from app.quote where org_id = 'rn_race' and is_system_draft)"
        )
        conn.execute("delete from app.quote where org_id = 'rn_race' and is_system_draft")
        conn.execute("delete from app.deal_group where org_id = 'rn_race' and created_by = 'renewal_scaffold'")
    return url


def rows(url: str, sql: str, params=()) -> list[dict]:
    with psycopg.connect(url, row_factory=dict_row) as conn:
        return conn.execute(sql, params).fetchall()


def seed(url: str, org: str) -> dict[str, tuple]:
    return {
        r["product_sku"]: (float(r["quantity"]), float(r["unit_price"]), str(r["start_date"]), str(r["end_date"]))
        for r in rows(url, "select * from marts.renewal_seed_lines where org_id = %s", [org])
    }


def successors(url: str, org: str) -> list[dict]:
    return rows(
        url,
        "select * from app.deal_group where org_id = %s and contract_type = 'RENEWAL' and status = 'PENDING'",
        [org],
    )


def draft(url: str, org: str) -> dict:
    (row,) = rows(url, "select * from app.quote where org_id = %s and is_system_draft", [org])
    row["lines"] = {
        r["product_sku"]: float(r["quantity"])
        for r in rows(url, "select * from app.quote_line where org_id = %s and quote_id = %s", [org, row["id"]])
    }
    return row


def seed_problems(url: str, org: str) -> set[tuple[str, str]]:
    """(row, reason) of every listed seed problem of ``org``."""
    return {
        (r["row_id"], r["reason"])
        for r in rows(url, "select row_id, reason from marts.renewal_seed_problems where org_id = %s", [org])
    }


def test_seed_replays_amendment_deltas_as_of_the_renewal_start(renewal_url):
    # SKU-A 10 + 5 − 2 at the last price (110); SKU-B ended before the renewal; SKU-C has no end date;
    # SKU-D nets to 0; the Lost amendment and the second (unsigned) primary quote count for nothing
    assert seed(renewal_url, "rn_seed") == {"SKU-A": (13.0, 110.0, "2024-07-01", "2025-06-30")}
    assert seed_problems(renewal_url, "rn_seed") == {
        ("q-nb-l2", "QUOTE_LINE_NULL_DATES"),
        ("am1", "MULTIPLE_PRIMARY_QUOTES"),
    }


def test_uplift_pricing_from_org_settings(renewal_url):
    assert seed(renewal_url, "example_uplift_org") == {"SKU-A": (4.0, 105.0, "2024-07-01", "2025-06-30")}


def test_bad_quotes_are_listed_and_the_valid_rest_seeds(renewal_url):
    assert seed(renewal_url, "rn_bad_quotes") == {"SKU-Y": (2.0, 15.0, "2024-07-01", "2025-06-30")}
    assert seed_problems(renewal_url, "rn_bad_quotes") == {
        ("nb", "NO_SIGNED_HEAD_QUOTE"),
        ("SKU-X", "NEGATIVE_QUANTITY"),
    }


def test_a_due_prior_gets_one_scaffolded_successor_and_a_system_draft(renewal_url):
    (successor,) = successors(renewal_url, "rn_seed")
    assert (successor["created_by"], successor["prior_deal_group_id"], successor["engagement_sequence"]) == (
        "renewal_scaffold",
        rows(
            renewal_url,
            "select contract_id from marts.contracts where org_id = 'rn_seed' and head_opportunity_id = 'nb'",
        )[0]["contract_id"],
        2,
    )
    quote = draft(renewal_url, "rn_seed")
    assert (quote["status"], quote["is_primary"], quote["deal_group_id"], quote["lines"]) == (
        "DRAFT",
        False,
        successor["id"],
        {"SKU-A": 13.0},
    )


def test_an_existing_renewal_opportunity_is_the_successor_and_the_reps_quote_is_untouched(renewal_url):
    (target,) = rows(renewal_url, "select * from marts.renewal_targets where org_id = 'rn_rep_quote'")
    assert (target["successor_kind"], target["renewal_opportunity_id"], target["must_scaffold_now"]) == (
        "COMPUTED",
        "rn",
        False,
    )
    assert len(successors(renewal_url, "rn_rep_quote")) == 1
    quote = draft(renewal_url, "rn_rep_quote")
    assert quote["opportunity_id"] == "rn"
    (rep,) = rows(renewal_url, "select * from app.quote where org_id = 'rn_rep_quote' and id = 'q-rep'")
    assert (rep["is_system_draft"], rep["seed_hash"], rep["status"]) == (False, None, "DRAFT")


def test_illegal_flag_state_gets_nothing(renewal_url):
    assert rows(renewal_url, "select * from marts.renewal_targets where org_id = 'rn_illegal'") == []
    assert successors(renewal_url, "rn_illegal") == []


def test_walker_diff_lists_both_answers(renewal_url):
    (diff,) = rows(renewal_url, "select * from marts.renewal_walker_diff where org_id = 'rn_walker'")
    assert (
        diff["legacy_walker_opportunity_ids"],
        diff["engagement_walker_opportunity_ids"],
        diff["only_engagement"],
    ) == (["nb"], ["am1", "nb"], ["am1"])


def test_eight_concurrent_applies_leave_one_successor_and_one_draft(renewal_url):
    results, errors = [], []
    barrier = threading.Barrier(8)

    def apply_once():
        try:
            barrier.wait()
            results.append(apply_renewals(["rn_race"], url=renewal_url))
        except Exception as error:  # a loser must finish cleanly: any error fails the test
            errors.append(error)

    threads = [threading.Thread(target=apply_once) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(successors(renewal_url, "rn_race")) == 1
    assert draft(renewal_url, "rn_race")["lines"] == {"SKU-A": 3.0}
    written = [plan.changes["successors_scaffolded"] for (plan,) in results]
    assert sorted(written) == [0] * 7 + [1]


def test_the_database_refuses_a_second_pending_successor(renewal_url):
    (successor,) = successors(renewal_url, "rn_race")
    with psycopg.connect(renewal_url) as conn, pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute(
            "insert into app.deal_group (org_id, id, contract_type, status, prior_deal_group_id) "
            "values ('rn_race', 'dup', 'RENEWAL', 'PENDING', %s)",
            [successor["prior_deal_group_id"]],
        )


def test_sensor_reseed_and_adoption(renewal_url):
    """The CRM changes after the first run; the sensor asks for runs only for renewal-relevant ones."""
    instance = DagsterInstance.ephemeral()

    def tick(cursor):
        context = build_sensor_context(
            instance=instance, cursor=cursor, resources={"postgres": PostgresResource(database_url=renewal_url)}
        )
        return renewal_sensor(context)

    start = tick(None)
    cursor = start.cursor
    assert read_cursor(cursor)["opportunity"][1] != ""

    with psycopg.connect(renewal_url, autocommit=True) as conn:
        # an unrelated Deal_Group__c edit (F2's cause) and an amount edit: nothing
        conn.execute("update salesforce.deal_group_c set name = 'renamed', system_modstamp = now() where id = 'a0X1'")
        conn.execute(
            "update salesforce.opportunity set amount = 999, system_modstamp = now() "
            "where org_id = 'rn_seed' and id = 'nb'"
        )
        quiet = tick(cursor)
        assert not quiet.run_requests and "none that moves a renewal" in quiet.skip_reason.skip_message
        cursor = quiet.cursor

        # a renewal won for rn_sensor's prior, a renewal opportunity arriving for rn_adopt's scaffold,
        # and a changed renewal link on a Deal_Group__c
        conn.execute(
            "insert into salesforce.opportunity (org_id, id, account_id, name, type, stage_name, is_closed,"
            " is_won, close_date, is_deleted, last_opportunity_c, contract_start_date_c,"
            " contract_end_date_c, system_modstamp) values"
            " ('rn_sensor', 'rn', 'acc1', 'renewal', 'Renewal', 'Closed Won', true, true, '2024-04-20',"
            "  false, 'nb', '2024-07-01', '2025-06-30', now()),"
            " ('rn_adopt', 'rn', 'acc1', 'renewal', 'Renewal', 'Prospecting', false, false, '2024-06-20',"
            "  false, 'nb', '2024-07-01', '2025-06-30', now())"
        )
        conn.execute(
            "update salesforce.deal_group_c set renewal_opportunity_c = 'rn', system_modstamp = now() where id = 'a0X2'"
        )
        # the prior's chain changes: rn_seed's last amendment now removes one seat, not two
        conn.execute("update app.quote_line set quantity = -1 where org_id = 'rn_seed' and id = 'q-am2-l1'")
        # a rep takes over rn_rep_quote's system draft: it must never be reseeded again
        conn.execute("update app.quote set is_primary = true where org_id = 'rn_rep_quote' and is_system_draft")
        conn.execute("update app.quote_line set quantity = 11 where org_id = 'rn_rep_quote' and id = 'q-nb-l0'")
    before = {
        "seed": draft(renewal_url, "rn_seed"),
        "rep": draft(renewal_url, "rn_rep_quote"),
        "adopt": successors(renewal_url, "rn_adopt"),
    }

    result = tick(cursor)
    requests = {request.partition_key: request for request in result.run_requests}  # one run per org
    assert sorted(requests) == ["rn_adopt", "rn_sensor"]
    for request in requests.values():
        assert request.run_config == renewal_run_config(
            contracts=request.run_config["ops"]["app__renewal_scaffolding"]["config"]["contracts"]
        )
    again = {request.partition_key: request.run_key for request in tick(cursor).run_requests}
    assert again == {org: request.run_key for org, request in requests.items()}  # a redelivered change: same keys

    for org, request in requests.items():  # the requested runs: only those two orgs rebuilt
        run_pipeline(renewal_url, request.run_config, instance, org=org)
    # rn_sensor: the Won renewal is the PENDING successor (it starts 2024-07-01)
    (won,) = successors(renewal_url, "rn_sensor")
    assert won["created_by"] == "engagement_backfill"
    # rn_seed is outside the scope: its draft waits for a run that covers it
    assert draft(renewal_url, "rn_seed") == before["seed"]
    # rn_adopt: the arriving opportunity took over the scaffold — same contract, no second successor
    (adopted,) = successors(renewal_url, "rn_adopt")
    (scaffold,) = before["adopt"]
    assert (adopted["id"], adopted["created_by"]) == (scaffold["id"], "engagement_backfill")
    assert rows(
        renewal_url,
        "select opportunity_id from app.deal_group_opportunity where org_id = 'rn_adopt' and deal_group_id = %s",
        [scaffold["id"]],
    ) == [{"opportunity_id": "rn"}]
    assert draft(renewal_url, "rn_adopt")["opportunity_id"] == "rn"
    assert rows(renewal_url, "select reason from marts.unattached_opportunities where org_id = 'rn_adopt'") == []

    run_pipeline(renewal_url, None, instance)  # every org: the quote edits are picked up (reseed)
    # rn_seed: the draft was reseeded (10 + 5 − 1), in place
    reseeded = draft(renewal_url, "rn_seed")
    assert reseeded["id"] == before["seed"]["id"] and reseeded["lines"] == {"SKU-A": 14.0}
    assert reseeded["seed_hash"] != before["seed"]["seed_hash"]
    # rn_rep_quote: the rep's draft kept its lines although the seed changed (F2)
    assert draft(renewal_url, "rn_rep_quote")["lines"] == before["rep"]["lines"]

    # the same changes again write nothing: the adopted scaffold keeps its id
    assert sum(p.rows_written for p in apply_hierarchy(url=renewal_url)) == 0
    assert sum(p.rows_written for p in apply_renewals(url=renewal_url)) == 0


def test_daily_lifecycle_schedule_applies_every_org_as_of_today():
    with instance_for_test() as instance:
        assert daily_lifecycle.evaluate_tick(build_schedule_context(instance=instance)).skip_message  # no org yet
        add_org_partitions(instance, ["org_a", "org_b", "org_c"])
        (request,) = list(daily_lifecycle.evaluate_tick(build_schedule_context(instance=instance)).run_requests)
    # one run over every org partition, statuses as of the day it runs, both applies writing
    assert {k: v for k, v in request.tags.items() if "partition" in k} == {
        "dagster/asset_partition_range_start": "org_a",
        "dagster/asset_partition_range_end": "org_c",
    }
    assert request.run_config == renewal_run_config()
    ops = request.run_config["ops"]
    assert ops["hierarchy_models"]["config"] == ops["renewal_models"]["config"] == {"as_of": None}
    assert ops["app__engagement_hierarchy"]["config"] == {"apply": True}
    assert daily_lifecycle.cron_schedule == "5 0 * * *" and daily_lifecycle.job_name == "renewal_pipeline"
