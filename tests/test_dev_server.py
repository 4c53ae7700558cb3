"""`python -m dagster_project dev` stops on SIGTERM and on Ctrl-C, and leaves nothing running.

Real processes: a small Python process runs the CLI's `dev` command (so that it can first ignore
SIGINT, as a shell starting it in the background does), `dagster dev` serves the project's
workspace, and the test signals that process only.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from dagster_project import settings
from dagster_project.lib.instance import write_instance_config

STARTUP_SECONDS = 90  # the code location parses the dbt project when `dagster dev` starts it
STOP_SECONDS = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def processes() -> list[tuple[int, str, int, int]]:
    """(pid, state, ppid, session id) of every process, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            state, ppid, _pgrp, session = stat[stat.rindex(")") + 2 :].split()[:4]
            found.append((int(entry.name), state, int(ppid), int(session)))
    return found


def live_in_sessions(sessions: set[int]) -> list[int]:
    """Processes of these sessions that still run (a zombie waiting for init to reap it does not)."""
    return [pid for pid, state, _, session in processes() if session in sessions and state != "Z"]


def wait_until_serving(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, f"exited with {process.returncode} before serving:\n{log.read_text()[-3000:]}"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    pytest.fail(f"no answer on port {port} within {STARTUP_SECONDS} s:\n{log.read_text()[-3000:]}")


@pytest.mark.parametrize(
    "stop_signal, started_in_background",
    [
        # a shell starting it in the background without job control leaves SIGINT ignored in it:
        # what made the exec'ed `dagster dev` ignore SIGTERM too
        pytest.param(signal.SIGTERM, True, id="SIGTERM-started-in-background"),
        pytest.param(signal.SIGINT, False, id="Ctrl-C"),
    ],
)
def test_dagster_dev_stops_on_the_signal_and_leaves_nothing_running(stop_signal, started_in_background, tmp_path):
    home = tmp_path / "dagster_home"
    write_instance_config(home)
    port = free_port()
    code = "\n".join(
        [
            "import signal, sys",
            "signal.signal(signal.SIGINT, signal.SIG_IGN)" if started_in_background else "",
            "from dagster_project.cli import main",
            f"sys.exit(main(['dev', '--port', '{port}']))",
        ]
    )
    log = tmp_path / "dev.log"
    sessions: set[int] = set()
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=settings.PROJECT_ROOT,
            env={**os.environ, "DAGSTER_HOME": str(home)},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    sessions.add(process.pid)
    try:
        wait_until_serving(port, process, log)
        dev_sessions = {session for _, _, ppid, session in processes() if ppid == process.pid}
        assert len(dev_sessions) == 1 and process.pid not in dev_sessions, dev_sessions  # its own session
        sessions |= dev_sessions

        started = time.monotonic()
        process.send_signal(stop_signal)  # to the process only, as a terminal's Ctrl-C or `kill` does
        assert process.wait(timeout=STOP_SECONDS) == 0, log.read_text()[-3000:]
        assert "Dagster services shut down." in log.read_text(), log.read_text()[-3000:]  # cleanly, not SIGKILLed
        assert live_in_sessions(dev_sessions) == [], "processes of dagster dev outlived it"
        print(f"{stop_signal.name}: stopped in {time.monotonic() - started:.1f} s")
    finally:
        if process.poll() is None:
            sessions |= {session for _, _, ppid, session in processes() if ppid == process.pid}
        for pid in live_in_sessions(sessions):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        process.wait(timeout=10)
