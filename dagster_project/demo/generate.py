"""Deterministic synthetic orgs: realistic customer histories and hostile rows.

Two shapes of org:
- ``history_org``: what a CRM really holds — accounts that buy, amend, renew,
  churn and come back, part of it in legacy deal groups — plus a sprinkling
  of hostile rows (null ids, duplicate ids, cycles, unicode and SQL-ish
  names, missing references, unmapped types).
- ``chaos_org``: small and dense, pointers and types drawn at random, so that
  the rule-ordering corners (orphans that see what earlier orphans made,
  cross-account pointers, successor races) come up often. The differential
  test feeds hundreds of these to dbt and to the Python reference.

The same seed always gives the same rows.
"""

from __future__ import annotations

import datetime as dt
import random

from dagster_project.lib.source_rows import Dataset  # noqa: F401  (re-exported: the demo's rows are Datasets)

OPPORTUNITY_COLUMNS = (
    "org_id",
    "id",
    "account_id",
    "name",
    "type",
    "stage_name",
    "is_closed",
    "is_won",
    "close_date",
    "amount",
    "record_type_id",
    "is_deleted",
    "last_opportunity_c",
    "opportunity_replaced_by_c",
    "contract_start_date_c",
    "contract_end_date_c",
)
DEAL_GROUP_COLUMNS = ("org_id", "id", "name", "crm_account_id")
MEMBERSHIP_COLUMNS = ("org_id", "deal_group_id", "opportunity_id", "sequence")
ACCOUNT_COLUMNS = ("org_id", "id", "name", "is_deleted")
ORGANIZATION_COLUMNS = (
    "org_id",
    "name",
    "engagement_model_enabled",
    "renewal_chain_enabled",
    "deal_group_writeback_enabled",
)

DEFAULT_VOCABULARY = {
    "NEW_BUSINESS": ["New Business", "new business", "  New   Customer ", "NEW BUSINESS"],
    "RENEWAL": ["Renewal", "renewal ", "RENEWAL"],
    "AMENDMENT": ["Amendment", "Upsell", "expansion", " Upsell"],
}
LANGCHAIN_VOCABULARY = {
    "NEW_BUSINESS": ["New to Langchain", "new to langchain"],
    "RENEWAL": ["Existing Customer - Renewal"],
    "AMENDMENT": ["Existing Customer - Upgrade", "Upsell"],
}
UNMAPPED_TYPES = ["Partner Referral", "Services", None]
HOSTILE_NAMES = ["Ünïcödé GmbH — 株式会社", "Robert'); DROP TABLE opportunity;--", "tab\tand\nnewline", "", "   "]


def opportunity(org_id, opp_id, **values) -> dict:
    """An opportunity row with every column present (defaults: open, not deleted)."""
    row = dict.fromkeys(OPPORTUNITY_COLUMNS)
    row.update(org_id=org_id, id=opp_id, is_closed=False, is_won=False, is_deleted=False)
    row.update(values)
    if row.get("stage_name") is None:
        row["stage_name"] = (
            "Closed Won"
            if row["is_closed"] and row["is_won"]
            else ("Closed Lost" if row["is_closed"] else "Negotiation")
        )
    return row


def won(**values) -> dict:
    return dict(is_closed=True, is_won=True, **values)


def lost(**values) -> dict:
    return dict(is_closed=True, is_won=False, **values)


def organization(org_id, name=None, model=False, chain=False, writeback=False) -> dict:
    return dict(
        org_id=org_id,
        name=name or org_id,
        engagement_model_enabled=model,
        renewal_chain_enabled=chain,
        deal_group_writeback_enabled=writeback,
    )


# --- realistic histories ---------------------------------------------------------
def history_org(
    org_id: str,
    rng: random.Random,
    accounts: int,
    vocabulary=None,
    hostile: bool = True,
    flags: tuple[bool, bool, bool] = (True, True, False),
) -> Dataset:
    """An org whose accounts buy, amend, renew, churn and win back.

    About 60% of each account's history sits in legacy deal groups (one per
    term: head + amendments); the rest is left for the orphan pass.
    """
    vocab = vocabulary or DEFAULT_VOCABULARY
    data = Dataset()
    model, chain, writeback = flags
    data.organizations.append(organization(org_id, f"Org {org_id}", model, chain, writeback))
    counter = iter(range(1, 10**9))

    def next_id(prefix):
        return f"{prefix}{next(counter):07d}"

    for a in range(accounts):
        crm = f"001{org_id[-3:]}{a:06d}"
        data.crm_accounts.append(
            dict(
                org_id=org_id,
                id=crm,
                name=rng.choice(
                    [f"Customer {a}", f"Customer {a} Inc."] + (HOSTILE_NAMES if hostile and a % 17 == 0 else [])
                ),
                is_deleted=False,
            )
        )
        day = dt.date(2021, 1, 1) + dt.timedelta(days=rng.randrange(0, 700))
        prior_tail = None
        engagement_terms = rng.randint(1, 4)
        win_backs = 1 if rng.random() < 0.15 else 0
        for _engagement in range(1 + win_backs):
            kind = "NEW_BUSINESS"
            for term in range(engagement_terms):
                legacy = rng.random() < 0.6
                head_id = next_id("006")
                outcome = rng.random()
                head = opportunity(
                    org_id,
                    head_id,
                    account_id=crm,
                    name=f"{kind.title()} {a}.{term}",
                    type=rng.choice(vocab[kind]),
                    close_date=day,
                    amount=rng.randrange(1000, 90000),
                    last_opportunity_c=prior_tail if kind == "RENEWAL" and rng.random() < 0.85 else None,
                    **(won() if outcome < 0.8 else lost() if outcome < 0.9 else {}),
                )
                members = [head]
                tail = head_id
                for n in range(rng.choice([0, 0, 1, 2, 3])):
                    amendment_id = next_id("006")
                    members.append(
                        opportunity(
                            org_id,
                            amendment_id,
                            account_id=crm,
                            name=f"Upsell {a}.{term}.{n}",
                            type=rng.choice(vocab["AMENDMENT"]),
                            close_date=day + dt.timedelta(days=30 * (n + 1)),
                            amount=rng.randrange(100, 9000),
                            last_opportunity_c=tail,
                            **won(),
                        )
                    )
                    tail = amendment_id
                data.opportunities.extend(members)
                if legacy:
                    group_id = next_id("dg-")
                    data.deal_groups.append(
                        dict(
                            org_id=org_id,
                            id=group_id,
                            name=f"Deal group {a}.{term}",
                            crm_account_id=crm if rng.random() < 0.95 else None,
                        )
                    )
                    for seq, member in enumerate(members, start=1):
                        data.memberships.append(
                            dict(org_id=org_id, deal_group_id=group_id, opportunity_id=member["id"], sequence=seq)
                        )
                if not head["is_closed"] or not head["is_won"]:
                    break
                prior_tail = tail
                kind = "RENEWAL"
                day = day + dt.timedelta(days=365)
            day = day + dt.timedelta(days=365 * 2 + rng.randrange(0, 200))  # churn, then maybe win back
            prior_tail = None
    if hostile:
        data.extend(hostile_rows(org_id, rng))
    return data


def hostile_rows(org_id: str, rng: random.Random) -> Dataset:
    """One of each kind of bad row: every one must end quarantined or unattached."""
    d = dt.date(2024, 3, 1)
    rows = Dataset()
    p = f"{org_id}-bad-"
    rows.opportunities += [
        opportunity(org_id, None, account_id="x", type="Renewal", close_date=d, **won()),  # NULL_ID
        opportunity(org_id, p + "dup", account_id="x", type="New Business", close_date=d, **won()),  # DUPLICATE_ID
        opportunity(org_id, p + "dup", account_id="x", type="New Business", close_date=d, **won()),
        opportunity(org_id, p + "noclose", account_id="x", type="New Business", close_date=None),  # NULL_CLOSE_DATE
        opportunity(org_id, p + "cyc1", account_id="x", type="Renewal", close_date=d, last_opportunity_c=p + "cyc2"),
        opportunity(org_id, p + "cyc2", account_id="x", type="Renewal", close_date=d, last_opportunity_c=p + "cyc1"),
        opportunity(
            org_id, p + "intocyc", account_id="x", type="Amendment", close_date=d, last_opportunity_c=p + "cyc1"
        ),  # leads into a loop
        opportunity(org_id, p + "multi", account_id="x", type="Amendment", close_date=d, **won()),  # two groups
        opportunity(org_id, p + "unmapped", account_id="x", type=rng.choice(UNMAPPED_TYPES), close_date=d),
        opportunity(
            org_id, p + "sqlish", account_id="x", name=HOSTILE_NAMES[1], type="'; select 1; --", close_date=d, **won()
        ),
        opportunity(
            org_id,
            p + "crossorg",
            account_id="x",
            type="Amendment",
            close_date=d,
            last_opportunity_c="some-other-org-opportunity",
            **won(),
        ),
        opportunity(org_id, p + "deleted", account_id="x", type="New Business", close_date=d, is_deleted=True),
        opportunity(org_id, p + "noacct", account_id=None, type="New Business", close_date=d, **won()),
    ]
    rows.deal_groups += [
        dict(org_id=org_id, id=p + "g1", name=HOSTILE_NAMES[0], crm_account_id="x"),
        dict(org_id=org_id, id=p + "g2", name="g2", crm_account_id="x"),
        dict(org_id=org_id, id=None, name="null id", crm_account_id="x"),
        dict(org_id=org_id, id=p + "gdup", name="dup a", crm_account_id="x"),
        dict(org_id=org_id, id=p + "gdup", name="dup b", crm_account_id="x"),
        dict(org_id=org_id, id=p + "gempty", name="empty", crm_account_id=None),
    ]
    rows.memberships += [
        dict(org_id=org_id, deal_group_id=p + "g1", opportunity_id=p + "multi", sequence=1),
        dict(org_id=org_id, deal_group_id=p + "g2", opportunity_id=p + "multi", sequence=1),
        dict(org_id=org_id, deal_group_id=p + "missing", opportunity_id=p + "sqlish", sequence=1),
        dict(org_id=org_id, deal_group_id=p + "g1", opportunity_id=p + "ghost", sequence=2),
    ]
    return rows


# --- dense random orgs for the differential test -----------------------------------
def chaos_org(org_id: str, seed: int) -> Dataset:
    """A small org with random types, dates, outcomes, groupings and pointers."""
    rng = random.Random(seed)
    data = Dataset()
    # preview orgs (model off): random histories may hold contradictions an
    # enabled org would have to fix; the differential test compares them all
    data.organizations.append(organization(org_id, model=False, chain=True))
    accounts = [f"acc{k}" for k in range(rng.randint(1, 4))]
    n = rng.randint(3, 24)
    ids = [f"o{rng.randrange(100):02d}x{k}" for k in range(n)]  # random names: id order ≠ creation order
    type_pool = (
        ["New Business"] * 4 + ["Renewal"] * 4 + ["Upsell", "Amendment "] * 2 + ["Partner", None, " new   CUSTOMER"]
    )
    base = dt.date(2023, 1, 1)
    for _k, opp_id in enumerate(ids):
        roll = rng.random()
        status = won() if roll < 0.6 else lost() if roll < 0.75 else {}
        pointer_roll = rng.random()
        pointer = (
            rng.choice(ids)
            if pointer_roll < 0.55
            else "missing-id"
            if pointer_roll < 0.6
            else "o-other-org"
            if pointer_roll < 0.62
            else None
        )
        start = base + dt.timedelta(days=rng.randrange(0, 900))
        close = start if rng.random() < 0.7 else start - dt.timedelta(days=rng.randrange(1, 40))
        row = opportunity(
            org_id,
            opp_id,
            account_id=rng.choice(accounts) if rng.random() < 0.92 else None,
            type=rng.choice(type_pool),
            close_date=close if rng.random() > 0.02 else None,
            is_deleted=rng.random() < 0.05,
            last_opportunity_c=pointer,
            contract_start_date_c=start if rng.random() < 0.5 else None,
            contract_end_date_c=(start + dt.timedelta(days=rng.choice([180, 364, 365, 729])))
            if rng.random() < 0.4
            else None,
            **status,
        )
        data.opportunities.append(row)
        if rng.random() < 0.03:
            data.opportunities.append(dict(row))  # duplicate id
    data.crm_accounts += [dict(org_id=org_id, id=a, name=f"Account {a}", is_deleted=False) for a in accounts]
    # legacy deal groups over random subsets
    pool = ids[:]
    rng.shuffle(pool)
    g = 0
    while pool and rng.random() < 0.7:
        size = rng.randint(1, 4)
        members, pool = pool[:size], pool[size:]
        g += 1
        group_id = f"g{g}"
        data.deal_groups.append(
            dict(
                org_id=org_id,
                id=group_id,
                name=f"Group {g}",
                crm_account_id=rng.choice(accounts) if rng.random() < 0.9 else None,
            )
        )
        for seq, opp_id in enumerate(members, start=1):
            data.memberships.append(dict(org_id=org_id, deal_group_id=group_id, opportunity_id=opp_id, sequence=seq))
        if rng.random() < 0.05:
            data.deal_groups.append(dict(data.deal_groups[-1]))  # duplicate deal group id
    if g and rng.random() < 0.1:
        data.memberships.append(
            dict(org_id=org_id, deal_group_id="g1", opportunity_id=rng.choice(ids), sequence=9)
        )  # maybe a second group for that opportunity
    if rng.random() < 0.1:
        data.memberships.append(dict(org_id=org_id, deal_group_id="nope", opportunity_id=ids[0], sequence=1))
    return data


# --- the demo dataset ---------------------------------------------------------------
def demo_dataset(orgs: int = 6, scale: float = 1.0, seed: int = 7) -> Dataset:
    """``orgs`` orgs of realistic histories: the first uses the Langchain
    vocabulary, two sit in the illegal flag states, one is not enabled yet,
    the rest are enabled. ``scale`` multiplies the accounts per org (≈ 40)."""
    rng = random.Random(seed)
    data = Dataset()
    accounts = max(1, int(40 * scale))
    for k in range(orgs):
        if k == 0:
            org_id, vocab, flags = "org_langchain", LANGCHAIN_VOCABULARY, (True, True, True)
        else:
            org_id, vocab = f"org_{k:03d}", None
            flags = {1: (True, False, False), 2: (False, True, True), 3: (False, False, False)}.get(
                k, (True, True, False)
            )
        data.extend(history_org(org_id, random.Random(rng.random()), accounts, vocab, hostile=True, flags=flags))
    return data
