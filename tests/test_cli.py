"""The CLI as a user types it: real processes, the session's database."""

import os
import subprocess
import sys

import pytest

from dagster_project import settings


def run_cli(*args, env=None, check=False):
    result = subprocess.run(
        [sys.executable, "-m", "dagster_project", *args],
        capture_output=True,
        text=True,
        cwd=settings.PROJECT_ROOT,
        env={**os.environ, **(env or {})},
        timeout=600,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.mark.parametrize(
    "command",
    [
        "init-db",
        "adopt-salesforce",
        "load-demo",
        "backfill",
        "renewals",
        "status",
        "demo",
        "dev",
        "staleness",
        "stale-policy",
        "mirror",
    ],
)
def test_every_command_has_help(command):
    result = run_cli(command, "--help", check=True)
    assert "usage: python -m dagster_project" in result.stdout


def test_a_bad_date_fails_with_one_line_naming_the_problem(platform_url, tmp_path):
    result = run_cli(
        "backfill", "--as-of", "2024-13-45", env={"DATABASE_URL": platform_url, "DAGSTER_HOME": str(tmp_path)}
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == "error: as_of must be a date as YYYY-MM-DD, got '2024-13-45'"


def test_status_before_any_run_says_what_to_do(tmp_path):
    result = run_cli("status", env={"DAGSTER_HOME": str(tmp_path)})
    assert result.returncode == 1
    assert "no backfill has run yet" in result.stderr


def test_backfill_runs_the_job_and_status_prints_its_summary(platform_url, computed, tmp_path):
    env = {"DATABASE_URL": platform_url, "DAGSTER_HOME": str(tmp_path)}
    result = run_cli("backfill", "--org", "sc_accounts", "--as-of", "2024-06-30", env=env, check=True)
    assert "sc_accounts: 3 contracts, 3 engagements, 2 accounts" in result.stdout
    assert "dry run: nothing written" in result.stdout
    assert "Running with dbt" not in result.stdout and "org_001" not in result.stdout
    assert "app.deal_group: 0 inserted, 3 updated, 0 deleted" in result.stdout  # the plan, per table
    status = run_cli("status", env=env, check=True)
    assert "(dry run)" in status.stdout and "sc_accounts: 3 contracts" in status.stdout


def test_the_backfill_prints_its_own_runs_summary_when_another_run_applied_since(platform_url, computed):
    """CLI runs are not queued: another backfill can record its apply between this run's apply and
    the summary the CLI prints. The summary is still this run's."""
    from dagster import AssetMaterialization, DagsterInstance, MetadataValue

    from dagster_project.backfill.defs import ENGAGEMENT_HIERARCHY
    from dagster_project.cli import run_summary
    from tests.conftest import run_backfill

    instance = DagsterInstance.ephemeral()
    result = run_backfill(platform_url, org="sc_accounts", instance=instance)
    assert result.success
    other_run = {"org_id": "org_004", "apply": "dry run"}
    instance.report_runless_asset_event(
        AssetMaterialization(ENGAGEMENT_HIERARCHY, metadata={"summary_json": MetadataValue.json([other_run])})
    )
    assert instance.get_latest_materialization_event(ENGAGEMENT_HIERARCHY).run_id != result.run_id
    summary = run_summary(result)["summary"]
    assert summary != [other_run] and "sc_accounts" in {row["org_id"] for row in summary}


def test_an_operator_turns_selective_on_and_a_charge_edit_no_longer_stales(platform_url, agreement_app, tmp_path):
    app = agreement_app
    app.signed_job("op", service="Sewer scope", amount="250.00")
    app.change_charge("op-c", "275.00")
    env = {"DATABASE_URL": platform_url, "DAGSTER_HOME": str(tmp_path)}

    result = run_cli("stale-policy", "--company", "op-co", "--policy", "selective", env=env, check=True)
    assert result.stdout.strip() == (
        "app.company op-co: stale_policy = SELECTIVE; the hourly staleness run applies it (or run `staleness` now)"
    )
    result = run_cli("staleness", env=env, check=True)
    assert "agreement staleness (ACTIVE agreements of attik jobs):" in result.stdout
    assert "flags applied" in result.stdout
    assert app.agreement("op-a")["is_stale"] is False

    run_cli("stale-policy", "--company", "op-co", "--policy", "INHERIT", env=env, check=True)  # back to FULL
    run_cli("staleness", env=env, check=True)
    assert app.agreement("op-a")["is_stale"] is True

    bad = run_cli("stale-policy", "--template", "op-nope", "--policy", "FULL", env=env)
    assert bad.returncode == 1
    assert bad.stderr.strip() == "error: app.agreement_template: no row with template_id = 'op-nope'"
