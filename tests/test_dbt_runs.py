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


def test_platform_dbt_is_dbt_and_answers_its_version_without_importing_dbt():
    """dagster-dbt asks ``--version`` at every run: platform-dbt gives dbt's answer (the same
    installed version, in dbt's format) without importing dbt; any other command is dbt's."""
    import subprocess
    import sys

    from dagster_project import settings

    platform_dbt = settings.dbt_executable("platform-dbt")
    ours = subprocess.run([platform_dbt, "--version"], capture_output=True, text=True, check=True).stdout
    dbts = subprocess.run([settings.dbt_executable(), "--version"], capture_output=True, text=True, check=True).stdout
    installed = [line for line in dbts.splitlines() if "installed:" in line]
    assert ours.splitlines()[:2] == ["Core:", installed[0]]
    no_dbt_imported = (
        "import sys; sys.argv = ['platform-dbt', '--version']; from dagster_project.lib.dbt_entry import main; "
        "main(); assert not [m for m in sys.modules if m == 'dbt' or m.startswith('dbt.')], 'dbt was imported'"
    )
    subprocess.run([sys.executable, "-c", no_dbt_imported], capture_output=True, check=True)
    usage = subprocess.run([platform_dbt, "build", "--help"], capture_output=True, text=True, check=True).stdout
    assert "--full-refresh" in usage
