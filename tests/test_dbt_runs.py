"""What every dbt step of the platform costs before it builds anything: it starts from
dbt's parse state for its own database, so a second run against the same database
does not re-parse the project (D44)."""

import json

from dagster import AssetKey, DagsterInstance

from dagster_project.lib import database
from dagster_project.lib.dbt_project import parse_state_path, target_dir
from tests.conftest import run_backfill


def dbt_log_of(result) -> str:
    (run_target,) = target_dir().glob(f"hierarchy_models-{result.run_id[:7]}-*")
    return "\n".join(json.loads(line)["info"]["msg"] for line in (run_target / "dbt.log").read_text().splitlines())


def test_a_second_run_on_the_same_database_reuses_dbt_parse_state(platform_url, computed):
    one_model = [AssetKey(["marts", "org_flag_states"]), AssetKey(["app", "engagement_hierarchy"])]
    first = run_backfill(platform_url, selection=one_model, instance=DagsterInstance.ephemeral())
    second = run_backfill(platform_url, selection=one_model, instance=DagsterInstance.ephemeral())
    assert first.success and second.success
    assert parse_state_path(database.dbt_environment(platform_url)).exists()
    log = dbt_log_of(second)
    assert "Unable to do partial parsing" not in log
    assert "Partial parsing enabled" in log
