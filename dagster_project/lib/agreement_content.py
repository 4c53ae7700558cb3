"""The facts an agreement depends on as canonical text, and the hash of its
resolved content — the Python twin of ``dbt_project/macros/staleness_facts.sql``.

The application calls :func:`signed_snapshot` when an agreement is signed
(its ``signed_content_hash`` and ``signed_facts``); the staleness models compute
the same text and hash in SQL, and ``tests/test_staleness_content.py`` checks
that the two agree on every fixture and on generated input.

Encoding: every value is ``<length>:<value>;`` (length in characters), a
missing value ``~;`` — unambiguous whatever characters the values hold.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CONTENT_VERSION = "agreement/v1;"
_AMOUNT_TEXT = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
_TIMESTAMP_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$")


def canon(value: str | None) -> str:
    return "~;" if value is None else f"{len(value)}:{value};"


def canonical_timestamp(value: dt.datetime | None) -> str | None:
    """UTC, to the second (fractions truncated, as PostgreSQL's to_char does)."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def canonical_amount(value: Any) -> str | None:
    """Rounded to cents, half away from zero, as PostgreSQL's round(numeric, 2)."""
    if value is None:
        return None
    amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return str(abs(amount) if amount == 0 else amount)


def json_text(value: Any) -> str:
    """A JSON value as PostgreSQL prints a jsonb: keys by (byte length, bytes), ', ' and ': '."""
    if isinstance(value, Mapping):
        keys = sorted(value, key=lambda k: (len(k.encode()), k.encode()))
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {json_text(value[k])}" for k in keys) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(json_text(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def json_leaf_text(value: Any) -> str:
    """A JSON leaf as ``->>`` gives it: strings as themselves, the rest as JSON text."""
    return value if isinstance(value, str) else json_text(value)


def canonical_property(address: str | None, city: str | None, postal_code: str | None) -> str:
    return canon(address) + canon(city) + canon(postal_code)


def canonical_people(people: Any) -> str | None:
    """Roles and fields in code-point order; None/JSON null → ``~;``; not an object → None."""
    if people is None:
        return "~;"
    if not isinstance(people, Mapping):
        return None
    parts = []
    for role in sorted(people):
        value = people[role]
        if isinstance(value, Mapping):
            fields = "".join(canon(field) + canon(json_leaf_text(value[field])) for field in sorted(value))
            parts.append(canon(role) + "{" + fields + "}")
        else:
            parts.append(canon(role) + canon(json_leaf_text(value)))
    return "".join(parts)


def canonical_charge(charge_id: str | None, service_name: str | None, amount: Any) -> str:
    return canon(charge_id) + canon(service_name) + canon(canonical_amount(amount))


@dataclass(frozen=True)
class Charge:
    charge_id: str
    service_name: str | None
    amount: Any
    is_deleted: bool = False


def canonical_charges(charges: Iterable[Charge]) -> str:
    """Live charges in charge-id code-point order."""
    live = sorted((c for c in charges if not c.is_deleted), key=lambda c: c.charge_id)
    return "".join(canonical_charge(c.charge_id, c.service_name, c.amount) for c in live)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class InspectionFacts:
    """What an agreement's text is resolved from, besides the template."""

    property_address: str | None
    property_city: str | None
    property_postal_code: str | None
    people: Any
    scheduled_at: dt.datetime | None
    charges: tuple[Charge, ...] = ()

    @property
    def property_facts(self) -> str:
        return canonical_property(self.property_address, self.property_city, self.property_postal_code)

    @property
    def people_facts(self) -> str | None:
        return canonical_people(self.people)

    @property
    def datetime_facts(self) -> str:
        return canon(canonical_timestamp(self.scheduled_at))

    @property
    def charges_facts(self) -> str:
        return canonical_charges(self.charges)


def resolved_content(body: str | None, facts: InspectionFacts) -> str | None:
    """The resolved agreement text: template body merged with facts and charges
    (None when people cannot be read)."""
    if facts.people_facts is None:
        return None
    return (
        CONTENT_VERSION
        + canon(body)
        + "property="
        + facts.property_facts
        + "people="
        + facts.people_facts
        + "datetime="
        + facts.datetime_facts
        + "charges="
        + facts.charges_facts
    )


def content_hash(body: str | None, facts: InspectionFacts) -> str | None:
    text = resolved_content(body, facts)
    return None if text is None else sha256_hex(text)


def signed_snapshot(body: str | None, version: int | None, facts: InspectionFacts) -> dict[str, Any]:
    """What the application stores when an agreement is signed: ``signed_content_hash``,
    ``signed_template_version`` and ``signed_facts`` (jsonb)."""
    return {
        "signed_content_hash": content_hash(body, facts),
        "signed_template_version": version,
        "signed_facts": {
            "property": {
                "address": facts.property_address,
                "city": facts.property_city,
                "postal_code": facts.property_postal_code,
            },
            "people": facts.people,
            "scheduled_at": canonical_timestamp(facts.scheduled_at),
            "charges": [
                {"charge_id": c.charge_id, "service_name": c.service_name, "amount": canonical_amount(c.amount)}
                for c in facts.charges
                if not c.is_deleted
            ],
            "template": {"version": version, "body_sha256": None if body is None else sha256_hex(body)},
        },
    }


# --- the signed snapshot, read back (agreement_facts' *_signed columns) -------------------------


def signed_property(signed_facts: Any) -> str | None:
    prop = signed_facts.get("property") if isinstance(signed_facts, Mapping) else None
    if not isinstance(prop, Mapping):
        return None
    return canonical_property(
        *(None if prop.get(k) is None else json_leaf_text(prop[k]) for k in ("address", "city", "postal_code"))
    )


def signed_people(signed_facts: Any) -> str | None:
    if not isinstance(signed_facts, Mapping) or "people" not in signed_facts:
        return None
    return canonical_people(signed_facts["people"])


def parse_timestamp(text: str) -> dt.datetime | None:
    if not _TIMESTAMP_TEXT.match(text):
        return None
    try:
        return dt.datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        return None


def signed_datetime(signed_facts: Any) -> str | None:
    if not isinstance(signed_facts, Mapping) or "scheduled_at" not in signed_facts:
        return None
    value = signed_facts["scheduled_at"]
    if value is None:
        return "~;"
    parsed = parse_timestamp(value) if isinstance(value, str) else None
    return None if parsed is None else canon(canonical_timestamp(parsed))


def signed_charges(signed_facts: Any) -> str | None:
    charges = signed_facts.get("charges") if isinstance(signed_facts, Mapping) else None
    if not isinstance(charges, list):
        return None
    lines = []
    for charge in charges:
        if not isinstance(charge, Mapping):
            return None
        amount = charge.get("amount")
        if isinstance(amount, str) and not _AMOUNT_TEXT.match(amount):
            return None
        if not (amount is None or isinstance(amount, (str, int, float, Decimal))) or isinstance(amount, bool):
            return None
        charge_id = None if charge.get("charge_id") is None else json_leaf_text(charge["charge_id"])
        service = None if charge.get("service_name") is None else json_leaf_text(charge["service_name"])
        try:
            lines.append((charge_id, canonical_charge(charge_id, service, amount)))
        except InvalidOperation:
            return None
    lines.sort(key=lambda pair: (pair[0] is None, pair[0] or "", pair[1]))
    return "".join(line for _, line in lines)


def signed_template_body_sha256(signed_facts: Any) -> str | None:
    template = signed_facts.get("template") if isinstance(signed_facts, Mapping) else None
    if not isinstance(template, Mapping) or template.get("body_sha256") is None:
        return None
    return json_leaf_text(template["body_sha256"])
