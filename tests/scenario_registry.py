"""Scenarios are small orgs written by hand, one org per scenario. Test modules
register them with ``@scenario`` at import; the session fixture loads every
registered org before the single dbt build, so each test only reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from dagster_project.demo.generate import Dataset, lost, opportunity, organization, won

SCENARIOS: dict[str, Callable[[], Dataset]] = {}


def scenario(builder: Callable[[OrgBuilder], None]) -> str:
    """Register ``builder`` as org ``sc_<function name>``; returns the org id."""
    org_id = f"sc_{builder.__name__}"

    def build() -> Dataset:
        org = OrgBuilder(org_id)
        builder(org)
        return org.data

    SCENARIOS[org_id] = build
    return org_id


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


OUTCOMES = {"won": won, "lost": lost, "open": dict}


class OrgBuilder:
    """Terse builders for one org's source rows."""

    def __init__(self, org_id: str):
        self.org_id = org_id
        self.data = Dataset(organizations=[organization(org_id, model=True, chain=True)])

    def flags(self, model: bool, chain: bool, writeback: bool) -> None:
        self.data.organizations = [organization(self.org_id, model=model, chain=chain, writeback=writeback)]

    def opp(
        self,
        opp_id,
        crm_type,
        close,
        outcome="won",
        account="acc1",
        pointer=None,
        start=None,
        end=None,
        deleted=False,
        **extra,
    ) -> dict:
        row = opportunity(
            self.org_id,
            opp_id,
            account_id=account,
            type=crm_type,
            close_date=d(close) if isinstance(close, str) else close,
            last_opportunity_c=pointer,
            contract_start_date_c=d(start) if start else None,
            contract_end_date_c=d(end) if end else None,
            is_deleted=deleted,
            name=f"opportunity {opp_id}",
            **OUTCOMES[outcome](),
            **extra,
        )
        self.data.opportunities.append(row)
        return row

    def group(self, group_id, *opp_ids, crm="acc1", name=None) -> None:
        self.data.deal_groups.append(
            dict(org_id=self.org_id, id=group_id, name=name or f"group {group_id}", crm_account_id=crm)
        )
        for seq, opp_id in enumerate(opp_ids, start=1):
            self.member(group_id, opp_id, seq)

    def member(self, group_id, opp_id, seq=1) -> None:
        self.data.memberships.append(
            dict(org_id=self.org_id, deal_group_id=group_id, opportunity_id=opp_id, sequence=seq)
        )

    def account(self, crm_id, name) -> None:
        self.data.crm_accounts.append(dict(org_id=self.org_id, id=crm_id, name=name, is_deleted=False))
