"""What an audit run found, as the CLI prints it and the asset checks show it: per
(audit, org), the latest run's counts from ``platform.audit_runs`` and the open
findings since when from ``platform.audit_findings_history``."""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg
from psycopg.rows import dict_row

SEVERITIES = ("ERROR", "WARN")
FAIL_ON = {"error": ("ERROR",), "warn": ("ERROR", "WARN"), "never": ()}


@dataclass(frozen=True)
class AuditResult:
    """One (audit, org) of an audit run."""

    run_id: str
    audit_id: str
    org_id: str
    severity: str
    findings: int
    new: int
    resolved: int
    sample: list[dict] = field(default_factory=list)
    open_since: str | None = None  # the first-seen time of its oldest open finding

    def line(self) -> str:
        since = f", open since {self.open_since}" if self.open_since and self.findings else ""
        return (
            f"{self.audit_id:<16} {self.org_id:<24} {self.severity:<5} {self.findings} finding(s): "
            f"{self.new} new, {self.findings} open{since}, {self.resolved} resolved"
        )


def latest_results(url: str, run_id: str | None = None, orgs: list[str] | None = None) -> list[AuditResult]:
    """Each (audit, org)'s row of ``run_id`` (default: its latest run), with its oldest open finding."""
    with psycopg.connect(url, row_factory=dict_row) as conn:
        rows = conn.execute(
            """
            with latest as (
                select distinct on (audit_id, org_id) *
                from platform.audit_runs
                where (%(run)s::text is null or run_id = %(run)s)
                    and (%(orgs)s::text[] is null or org_id = any(%(orgs)s::text[]))
                order by audit_id, org_id, ran_at desc
            ),

            open_since as (
                select audit_id, org_id, min(first_seen_at) as since
                from platform.audit_findings_history
                where resolved_at is null
                group by audit_id, org_id
            )

            select latest.*, to_char(open_since.since, 'YYYY-MM-DD HH24:MI') as since
            from latest
            left join open_since on open_since.audit_id = latest.audit_id and open_since.org_id = latest.org_id
            order by latest.audit_id, latest.org_id""",
            {"run": run_id, "orgs": sorted(orgs) if orgs else None},
        ).fetchall()
    return [
        AuditResult(
            run_id=r["run_id"],
            audit_id=r["audit_id"],
            org_id=r["org_id"],
            severity=r["severity"],
            findings=r["finding_count"],
            new=r["new_count"],
            resolved=r["resolved_count"],
            sample=r["sample"] or [],
            open_since=r["since"],
        )
        for r in rows
    ]


def worth_a_line(result: AuditResult) -> bool:
    """The CLI prints an (audit, org) that has findings, or had some resolved by this run."""
    return result.findings > 0 or result.resolved > 0


def exit_code(results: list[AuditResult], fail_on: str) -> int:
    """1 when a finding at or above ``fail_on`` (error | warn | never) is open, else 0."""
    failing = FAIL_ON[fail_on]
    return 1 if any(r.findings and r.severity in failing for r in results) else 0


def render(results: list[AuditResult]) -> list[str]:
    """One line per (audit, org) with findings (or resolved ones), then a total."""
    lines = [r.line() for r in results if worth_a_line(r)]
    errors = sum(r.findings for r in results if r.severity == "ERROR")
    warnings = sum(r.findings for r in results if r.severity == "WARN")
    orgs = len({r.org_id for r in results})
    lines.append(f"audits: {orgs} org(s), {errors} ERROR and {warnings} WARN finding(s) open")
    return lines
