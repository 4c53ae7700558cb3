"""A run whose process is killed (kill -9) ends FAILED in Dagster, not STARTED forever: Dagster's
own run monitoring daemon marks it, through the project's run launcher (lib/run_launcher.py).
Real processes: the CLI's backfill, killed mid-run; `dagster-daemon run` on the project's instance
configuration."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from dagster import DagsterInstance, DagsterRunStatus
from dagster._core.instance.ref import InstanceRef
from dagster._core.launcher.base import WorkerStatus

from dagster_project import settings
from dagster_project.lib.instance import write_instance_config
from tests.conftest import fresh_database

DAEMON = Path(sys.executable).with_name("dagster-daemon")


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def test_a_killed_backfill_run_is_marked_failed_by_run_monitoring(tmp_path):
    url = fresh_database("run_monitoring")
    home = tmp_path / "dagster_home"
    config = write_instance_config(home)
    # the project's dagster.yaml, checked every second instead of every 30 s
    config.write_text(config.read_text().replace("poll_interval_seconds: 30", "poll_interval_seconds: 1"))
    env = {**os.environ, "DATABASE_URL": url, "DAGSTER_HOME": str(home)}
    cli = [sys.executable, "-m", "dagster_project"]
    load = [*cli, "load-demo", "--orgs", "2"]
    subprocess.run(load, env=env, cwd=settings.PROJECT_ROOT, check=True, capture_output=True)

    backfill = subprocess.Popen(
        [*cli, "backfill"], env=env, cwd=settings.PROJECT_ROOT, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    instance = DagsterInstance.from_ref(InstanceRef.from_dir(str(home)))
    try:
        run = wait_for(lambda: next(iter(instance.get_runs()), None), 120, "the backfill's run to start")
        wait_for(lambda: instance.get_run_by_id(run.run_id).status == DagsterRunStatus.STARTED, 120, "STARTED")
        assert instance.run_launcher.check_run_worker_health(run).status == WorkerStatus.RUNNING
    finally:
        os.killpg(backfill.pid, signal.SIGKILL)  # the CLI and its dbt
        backfill.wait()

    # nothing wrote the run's end: it looks as if it were still going
    assert instance.get_run_by_id(run.run_id).status == DagsterRunStatus.STARTED
    health = instance.run_launcher.check_run_worker_health(run)
    assert health.status == WorkerStatus.FAILED
    assert f"pid {backfill.pid}" in health.msg

    # Dagster's daemon, with a code location of no schedules or sensors (only run monitoring acts)
    (tmp_path / "empty_location.py").write_text("from dagster import Definitions\n\ndefs = Definitions()\n")
    (tmp_path / "workspace.yaml").write_text("load_from:\n  - python_file: empty_location.py\n")
    daemon = subprocess.Popen(
        [str(DAEMON), "run", "-w", "workspace.yaml"], env=env, cwd=tmp_path, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        failed = wait_for(
            lambda: (r := instance.get_run_by_id(run.run_id)).status == DagsterRunStatus.FAILURE and r, 120, "FAILURE"
        )
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        daemon.wait(timeout=30)
    assert failed.status == DagsterRunStatus.FAILURE
    messages = [record.event_log_entry.message or "" for record in instance.get_records_for_run(run.run_id).records]
    assert any("is gone: it was killed" in message for message in messages), messages[-3:]
