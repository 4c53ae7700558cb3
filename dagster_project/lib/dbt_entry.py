"""``platform-dbt``: the dbt that the code location's dbt steps run (``lib/dbt_project.dbt_resource``).

It is dbt, with one difference. dagster-dbt asks its dbt executable ``--version`` at the start
of every run (each run makes a new resource), to tell dbt Core from dbt Fusion. ``dbt
--version`` spends 2.8 s here importing dbt before it prints a line. This entry point prints
that line from the installed dbt-core's metadata, in dbt's format. Every other command goes to
dbt's own entry point, unchanged. Measured in ``docs/benchmarks.md``, "dbt's version without dbt".
"""

from __future__ import annotations

import sys
from importlib.metadata import version


def main() -> int:
    if sys.argv[1:] == ["--version"]:
        print(f"Core:\n  - installed: {version('dbt-core')}")
        return 0
    from dbt.cli.main import cli

    return cli()
