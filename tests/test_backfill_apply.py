"""Apply: differences only, per org, one transaction; idempotent; never for an
org in an illegal flag state; never after a failed blocking check."""

import psycopg
import pytest

from dagster_project.backfill.apply import apply_hierarchy
from tests.conftest import fresh_database, run_backfill
from tests.scenario_registry import OrgBuilder

APPLIED_ORG = "org_004"  # a demo org: legal flags, model enabled


def _app_rows(url, org):
    with psycopg.connect(url) as conn:
        return {
            table: conn.execute(f"select * from {table} where org_id = %s order by 1, 2, 3", [org]).fetchall()
            for table in ("app.account", "app.engagement", "app.deal_group", "app.deal_group_opportunity")
        }


def test_apply_writes_the_hierarchy_and_a_second_apply_writes_nothing(platform_url, marts):
    (first,) = apply_hierarchy([APPLIED_ORG], dry_run=False, url=platform_url)
    assert first.applied and first.rows_written > 0
    contracts = marts.contracts(APPLIED_ORG)
    with psycopg.connect(platform_url) as conn:
        in_app = dict(
            conn.execute(
                "select id, engagement_id from app.deal_group where org_id = %s and type = 'CONTRACT'", [APPLIED_ORG]
            ).fetchall()
        )
    assert in_app == {cid: c["engagement_id"] for cid, c in contracts.items()}
    before = _app_rows(platform_url, APPLIED_ORG)
    (second,) = apply_hierarchy([APPLIED_ORG], dry_run=False, url=platform_url)
    assert second.rows_written == 0
    assert _app_rows(platform_url, APPLIED_ORG) == before


def test_a_dry_run_reports_the_plan_and_writes_nothing(platform_url, marts):
    org = "org_005"
    before = _app_rows(platform_url, org)
    (plan,) = apply_hierarchy([org], dry_run=True, url=platform_url)
    assert not plan.applied and plan.changes["app.deal_group"]["update"] > 0
    assert _app_rows(platform_url, org) == before


def test_orgs_in_an_illegal_flag_state_or_not_enabled_are_not_applied(platform_url, marts):
    plans = {p.org_id: p for p in apply_hierarchy(["org_001", "org_002", "org_003"], dry_run=False, url=platform_url)}
    assert plans["org_001"].skipped_reason.startswith("illegal flag state: engagement model enabled without")
    assert plans["org_002"].skipped_reason.startswith("illegal flag state: deal group writeback enabled without")
    assert plans["org_003"].skipped_reason == "engagement model not enabled (preview only)"
    assert all(p.rows_written == 0 for p in plans.values())
    flags = {r["org_id"]: r for r in marts.rows("select * from marts.org_flag_states")}
    assert not flags["org_001"]["is_legal"] and not flags["org_002"]["is_legal"] and flags["org_003"]["is_legal"]


# --- blocking checks: a separate database, so corrupting it touches no other test ------------
@pytest.fixture(scope="module")
def small_platform():
    url = fresh_database("platform_test_blocking")
    org = OrgBuilder("blocking_org")
    org.opp("nb", "New Business", "2024-01-01")
    org.opp("ren", "Renewal", "2024-03-01", pointer="nb", start="2025-01-01")
    org.opp("nb2", "New Business", "2024-02-01", account="acc2")
    org.group("legacy", "nb")
    from dagster_project.demo.load import load_dataset

    load_dataset(org.data, url)
    assert run_backfill(url).success
    return url


def _check_results(result):
    return {(e.asset_key.to_user_string(), e.check_name): e.passed for e in result.get_asset_check_evaluations()}


def _materialized(result):
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}


def test_a_corrupted_hierarchy_fails_the_blocking_checks_and_nothing_is_applied(small_platform):
    from dagster import AssetKey, AssetSelection

    with psycopg.connect(small_platform) as conn:
        conn.execute(
            "update marts.contracts set status = 'ACTIVE', engagement_sequence = 1,"
            " engagement_id = 'E-same' where org_id = 'blocking_org'"
        )
    before = _app_rows(small_platform, "blocking_org")
    # the checks of marts/contracts (dbt tests + GX) and the apply, without rebuilding the marts
    selection = AssetSelection.checks_for_assets(AssetKey(["marts", "contracts"])) | AssetSelection.keys(
        AssetKey(["app", "engagement_hierarchy"])
    )
    result = run_backfill(small_platform, apply=True, selection=selection)
    checks = _check_results(result)
    assert checks[("marts/contracts", "hierarchy_expectations")] is False
    assert checks[("marts/contracts", "one_active_contract_per_engagement")] is False
    assert checks[("marts/contracts", "engagement_sequence_is_1_to_n")] is False
    assert "app/engagement_hierarchy" not in _materialized(result)
    assert _app_rows(small_platform, "blocking_org") == before


def test_after_a_rebuild_the_same_org_passes_and_applies(small_platform):
    result = run_backfill(small_platform, apply=True)
    assert result.success
    assert all(_check_results(result).values())
    assert "app/engagement_hierarchy" in _materialized(result)
    rows = _app_rows(small_platform, "blocking_org")
    assert len([r for r in rows["app.deal_group"] if r[5] == "CONTRACT"]) == 3
