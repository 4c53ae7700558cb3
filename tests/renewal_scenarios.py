"""Renewal scenario orgs (SPEC §4), one org each, with their quotes. They live
in a database of their own so the renewal pipeline's few runs stay small."""

from __future__ import annotations

import datetime as dt

from dagster_project.demo.generate import Dataset
from tests.scenario_registry import OrgBuilder, d

AS_OF = "2024-05-01"  # every prior below ends 2024-06-30: inside the 120-day lead time


class RenewalOrg(OrgBuilder):
    def __init__(self, org_id: str, model: bool = True, chain: bool = True):
        super().__init__(org_id)
        self.flags(model=model, chain=chain, writeback=False)
        self.quotes: list[dict] = []
        self.lines: list[dict] = []

    def prior(self, head="nb", account="acc1"):
        """A Won new-business contract for 2023-07-01..2024-06-30."""
        return self.opp(head, "New Business", "2023-06-20", account=account, start="2023-07-01", end="2024-06-30")

    def quoted_prior(self, seats: int):
        """The prior, with a signed primary head quote of ``seats`` × SKU-A at 100 over its term."""
        self.prior()
        self.quote("q-nb", "nb", ("SKU-A", seats, 100, "2023-07-01", "2024-06-30"))

    def quote(self, quote_id, opp_id, *lines, primary=True, status="SIGNED"):
        self.quotes.append(
            dict(
                org_id=self.org_id,
                id=quote_id,
                opportunity_id=opp_id,
                is_primary=primary,
                status=status,
                signed_at=dt.datetime(2023, 6, 1, tzinfo=dt.UTC) if status == "SIGNED" else None,
                is_system_draft=False,
            )
        )
        for n, (sku, qty, price, start, end) in enumerate(lines):
            self.lines.append(
                dict(
                    org_id=self.org_id,
                    quote_id=quote_id,
                    id=f"{quote_id}-l{n}",
                    product_sku=sku,
                    quantity=qty,
                    unit_price=price,
                    start_date=start and d(start),
                    end_date=end and d(end),
                )
            )


def seed_replay() -> RenewalOrg:
    """Head quote + Won amendments' deltas; a line ending before the renewal, a line without dates,
    a SKU that nets to 0, a Lost amendment, two primary quotes on one amendment."""
    org = RenewalOrg("rn_seed")
    org.prior()
    org.opp("am1", "Upsell", "2023-10-01", pointer="nb")
    org.opp("am2", "Upsell", "2023-12-01", pointer="am1")
    org.opp("am3", "Upsell", "2024-01-15", pointer="am2", outcome="lost")
    org.quote(
        "q-nb",
        "nb",
        ("SKU-A", 10, 100, "2023-07-01", "2024-06-30"),
        ("SKU-B", 5, 50, "2023-07-01", "2024-01-31"),
        ("SKU-C", 2, 30, "2023-07-01", None),
    )
    org.quote(
        "q-am1", "am1", ("SKU-A", 5, 110, "2023-10-01", "2024-06-30"), ("SKU-D", 3, 20, "2023-10-01", "2024-06-30")
    )
    org.quote("q-am1-rep", "am1", ("SKU-Z", 99, 1, "2023-10-01", "2024-06-30"), status="DRAFT")  # 2nd primary
    org.quote(
        "q-am2", "am2", ("SKU-D", -3, 20, "2023-12-01", "2024-06-30"), ("SKU-A", -2, 110, "2023-12-01", "2024-06-30")
    )
    org.quote("q-am3", "am3", ("SKU-A", 100, 1, "2024-01-15", "2024-06-30"))
    return org


def uplift() -> RenewalOrg:
    org = RenewalOrg("example_uplift_org")  # org_settings: UPLIFT 5 %
    org.prior()
    org.quote("q-nb", "nb", ("SKU-A", 4, "100.00", "2023-07-01", "2024-06-30"))
    return org


def bad_quotes() -> RenewalOrg:
    """No signed head quote; an amendment that takes a SKU below zero; a valid one."""
    org = RenewalOrg("rn_bad_quotes")
    org.prior()
    org.opp("am1", "Upsell", "2023-10-01", pointer="nb")
    org.opp("am2", "Upsell", "2023-11-01", pointer="am1")
    org.quote("q-nb", "nb", ("SKU-A", 10, 100, "2023-07-01", "2024-06-30"), status="DRAFT")
    org.quote("q-am1", "am1", ("SKU-X", -4, 10, "2023-10-01", "2024-06-30"))
    org.quote("q-am2", "am2", ("SKU-Y", 2, 15, "2023-11-01", "2024-06-30"))
    return org


def rep_quote() -> RenewalOrg:
    """An open renewal opportunity already exists, and a rep built a primary quote on it."""
    org = RenewalOrg("rn_rep_quote")
    org.quoted_prior(10)
    org.opp("rn", "Renewal", "2024-06-15", pointer="nb", outcome="open", start="2024-07-01", end="2025-06-30")
    org.quote("q-rep", "rn", ("SKU-A", 12, 95, "2024-07-01", "2025-06-30"), status="DRAFT")
    return org


def adopt() -> RenewalOrg:
    """Scaffolded by lead time; its renewal opportunity arrives later (the test adds it)."""
    org = RenewalOrg("rn_adopt")
    org.quoted_prior(1)
    return org


def race() -> RenewalOrg:
    """Due by lead time, left unscaffolded by the first run for the concurrency test."""
    org = RenewalOrg("rn_race")
    org.quoted_prior(3)
    return org


def illegal() -> RenewalOrg:
    org = RenewalOrg("rn_illegal", model=True, chain=False)  # model without chain: illegal (F4)
    org.quoted_prior(3)
    return org


def walker() -> RenewalOrg:
    """A legacy deal group holds the head and an amendment whose pointer is empty: the two walkers disagree."""
    org = RenewalOrg("rn_walker")
    org.quoted_prior(1)
    org.opp("am1", "Upsell", "2023-09-01")
    org.group("dg1", "nb", "am1")
    org.opp("rn", "Renewal", "2024-06-15", pointer="nb", outcome="open", start="2024-07-01", end="2025-06-30")
    return org


def sensor() -> RenewalOrg:
    org = RenewalOrg("rn_sensor")
    org.quoted_prior(2)
    org.opp("later", "New Business", "2023-08-01", account="acc2", start="2023-08-01", end="2025-07-31")
    return org


SCENARIOS = [seed_replay, uplift, bad_quotes, rep_quote, adopt, race, illegal, walker, sensor]


def renewal_dataset() -> tuple[Dataset, list[dict], list[dict]]:
    data, quotes, lines = Dataset(), [], []
    for build in SCENARIOS:
        org = build()
        data.extend(org.data)
        quotes += org.quotes
        lines += org.lines
    return data, quotes, lines
