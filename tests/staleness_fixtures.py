"""Generated agreement fixtures for the staleness differential test: every
shape of input the SQL and the Python twin must agree on — unicode and
separator characters in facts, odd people JSON, sub-cent amounts, deleted
charges, time zones and fractions of seconds, unknown and lower-case policy
strings, missing templates and versions, and signed snapshots that are
current, outdated in one class, or unreadable in one class."""

from __future__ import annotations

import copy
import datetime as dt
import random

from dagster_project.demo.agreements import AgreementDataset
from dagster_project.lib.agreement_content import Charge, InspectionFacts, signed_snapshot

PREFIX = "fx"
TEXTS = ["1 Main St", "Ünïcödé 街 7", "a;b:c~;", "3:abc;", "", "tab\there\nnewline", 'O\'Brien "quoted" \\ slash']
POLICIES = [None, None, "FULL", "SELECTIVE", "selective ", "TEMPLATE_VERSION_ONLY", "SOMETIMES", ""]


def _people(rng: random.Random):
    choice = rng.randrange(10)
    if choice == 0:
        return None
    if choice == 1:
        return ["not", "an", "object"]
    if choice == 2:
        return "client: Ada"
    if choice == 3:
        return {}
    people = {}
    for role in rng.sample(["client", "agent", "buyer's agent", "Zoë", "co-client", "ab", "b"], rng.randrange(1, 4)):
        kind = rng.randrange(6)
        if kind == 0:
            people[role] = rng.choice(TEXTS)
        elif kind == 1:
            people[role] = rng.choice([None, True, 42, -7, 2.5])
        elif kind == 2:
            people[role] = {"nested": {"deeper": [1, "x", None]}, "list": ["é", {"k": False}]}
        else:
            people[role] = {
                field: rng.choice(TEXTS + [None, 3])
                for field in rng.sample(["name", "email", "phone", "Name", "nm"], rng.randrange(1, 4))
            }
    return people


def _timestamp(rng: random.Random) -> dt.datetime | None:
    if rng.random() < 0.05:
        return None
    zone = dt.timezone(dt.timedelta(minutes=rng.choice([0, 60, -300, 330])))
    return dt.datetime(
        2026,
        rng.randrange(1, 13),
        rng.randrange(1, 29),
        rng.randrange(24),
        rng.randrange(60),
        rng.randrange(60),
        rng.choice([0, 0, 999_999, 123_456]),
        tzinfo=zone,
    )


def _amount(rng: random.Random) -> str | None:
    return rng.choice([None, "0.00", "10.005", "-0.004", "123456789012.99", "99.999", "7"])


def _outdate(rng: random.Random, facts: InspectionFacts) -> InspectionFacts:
    """The facts as they were when signed, one or two classes ago."""
    fields = dict(
        property_address=facts.property_address,
        property_city=facts.property_city,
        property_postal_code=facts.property_postal_code,
        people=facts.people,
        scheduled_at=facts.scheduled_at,
        charges=facts.charges,
    )
    for change in rng.sample(["property", "people", "datetime", "charges"], rng.randrange(1, 3)):
        if change == "property":
            fields["property_address"] = (facts.property_address or "") + " (old)"
        elif change == "people":
            fields["people"] = {"client": {"name": "Someone else"}}
        elif change == "datetime":
            fields["scheduled_at"] = (facts.scheduled_at or dt.datetime(2026, 1, 1, tzinfo=dt.UTC)) - dt.timedelta(
                days=1
            )
        else:
            fields["charges"] = facts.charges + (Charge("zz-old", "Removed service", "15.00"),)
    return InspectionFacts(**fields)


def _corrupt(rng: random.Random, snapshot: dict) -> dict:
    snapshot = copy.deepcopy(snapshot)
    facts = snapshot["signed_facts"]
    how = rng.randrange(9)
    if how == 0:
        snapshot["signed_facts"] = None
    elif how == 1:
        facts["scheduled_at"] = rng.choice(["2026-02-30T10:00:00Z", "yesterday", "2026-01-01T10:00:00", 12])
    elif how == 2:
        facts["charges"] = {"not": "a list"}
    elif how == 3:
        facts["charges"] = [{"charge_id": "c", "amount": rng.choice(["ten", "1e3", True, [1]])}]
    elif how == 4:
        facts.pop(rng.choice(["property", "people", "scheduled_at", "charges", "template"]))
    elif how == 5:
        facts["property"] = "1 Main St"
    elif how == 6:
        snapshot["signed_content_hash"] = None
    elif how == 7:
        snapshot["signed_template_version"] = None
    else:
        facts["charges"] = [
            {"charge_id": 7, "service_name": None, "amount": 10.5},
            {"service_name": "no id", "amount": "3"},
        ]
    return snapshot


def generated_fixtures(count: int = 400, seed: int = 5) -> AgreementDataset:
    rng = random.Random(seed)
    data = AgreementDataset()
    for c in range(6):
        data.companies.append({"company_id": f"{PREFIX}-co{c}", "name": f"co {c}", "stale_policy": POLICIES[c]})
        for t in range(4):
            data.templates.append(
                {
                    "template_id": f"{PREFIX}-co{c}-t{t}",
                    "company_id": f"{PREFIX}-co{c}",
                    "name": f"t{t}",
                    "body": rng.choice([None, "Body", "Körper ✓\n\nsecond paragraph", "x" * 5000]),
                    "version": rng.choice([None, 1, 2, 3]) if t else 1,
                    "stale_policy": rng.choice(POLICIES),
                }
            )
    templates = {t["template_id"]: t for t in data.templates}
    for i in range(count):
        inspection_id = f"{PREFIX}-i{i}"
        company = f"{PREFIX}-co{rng.randrange(6)}"
        inspection = {
            "inspection_id": inspection_id,
            "company_id": company,
            "report_id": f"{PREFIX}-r{i // 2}",
            "job_creation_type": rng.choice(["attik"] * 8 + ["import", None]),
            "scheduled_at": _timestamp(rng),
            "property_address": rng.choice(TEXTS + [None]),
            "property_city": rng.choice(["Springfield", None, "Zürich"]),
            "property_postal_code": rng.choice(["12345", "", None]),
            "people": _people(rng),
        }
        data.inspections.append(inspection)
        charges = []
        for k in range(rng.randrange(4)):
            charge = Charge(f"{PREFIX}-i{i}-c{k}", rng.choice(TEXTS + [None]), _amount(rng), rng.random() < 0.2)
            charges.append(charge)
            data.charges.append(
                {
                    "charge_id": charge.charge_id,
                    "inspection_id": inspection_id,
                    "service_name": charge.service_name,
                    "amount": charge.amount,
                    "is_deleted": charge.is_deleted,
                }
            )
        facts = InspectionFacts(
            inspection["property_address"],
            inspection["property_city"],
            inspection["property_postal_code"],
            inspection["people"],
            inspection["scheduled_at"],
            tuple(charges),
        )
        for a in range(rng.randrange(1, 3)):
            template_id = rng.choice([f"{company}-t{rng.randrange(4)}"] * 9 + [None, f"{PREFIX}-missing"])
            template = templates.get(template_id) or {"body": None, "version": None}
            state = rng.randrange(10)
            signed_facts = _outdate(rng, facts) if state in (3, 4, 5) else facts
            version = template["version"] if state != 6 else (template["version"] or 0) - 1
            snapshot = signed_snapshot(template["body"] if state != 7 else "older body", version, signed_facts)
            if state == 8:
                snapshot = _corrupt(rng, snapshot)
            if state == 5 and rng.random() < 0.5:  # outdated, and signed before snapshots were kept
                snapshot["signed_facts"] = None
            unsigned = state == 9
            data.agreements.append(
                {
                    "agreement_id": f"{PREFIX}-i{i}-a{a}",
                    "inspection_id": inspection_id,
                    "template_id": template_id,
                    "status": rng.choice(["ACTIVE"] * 4 + ["ARCHIVED"]),
                    "signed_at": None if unsigned else dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                    "is_stale": rng.random() < 0.2,
                    "stale_at": None,
                    **(
                        {"signed_content_hash": None, "signed_template_version": None, "signed_facts": None}
                        if unsigned
                        else snapshot
                    ),
                }
            )
    # data round-trips through numeric(18,2): amounts are stored rounded; Python reads them back
    return data
