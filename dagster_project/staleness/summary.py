"""A short, printable account of the last staleness run, read from its marts."""

from __future__ import annotations

from dagster_project.lib import database


def staleness_summary(url: str | None = None) -> str:
    with database.connect(url) as conn:
        by_policy = conn.execute(
            "select coalesce(policy, 'unknown'), count(*), count(*) filter (where is_stale),"
            " count(*) filter (where is_stale is null) from marts.agreement_staleness group by 1 order by 1"
        ).fetchall()
        locks = conn.execute(
            "select count(*) filter (where agreement_present), count(*) filter (where is_locked) from marts.report_lock"
        ).fetchone()
        problems = conn.execute(
            "select reason, count(*) from marts.staleness_problems group by 1 order by 2 desc, 1"
        ).fetchall()
    lines = [
        "agreement staleness (ACTIVE agreements of attik jobs):",
        "  policy                  checked   stale  undetermined",
    ]
    lines += [
        f"  {policy:<22}{checked:>9}{stale:>8}{undetermined:>14}" for policy, checked, stale, undetermined in by_policy
    ] or ["  (no checked agreements)"]
    lines.append(f"report lock: {locks[1]} of {locks[0]} reports with an agreement are locked")
    lines.append(
        "problems: "
        + (", ".join(f"{reason} {count}" for reason, count in problems) or "none")
        + "  (marts.staleness_problems)"
    )
    return "\n".join(lines)
