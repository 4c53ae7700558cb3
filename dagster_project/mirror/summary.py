"""The mirror's plan and push as a reader sees them: per org, the count of each action and the
first changed fields (old → new) or refusals; with a push, created / updated / failed and the
requests sent. Printed by the CLI and shown as Dagster metadata."""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg

ACTIONS = ("INSERT", "UPDATE", "UNCHANGED", "REFUSED")
ORG_REASONS = ("ILLEGAL_FLAGS", "ORG_NOT_ENABLED")  # refusals of a whole org (marts.mirror_plan)


@dataclass
class OrgPlan:
    org_id: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ACTIONS, 0))
    samples: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"org_id": self.org_id, **{a.lower(): self.counts[a] for a in ACTIONS}, "samples": self.samples}


def _value(value) -> str:
    return "null" if value is None else str(value)


def describe(action: str, contract_id: str, changed: dict, reason: str | None, fields: int = 3) -> str:
    """``UPDATE C-1: Group_End_Date__c 2024-12-31 → 2025-06-30`` (the first ``fields`` fields)."""
    if action == "REFUSED":
        return f"REFUSED {contract_id}: {reason}"
    parts = [f"{name} {_value(change.get('old'))} → {_value(change.get('new'))}" for name, change in changed.items()]
    more = f" (+{len(parts) - fields} more)" if len(parts) > fields else ""
    return f"{action} {contract_id}: " + ", ".join(parts[:fields]) + more


def read_plan(url: str, orgs: list[str] | None = None, sample: int = 3) -> list[OrgPlan]:
    """Each org's counts in marts.mirror_plan and its first ``sample`` rows of each of INSERT,
    UPDATE and REFUSED (by contract id)."""
    with psycopg.connect(url) as conn:
        counts = conn.execute(
            """
            select org_id, action, count(*) from marts.mirror_plan
            where %(orgs)s::text[] is null or org_id = any(%(orgs)s::text[])
            group by org_id, action order by org_id""",
            {"orgs": orgs},
        ).fetchall()
        samples = conn.execute(
            """
            select org_id, action, deal_group_id_c, changed_fields, reason from (
                select *, row_number() over (partition by org_id, action order by deal_group_id_c) as n
                from marts.mirror_plan
                where action <> 'UNCHANGED' and (%(orgs)s::text[] is null or org_id = any(%(orgs)s::text[]))
            ) as ranked
            where n <= %(sample)s
            order by org_id, array_position(array['UPDATE', 'INSERT', 'REFUSED'], action), deal_group_id_c""",
            {"orgs": orgs, "sample": sample},
        ).fetchall()
    plans: dict[str, OrgPlan] = {}
    for org, action, count in counts:
        plans.setdefault(org, OrgPlan(org)).counts[action] = count
    for org, action, contract_id, changed, reason in samples:
        if reason and reason.startswith(ORG_REASONS):  # the org's reason, once: every contract has it
            line = f"REFUSED every contract: {reason}"
            if line not in plans[org].samples:
                plans[org].samples.append(line)
            continue
        plans[org].samples.append(describe(action, contract_id, changed or {}, reason))
    return [plans[org] for org in sorted(plans)]


def render_plan(plans: list[OrgPlan]) -> list[str]:
    if not plans:
        return ["no org to mirror: no org has deal_group_writeback_enabled (and none has Deal_Group__c records)"]
    lines = []
    for plan in plans:
        total = sum(plan.counts.values())
        lines.append(f"{plan.org_id}: {total} contracts — " + ", ".join(f"{a} {plan.counts[a]}" for a in ACTIONS))
        lines += [f"  {sample}" for sample in plan.samples]
    return lines


def render_push(pushes: list[dict]) -> list[str]:
    lines = []
    for push in pushes:
        lines.append(
            f"{push['org_id']}: pushed — created {push['created']}, updated {push['updated']}, "
            f"failed {push['failed']}, requests sent {push['requests']} ({push['api']})"
        )
        lines += [f"  FAILED {f['contract_id']}: {f['error_code']}: {f['error_message']}" for f in push["failures"][:5]]
    return lines


def plan_markdown(plans: list[OrgPlan]) -> str:
    rows = ["| org | " + " | ".join(ACTIONS) + " | first changes |", "|---" * (len(ACTIONS) + 2) + "|"]
    for plan in plans:
        samples = "<br>".join(s.replace("|", "/") for s in plan.samples[:3])
        rows.append(f"| {plan.org_id} | " + " | ".join(str(plan.counts[a]) for a in ACTIONS) + f" | {samples} |")
    return "\n".join(rows)
