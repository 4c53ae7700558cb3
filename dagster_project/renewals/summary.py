"""A short, printable account of the last renewal run, read from its marts and
from what the scaffolding apply wrote."""

from __future__ import annotations

from dagster_project.lib import database


def renewal_summary(written: dict[str, int], orgs: list[str] | None = None, url: str | None = None) -> str:
    """Per renewal-enabled org (of ``orgs``, default every one): priors, successors, seeds, seed
    problems and walker disagreements; then what the apply wrote (``written``: the scaffolding
    asset's counts)."""
    with database.connect(url) as conn:
        per_org = conn.execute(
            """
            select t.org_id, count(*), count(*) filter (where t.has_pending_successor),
                   count(*) filter (where t.must_scaffold_now),
                   (select count(distinct s.renewal_contract_id) from marts.renewal_seed_lines as s
                    where s.org_id = t.org_id),
                   (select count(*) from marts.renewal_seed_problems as p where p.org_id = t.org_id),
                   (select count(*) from marts.renewal_walker_diff as d
                    where d.org_id = t.org_id
                      and (cardinality(d.only_legacy) > 0 or cardinality(d.only_engagement) > 0))
            from marts.renewal_targets as t
            where %(orgs)s::text[] is null or t.org_id = any(%(orgs)s::text[])
            group by t.org_id
            order by t.org_id
        """,
            {"orgs": orgs},
        ).fetchall()
    lines = [
        "renewals (ACTIVE contracts with a Won head, renewal-enabled orgs in a legal flag state):",
        "  org                     priors  with PENDING successor  to scaffold  seeded  seed problems  walker diff",
    ]
    lines += [
        f"  {org:<22}{priors:>8}{pending:>24}{scaffold:>13}{seeded:>8}{problems:>15}{diff:>13}"
        for org, priors, pending, scaffold, seeded, problems, diff in per_org
    ] or ["  (no renewal-enabled org)"]
    lines.append(
        "applied: " + (", ".join(f"{what.replace('_', ' ')} {count}" for what, count in written.items()) or "nothing")
    )
    lines.append(
        "details: marts.renewal_targets, marts.renewal_seed_lines, marts.renewal_seed_problems, "
        "marts.renewal_walker_diff"
    )
    return "\n".join(lines)
