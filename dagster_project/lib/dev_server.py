"""`dagster dev` as a child that stops when we are told to stop.

`dagster dev` starts a webserver, a daemon and code servers. Exec'ed in place
of our process, it did not stop on SIGTERM or Ctrl-C when started in the
background, and only a SIGKILL of its whole process group ended it
(ENVIRONMENT.md: "`dagster dev` started in the background ignores SIGTERM
unless it has its own process group"). Why: it maps SIGTERM onto its SIGINT
handler, and a process a shell starts in the background without job control
inherits SIGINT *ignored*, so both signals are ignored (measured: SIGTERM to
the group did nothing for 30 s).

So we run it as a child in its own session (its own process group; SIGINT at
its default, as exec resets our caught handler), pass a SIGINT or SIGTERM we
get on to that whole group as SIGINT (Ctrl-C: `dagster dev` then exits 0 in
~2 s and its group is gone in ~5 s; SIGTERM does the same), and SIGKILL
whatever of the group is left after a grace period.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

STOP_SIGNAL = signal.SIGINT  # what `dagster dev` shuts down cleanly on (KeyboardInterrupt, as Ctrl-C)


def run_dagster_dev(workspace: str, port: int, *, grace_seconds: float = 20.0) -> int:
    """Run ``dagster dev -w workspace -p port`` until it exits or we get SIGINT/SIGTERM.

    The first SIGINT or SIGTERM is passed on to the child's process group as SIGINT; a second
    one, or ``grace_seconds`` without the group exiting, SIGKILLs the group. Nothing of the
    group outlives this call. Returns 0 after a stop we were asked for, else the child's exit
    code (128 + signal when a signal killed it). Call it from the main thread: it installs
    signal handlers, and restores the previous ones on return."""
    dagster = str(Path(sys.prefix) / "bin" / "dagster")
    received: list[int] = []
    # Handlers before the child starts: no signal is lost meanwhile, and the child starts with
    # SIGINT at its default (exec resets a caught signal, but keeps an ignored one ignored).
    previous = {
        sig: signal.signal(sig, lambda signum, _frame: received.append(signum))
        for sig in (signal.SIGINT, signal.SIGTERM)
    }
    child = None
    try:
        child = subprocess.Popen([dagster, "dev", "-w", workspace, "-p", str(port)], start_new_session=True)
        while child.poll() is None and not received:
            time.sleep(0.2)
        asked_to_stop = bool(received)
        if _group_alive(child):
            _signal_group(child.pid, STOP_SIGNAL)
        deadline = time.monotonic() + (grace_seconds if asked_to_stop else 5.0)
        while _group_alive(child) and time.monotonic() < deadline and len(received) < 2:
            time.sleep(0.2)
        if asked_to_stop:
            return 0
        return child.returncode if child.returncode >= 0 else 128 - child.returncode
    finally:
        if child is not None and _group_alive(child):  # whatever is left (also after an exception of ours)
            _signal_group(child.pid, signal.SIGKILL)
            deadline = time.monotonic() + 5  # bounded: an orphan's zombie lasts until init reaps it
            while _group_alive(child) and time.monotonic() < deadline:
                time.sleep(0.05)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _group_alive(child: subprocess.Popen) -> bool:
    """Whether any process of the child's group exists (the child reaped first: a zombie
    leader would still count)."""
    child.poll()
    try:
        os.killpg(child.pid, 0)
    except ProcessLookupError:
        return False
    return True


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass
