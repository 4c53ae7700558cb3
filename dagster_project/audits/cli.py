"""``audit [--org O] [--fail-on error|warn|never]`` (SPEC §7): every audit over the live
tables and the last computed marts, the history appended, one line per (audit, org)
with findings; exit 1 when a finding at or above ``fail_on`` is open."""

from __future__ import annotations

from dagster import DagsterInstance, materialize

from dagster_project.audits.defs import AUDITS_SELECTION, audit_checks, audit_history, audit_models
from dagster_project.audits.report_page import report_path
from dagster_project.audits.summary import FAIL_ON, exit_code, latest_results, render
from dagster_project.lib.dbt_project import dbt_resource
from dagster_project.lib.jobs import CONSOLE_WARNINGS_ONLY
from dagster_project.lib.resources import PostgresResource


def run_audit(
    orgs: list[str] | None,
    fail_on: str = "error",
    *,
    url: str | None = None,
    instance: DagsterInstance | None = None,
) -> tuple[list[str], int]:
    """Materialize the audits (every org: they are not org-scoped) and record ``orgs`` (None:
    every org) in the history; returns the lines to print and the exit code."""
    if fail_on not in FAIL_ON:
        raise ValueError(f"--fail-on must be one of {', '.join(FAIL_ON)}, got {fail_on!r}")
    postgres = PostgresResource(database_url=url)
    result = materialize(
        [audit_models, audit_history, audit_checks],
        resources={"dbt": dbt_resource(), "postgres": postgres},
        run_config={
            "ops": {"platform__audit_history": {"config": {"orgs": orgs}}},
            "loggers": CONSOLE_WARNINGS_ONLY,  # the lines below say what matters
        },
        instance=instance or DagsterInstance.ephemeral(),
        selection=AUDITS_SELECTION,
        raise_on_error=False,
    )
    if not result.success:
        return [f"audit run {result.run_id} failed; see the run in `dagster dev`"], 1
    results = latest_results(postgres.url(), run_id=result.run_id, orgs=orgs)
    lines = render(results) + [f"run {result.run_id}", f"data-quality page: {report_path(result.run_id)}"]
    return lines, exit_code(results, fail_on)
