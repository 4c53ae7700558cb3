"""Source rows of SPEC §2 in memory, one list of dicts per table: what the demo
generator makes, the loader writes and the reference (SPEC §3 in Python) reads."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Dataset:
    """Source rows, one list per table, columns as in SPEC §2."""

    opportunities: list[dict] = field(default_factory=list)
    deal_groups: list[dict] = field(default_factory=list)
    memberships: list[dict] = field(default_factory=list)
    crm_accounts: list[dict] = field(default_factory=list)
    organizations: list[dict] = field(default_factory=list)

    def extend(self, other: Dataset) -> None:
        for name in ("opportunities", "deal_groups", "memberships", "crm_accounts", "organizations"):
            getattr(self, name).extend(getattr(other, name))
