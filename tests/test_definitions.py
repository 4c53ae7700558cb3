"""The Dagster graph as a user sees it in `dagster dev`, and the pure helpers."""

import pytest
from dagster import DagsterInstance

from dagster_project.definitions import defs
from dagster_project.lib.dbt_run import dbt_build_args, dbt_run_environment, parse_as_of
from dagster_project.lib.partitions import add_org_partitions, every_org_tags, orgs_of_run, scope_of


def test_the_code_location_has_the_backfill_job_assets_and_blocking_checks():
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {
        "marts/contracts",
        "marts/engagements",
        "marts/accounts",
        "marts/contract_memberships",
        "marts/unattached_opportunities",
        "marts/quarantined_rows",
        "marts/backfill_reconciliation",
        "marts/org_flag_states",
        "marts/opportunity_types",
        "app/engagement_hierarchy",
    } <= keys
    checks = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    assert {
        ("marts/contracts", "hierarchy_expectations"),
        ("marts/contracts", "one_active_contract_per_engagement"),
        ("marts/contracts", "engagement_sequence_is_1_to_n"),
        ("marts/contracts", "one_pending_renewal_per_prior"),
        ("marts/backfill_reconciliation", "every_org_reconciles"),
        ("marts/contract_memberships", "contract_head_matches_type"),
    } <= checks
    assert defs.get_job_def("hierarchy_backfill") is not None


def test_the_code_location_has_the_staleness_job_sensor_and_checks():
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {
        "marts/stale_policy_resolved",
        "marts/agreement_facts",
        "marts/agreement_staleness",
        "marts/report_lock",
        "marts/staleness_problems",
        "app/agreement_staleness",
    } <= keys
    checks = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    assert {
        ("app/agreement_staleness", "stale_at_set_iff_stale"),
        ("marts/agreement_staleness", "staleness_every_checked_agreement_has_one_row"),
        ("marts/report_lock", "staleness_report_lock_follows_staleness"),
    } <= checks
    job = defs.get_job_def("agreement_staleness")
    assert not any(k.path[-1] == "contracts" for k in job.asset_layer.executable_asset_keys)
    assert defs.get_sensor_def("staleness_sensor").job_name == "agreement_staleness"
    backfill = defs.get_job_def("hierarchy_backfill")
    assert not any(k.path[-1] == "agreement_staleness" for k in backfill.asset_layer.executable_asset_keys)


def test_the_code_location_has_the_renewal_pipeline_sensor_and_schedule():
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {
        "marts/renewal_targets",
        "marts/renewal_seed_lines",
        "marts/renewal_seed_problems",
        "marts/renewal_walker_diff",
        "app/renewal_scaffolding",
    } <= keys
    checks = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    assert {
        ("app/renewal_scaffolding", "one_pending_successor_per_prior"),
        ("app/renewal_scaffolding", "seeded_quotes_are_system_drafts"),
    } <= checks
    job = defs.get_job_def("renewal_pipeline")
    names = {k.to_user_string() for k in job.asset_layer.executable_asset_keys}
    assert {
        "marts/contracts",
        "app/engagement_hierarchy",
        "marts/renewal_seed_lines",
        "app/renewal_scaffolding",
    } <= names
    assert defs.get_sensor_def("renewal_sensor").job_name == "renewal_pipeline"
    assert defs.get_schedule_def("daily_lifecycle").job_name == "renewal_pipeline"


def test_a_run_over_every_org_rebuilds_whole_and_a_run_over_some_orgs_replaces_theirs():
    assert dbt_build_args(None) == ["build", "--full-refresh"]
    assert dbt_build_args(["a"]) == ["build", "--threads", "4"]


def test_the_orgs_and_as_of_reach_dbt_as_one_pair_of_environment_variables():
    assert dbt_run_environment(None, None) == {"PLATFORM_DBT_AS_OF": "", "PLATFORM_DBT_ORGS": ""}
    assert dbt_run_environment(["b", "a", "b"], "2024-06-30") == {
        "PLATFORM_DBT_AS_OF": '"2024-06-30"',
        "PLATFORM_DBT_ORGS": '["a", "b"]',
    }


def test_a_run_covers_the_orgs_its_partition_tags_name():
    instance = DagsterInstance.ephemeral()
    add_org_partitions(instance, ["o1", "o2", "o3", "o4"])
    assert orgs_of_run({"dagster/partition": "o2"}, instance) == ["o2"]
    assert orgs_of_run(
        {"dagster/asset_partition_range_start": "o2", "dagster/asset_partition_range_end": "o3"}, instance
    ) == ["o2", "o3"]
    assert orgs_of_run(every_org_tags(instance), instance) is None  # every org: rebuilt whole
    assert orgs_of_run({}, instance) is None
    assert scope_of(["o4", "o1"], instance) == ["o1", "o4"] and scope_of(["o1", "o2", "o3", "o4"], instance) is None


def test_a_malformed_as_of_is_refused_with_its_value():
    with pytest.raises(ValueError, match="got '30/06/2024'"):
        parse_as_of("30/06/2024")


def test_the_code_location_loads_as_dagster_dev_loads_it():
    import subprocess
    import sys
    from pathlib import Path

    dagster = Path(sys.prefix) / "bin" / "dagster"
    result = subprocess.run(
        [str(dagster), "definitions", "validate", "-w", "workspace.yaml"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def test_old_per_run_dbt_target_directories_are_pruned(tmp_path, monkeypatch):
    import os
    import time

    from dagster_project.lib.dbt_project import prune_run_targets

    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path))
    for n in range(25):
        run_dir = tmp_path / f"hierarchy_models-run{n:02d}-abc"
        run_dir.mkdir()
        os.utime(run_dir, (time.time() - 1000 + n, time.time() - 1000 + n))
    (tmp_path / "renewal_models-run00-abc").mkdir()
    prune_run_targets("hierarchy_models", keep=20)
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert kept[0] == "hierarchy_models-run05-abc" and len(kept) == 21  # the newest 20, other ops untouched
    assert "renewal_models-run00-abc" in kept


def test_runs_that_rebuild_the_hierarchy_queue_one_at_a_time(tmp_path):
    import yaml
    from dagster import instance_for_test

    from dagster_project.lib.instance import HIERARCHY_BUILD_TAGS, write_instance_config

    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")  # an earlier default: upgraded
    config = yaml.safe_load(write_instance_config(tmp_path).read_text())
    with instance_for_test(overrides=config) as instance:
        limits = instance.get_concurrency_config().run_queue_config.tag_concurrency_limits
    assert {"key": "platform/builds", "value": "hierarchy", "limit": 1} in limits
    for job in ("hierarchy_backfill", "renewal_pipeline"):
        assert HIERARCHY_BUILD_TAGS.items() <= defs.get_job_def(job).tags.items()
    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: true\n")  # a user's own: left alone
    assert write_instance_config(tmp_path).read_text() == "telemetry:\n  enabled: true\n"


def test_the_code_location_has_the_audits_job_schedule_sensor_and_a_check_per_audit():
    from dagster import DefaultScheduleStatus, DefaultSensorStatus

    assert defs.get_job_def("audits") is not None
    schedule = defs.get_schedule_def("audits_daily")
    assert schedule.job_name == "audits" and schedule.default_status == DefaultScheduleStatus.RUNNING
    assert defs.get_sensor_def("audits_after_apply").default_status == DefaultSensorStatus.RUNNING
    assert defs.get_sensor_def("org_discovery_sensor").default_status == DefaultSensorStatus.RUNNING
    checks = {(c.asset_key.to_user_string(), c.name) for c in defs.resolve_asset_graph().asset_check_keys}
    assert {
        ("app/deal_group", "audit_f1"),
        ("app/quote", "audit_f2"),
        ("app/deal_group", "audit_f3"),
        ("app/organization", "audit_f4"),
        ("app/account", "audit_f5"),
        ("app/deal_group", "audit_f7"),
        ("app/engagement_hierarchy", "audit_drift"),
    } <= checks  # each on the asset it audits
