"""The Dagster instance this project runs on (``.dagster_home/dagster.yaml``).

- Telemetry off.
- One run at a time among those that rebuild the hierarchy tables (tag
  ``platform/builds: hierarchy``: the backfill and renewal jobs). A full build
  renames and drops those tables while an org-scoped one deletes and inserts in
  them, and two builds replace the same staging views; overlapping runs wait in
  Dagster's queue instead of failing on each other's locks (decision D38).
- Run monitoring on, with ``LocalRunLauncher`` (lib/run_launcher.py): a run whose
  process was killed (kill -9) is marked failed at the daemon's next check (every
  30 s); one that never starts, or runs past ``dagster/max_runtime``, too.
"""

from __future__ import annotations

from pathlib import Path

HIERARCHY_BUILD_TAGS = {
    "platform/builds": "hierarchy",
    # a run still going after this long is marked failed by run monitoring (a hung build)
    "dagster/max_runtime": str(3 * 3600),
}

_QUEUE_YAML = """\
telemetry:
  enabled: false
concurrency:
  runs:
    tag_concurrency_limits:
      - key: platform/builds
        value: hierarchy
        limit: 1
"""

_MONITORING_YAML = """\
run_monitoring:
  enabled: true
  start_timeout_seconds: 300
  poll_interval_seconds: 60
"""

INSTANCE_YAML = (
    _QUEUE_YAML
    + """\
run_launcher:
  module: dagster_project.lib.run_launcher
  class: LocalRunLauncher
run_monitoring:
  enabled: true
  start_timeout_seconds: 300
  poll_interval_seconds: 30
"""
)

# what earlier versions wrote; replaced by the current default (nothing a user wrote is touched)
_EARLIER_DEFAULTS = ("telemetry:\n  enabled: false\n", _QUEUE_YAML, _QUEUE_YAML + _MONITORING_YAML)


def write_instance_config(home: Path) -> Path:
    """``home/dagster.yaml``: written when absent or still an earlier default of ours."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists() or config.read_text() in _EARLIER_DEFAULTS:
        config.write_text(INSTANCE_YAML)
    return config
