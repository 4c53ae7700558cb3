"""The per-org summary users read after a backfill: what was computed, what
landed where, what the apply wrote, whether the counts reconcile, and the CRM
types that mapped to no canonical type."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from dagster_project.backfill.apply import OrgPlan
from dagster_project.lib import database

UNMAPPED_TYPES_SHOWN = 3
MAPPING_SEED = "dbt_project/seeds/crm_type_mapping.csv"


@dataclass
class OrgSummary:
    org_id: str | None
    contracts: int = 0
    engagements: int = 0
    accounts: int = 0
    input_opportunities: int = 0
    attached: int = 0
    unattached: int = 0
    quarantined: int = 0
    is_balanced: bool = True
    unattached_by_reason: dict[str, int] = field(default_factory=dict)
    quarantined_by_reason: dict[str, int] = field(default_factory=dict)
    flag_problem: str | None = None
    # the most frequent of marts.unmapped_crm_types (crm_type, opportunities, seed_row_to_add), and how many it has
    unmapped_crm_types: list[dict] = field(default_factory=list)
    unmapped_crm_type_count: int = 0
    apply: str = ""
    rows_written: int = 0
    changes: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def summarize(plans: list[OrgPlan], url: str | None = None) -> list[OrgSummary]:
    """One summary per org in the sources, read from the marts."""
    summaries: dict[str | None, OrgSummary] = {}
    with database.connect(url) as conn:
        for org, inputs, attached, unattached, quarantined, balanced in conn.execute(
            "select org_id, input_opportunities, attached, unattached, quarantined, is_balanced"
            " from marts.backfill_reconciliation"
        ):
            summaries[org] = OrgSummary(
                org,
                input_opportunities=inputs,
                attached=attached,
                unattached=unattached,
                quarantined=quarantined,
                is_balanced=balanced,
            )
        for column, table in (("contracts", "contracts"), ("engagements", "engagements"), ("accounts", "accounts")):
            for org, count in conn.execute(f"select org_id, count(*) from marts.{table} group by org_id"):
                setattr(summaries.setdefault(org, OrgSummary(org)), column, count)
        for org, reason, count in conn.execute(
            "select org_id, reason, count(*) from marts.unattached_opportunities group by 1, 2 order by 1, 2"
        ):
            summaries.setdefault(org, OrgSummary(org)).unattached_by_reason[reason] = count
        for org, reason, count in conn.execute(
            "select org_id, reason, count(*) from marts.quarantined_rows group by 1, 2 order by 1, 2"
        ):
            summaries.setdefault(org, OrgSummary(org)).quarantined_by_reason[reason] = count
        for org, crm_type, count, seed_row, total in conn.execute(
            "select org_id, crm_type, opportunities, seed_row_to_add, total from ("
            "  select *, count(*) over (partition by org_id) as total, row_number() over ("
            '    partition by org_id order by opportunities desc, crm_type collate "C" nulls last) as rank'
            "  from marts.unmapped_crm_types) as ranked"
            " where rank <= %s order by org_id, rank",
            [UNMAPPED_TYPES_SHOWN],
        ):
            summary = summaries.setdefault(org, OrgSummary(org))
            summary.unmapped_crm_types.append(dict(crm_type=crm_type, opportunities=count, seed_row_to_add=seed_row))
            summary.unmapped_crm_type_count = total
        for org, problem in conn.execute("select org_id, problem from marts.org_flag_states where not is_legal"):
            summaries.setdefault(org, OrgSummary(org)).flag_problem = problem
    for plan in plans:
        summary = summaries.setdefault(plan.org_id, OrgSummary(plan.org_id))
        summary.rows_written = plan.rows_written
        summary.changes = plan.changes if not plan.skipped_reason else {}
        summary.apply = (
            f"skipped: {plan.skipped_reason}"
            if plan.skipped_reason
            else ("applied" if plan.applied else "planned (dry run)")
        )
    return sorted(summaries.values(), key=lambda s: (s.org_id is None, s.org_id or ""))


def render(summaries: list[OrgSummary]) -> str:
    """A short plain-text table, one block per org."""
    lines = []
    for s in summaries:
        lines.append(
            f"{s.org_id or '(no org_id)'}: {s.contracts} contracts, {s.engagements} engagements, "
            f"{s.accounts} accounts | opportunities in={s.input_opportunities} attached={s.attached} "
            f"unattached={s.unattached} quarantined={s.quarantined} "
            f"{'reconciles' if s.is_balanced else 'DOES NOT RECONCILE'}"
        )
        if s.unattached_by_reason:
            lines.append("    unattached: " + ", ".join(f"{r} {n}" for r, n in s.unattached_by_reason.items()))
        if s.quarantined_by_reason:
            lines.append("    quarantined: " + ", ".join(f"{r} {n}" for r, n in s.quarantined_by_reason.items()))
        lines.extend(_unmapped_lines(s))
        if s.apply:
            lines.append(f"    apply: {s.apply}" + (f", {s.rows_written} rows" if s.changes else ""))
        for table, actions in s.changes.items():
            if any(actions.values()):
                lines.append(
                    f"      {table}: {actions['insert']} inserted, {actions['update']} updated, "
                    f"{actions['delete']} deleted"
                )
    return "\n".join(lines)


def _unmapped_lines(s: OrgSummary) -> list[str]:
    """The org's most frequent unmapped CRM types, and how to map them."""
    if not s.unmapped_crm_types:
        return []

    def label(t: dict) -> str:
        if t["seed_row_to_add"]:
            return repr(t["crm_type"])
        return "(no type)" if t["crm_type"] is None else "(blank type)"

    shown = ", ".join(f"{label(t)} {t['opportunities']}" for t in s.unmapped_crm_types)
    more = s.unmapped_crm_type_count - len(s.unmapped_crm_types)
    lines = [
        f"    unmapped CRM types (typed OTHER): {shown}"
        + (f" (+{more} more in marts.unmapped_crm_types)" if more > 0 else "")
    ]
    example = next((t["seed_row_to_add"] for t in s.unmapped_crm_types if t["seed_row_to_add"]), None)
    if example:
        lines.append(f"      to map one, add its row to {MAPPING_SEED} with the type chosen, e.g. {example}")
    if any(not t["seed_row_to_add"] for t in s.unmapped_crm_types):
        lines.append("      a missing or blank type maps to nothing: set the Type in the CRM")
    return lines
