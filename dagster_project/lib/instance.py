"""The Dagster instance this project runs on (``.dagster_home/dagster.yaml``).

- Telemetry off.
- One run at a time among those that rebuild the hierarchy tables (tag
  ``platform/builds: hierarchy``: the backfill and renewal jobs). A full build
  renames and drops those tables while an org-scoped one deletes and inserts in
  them, and two builds replace the same staging views; overlapping runs wait in
  Dagster's queue instead of failing on each other's locks (decision D38).
- Run monitoring on: a run that never starts, or whose process was killed
  (kill -9) and so never ends, is marked failed (``dagster/max_runtime``).
"""

from __future__ import annotations

from pathlib import Path

HIERARCHY_BUILD_TAGS = {
    "platform/builds": "hierarchy",
    # a run whose process was killed (kill -9) is marked failed by run monitoring after this long
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

INSTANCE_YAML = (
    _QUEUE_YAML
    + """\
run_monitoring:
  enabled: true
  start_timeout_seconds: 300
  poll_interval_seconds: 60
"""
)

# what earlier versions wrote; replaced by the current default (nothing a user wrote is touched)
_EARLIER_DEFAULTS = ("telemetry:\n  enabled: false\n", _QUEUE_YAML)


def write_instance_config(home: Path) -> Path:
    """``home/dagster.yaml``: written when absent or still an earlier default of ours."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists() or config.read_text() in _EARLIER_DEFAULTS:
        config.write_text(INSTANCE_YAML)
    return config
