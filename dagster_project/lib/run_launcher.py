"""Dagster's default run launcher, with the worker health check its run monitoring asks for.

A run whose process is killed (``kill -9``, an OOM kill, a reboot) writes no failure: it stays
STARTED. Dagster's run monitoring daemon marks such runs failed, but only through the run
launcher's ``check_run_worker_health``, which ``DefaultRunLauncher`` does not have (a code
server notices its own children dying; nothing notices a CLI run, which executes in the CLI's
process, nor a run whose code server died with it).

``LocalRunLauncher`` launches exactly as ``DefaultRunLauncher`` does. Its health check looks at
the process that started the run: the pid of the run's RUN_START event, written by the process
that executes it (a launched run's worker, or the CLI). That process still running → RUNNING;
gone (or a zombie, or its pid now another process's) → FAILED, and the monitoring daemon marks
the run failed with that message within ``run_monitoring.poll_interval_seconds`` (D38).

It assumes what this project's deployment is: the daemon on the machine that runs the runs
(``dagster dev``, or the daemon beside the code server). Configured by
``lib/instance.py``'s ``dagster.yaml``.
"""

from __future__ import annotations

import psutil
from dagster import DagsterEventType, DefaultRunLauncher
from dagster._core.launcher.base import CheckRunHealthResult, WorkerStatus  # the launcher interface's types

# a process created this long after the run started is not the one that started it (pid reused)
_CLOCK_SLACK_SECONDS = 5.0


def process_is_running(pid: int, started_by: float) -> bool:
    """Whether process ``pid`` exists, is not a zombie, and existed at ``started_by`` (Unix time)."""
    try:
        process = psutil.Process(pid)
        return process.status() != psutil.STATUS_ZOMBIE and process.create_time() <= started_by + _CLOCK_SLACK_SECONDS
    except psutil.NoSuchProcess:
        return False


class LocalRunLauncher(DefaultRunLauncher):
    """``DefaultRunLauncher`` whose runs' health run monitoring can check (see the module)."""

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run) -> CheckRunHealthResult:
        records = self._instance.get_records_for_run(run.run_id, of_type=DagsterEventType.RUN_START, limit=1).records
        if not records:  # not started yet: run monitoring's start timeout covers it
            return CheckRunHealthResult(WorkerStatus.RUNNING)
        entry = records[0].event_log_entry
        pid = entry.dagster_event.pid if entry.dagster_event else None
        if pid is None or process_is_running(pid, entry.timestamp):
            return CheckRunHealthResult(WorkerStatus.RUNNING)
        return CheckRunHealthResult(
            WorkerStatus.FAILED,
            f"the process that ran it (pid {pid}) is gone: it was killed, or its machine restarted",
        )
