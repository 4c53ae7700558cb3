"""Setting a stale policy, as an operator does (SPEC §6: template overrides company, null = FULL)."""

from __future__ import annotations

from dagster_project.lib import database
from dagster_project.staleness.rules import POLICIES


def set_stale_policy(
    *, company_id: str | None = None, template_id: str | None = None, policy: str, url: str | None = None
) -> str:
    """Set (or with ``INHERIT`` clear) the policy of one company or one template.
    A template change is announced on ``app.change_event`` (field ``stale_policy``)
    so the staleness sensor re-checks that template's agreements; a company's is
    picked up by the hourly full run (or ``staleness`` now)."""
    value = None if policy.upper() == "INHERIT" else policy.upper()
    if value is not None and value not in POLICIES:
        raise ValueError(f"unknown stale policy {policy!r}; one of {', '.join(POLICIES)} or INHERIT")
    if (company_id is None) == (template_id is None):
        raise ValueError("give exactly one of company_id or template_id")
    table, key, row_id = (
        ("app.company", "company_id", company_id)
        if company_id is not None
        else ("app.agreement_template", "template_id", template_id)
    )
    with database.connect(url) as conn:
        if conn.execute(f"update {table} set stale_policy = %s where {key} = %s", [value, row_id]).rowcount != 1:
            raise ValueError(f"{table}: no row with {key} = {row_id!r}")
        if template_id is not None:
            conn.execute(
                "insert into app.change_event (source, op, entity_id, template_id, changed_fields) "
                "values ('template', 'update', %s, %s, '{stale_policy}')",
                [template_id, template_id],
            )
    shown = value or "inherited"
    when = (
        "the staleness sensor re-checks its agreements"
        if template_id is not None
        else "the hourly staleness run applies it (or run `staleness` now)"
    )
    return f"{table} {row_id}: stale_policy = {shown}; {when}"
