"""The Dagster graph as a user sees it in `dagster dev`, and the pure helpers."""

import pytest

from dagster_project.backfill.dbt_args import HierarchyModelsConfig, dbt_build_args, dbt_settings_environment, parse_as_of
from dagster_project.definitions import defs


def test_the_code_location_has_the_backfill_job_assets_and_blocking_checks():
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {"marts/contracts", "marts/engagements", "marts/accounts", "marts/contract_memberships",
            "marts/unattached_opportunities", "marts/quarantined_rows", "marts/backfill_reconciliation",
            "marts/org_flag_states", "marts/opportunity_types", "app/engagement_hierarchy"} <= keys
    checks = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    assert {("marts/contracts", "hierarchy_expectations"), ("marts/contracts", "one_active_contract_per_engagement"),
            ("marts/contracts", "engagement_sequence_is_1_to_n"), ("marts/contracts", "one_pending_renewal_per_prior"),
            ("marts/backfill_reconciliation", "every_org_reconciles"),
            ("marts/contract_memberships", "contract_head_matches_type")} <= checks
    assert defs.get_job_def("hierarchy_backfill") is not None


def test_the_code_location_has_the_staleness_job_sensor_and_checks():
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {"marts/stale_policy_resolved", "marts/agreement_facts", "marts/agreement_staleness",
            "marts/report_lock", "marts/staleness_problems", "app/agreement_staleness"} <= keys
    checks = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    assert {("app/agreement_staleness", "stale_at_set_iff_stale"),
            ("marts/agreement_staleness", "staleness_every_checked_agreement_has_one_row"),
            ("marts/report_lock", "staleness_report_lock_follows_staleness")} <= checks
    job = defs.get_job_def("agreement_staleness")
    assert not any(k.path[-1] == "contracts" for k in job.asset_layer.executable_asset_keys)
    assert defs.get_sensor_def("staleness_sensor").job_name == "agreement_staleness"
    backfill = defs.get_job_def("hierarchy_backfill")
    assert not any(k.path[-1] == "agreement_staleness" for k in backfill.asset_layer.executable_asset_keys)


def test_the_code_location_has_the_renewal_pipeline_sensor_and_schedule():
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {"marts/renewal_targets", "marts/renewal_seed_lines", "marts/renewal_seed_problems",
            "marts/renewal_walker_diff", "app/renewal_scaffolding"} <= keys
    checks = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    assert {("app/renewal_scaffolding", "one_pending_successor_per_prior"),
            ("app/renewal_scaffolding", "seeded_quotes_are_system_drafts")} <= checks
    job = defs.get_job_def("renewal_pipeline")
    names = {k.to_user_string() for k in job.asset_layer.executable_asset_keys}
    assert {"marts/contracts", "app/engagement_hierarchy", "marts/renewal_seed_lines", "app/renewal_scaffolding"} <= names
    assert defs.get_sensor_def("renewal_sensor").job_name == "renewal_pipeline"
    assert defs.get_schedule_def("daily_lifecycle").job_name == "renewal_pipeline"


def test_an_org_scoped_build_runs_on_more_threads():
    assert dbt_build_args(HierarchyModelsConfig()) == ["build"]
    assert dbt_build_args(HierarchyModelsConfig(orgs=["a"])) == ["build", "--threads", "4"]


def test_dbt_settings_reach_dbt_as_environment_variables():
    assert dbt_settings_environment(HierarchyModelsConfig()) == {"PLATFORM_DBT_AS_OF": "", "PLATFORM_DBT_ORGS": ""}
    assert dbt_settings_environment(HierarchyModelsConfig(as_of="2024-06-30", orgs=["b", "a", "b"])) == {
        "PLATFORM_DBT_AS_OF": '"2024-06-30"', "PLATFORM_DBT_ORGS": '["a", "b"]'}


def test_a_malformed_as_of_is_refused_with_its_value():
    with pytest.raises(ValueError, match="got '30/06/2024'"):
        parse_as_of("30/06/2024")


def test_the_code_location_loads_as_dagster_dev_loads_it():
    import subprocess
    import sys
    from pathlib import Path

    dagster = Path(sys.prefix) / "bin" / "dagster"
    result = subprocess.run([str(dagster), "definitions", "validate", "-w", "workspace.yaml"],
                            capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1], timeout=300)
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
