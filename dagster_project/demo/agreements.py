"""The application side of agreements, simulated: what the app writes when a
job is booked, charges change, a visit is rescheduled, an agreement is signed
or archived — each edit with the ``app.change_event`` the app would emit.

Tests use :class:`AgreementApp` to replay real sequences against PostgreSQL;
the demo and the benchmark use :func:`generate_agreements` for volume. Signing
uses :func:`~dagster_project.lib.agreement_content.signed_snapshot`, as the app does.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from dagster_project.lib.agreement_content import Charge, InspectionFacts, signed_snapshot

COMPANY_COLUMNS = ("company_id", "name", "stale_policy")
TEMPLATE_COLUMNS = ("template_id", "company_id", "name", "body", "version", "stale_policy")
INSPECTION_COLUMNS = (
    "inspection_id",
    "company_id",
    "report_id",
    "job_creation_type",
    "scheduled_at",
    "property_address",
    "property_city",
    "property_postal_code",
    "people",
)
CHARGE_COLUMNS = ("charge_id", "inspection_id", "service_name", "amount", "is_deleted")
AGREEMENT_COLUMNS = (
    "agreement_id",
    "inspection_id",
    "template_id",
    "status",
    "signed_at",
    "signed_template_version",
    "signed_content_hash",
    "signed_facts",
    "is_stale",
    "stale_at",
)
EVENT_COLUMNS = ("occurred_at", "source", "op", "entity_id", "inspection_id", "template_id", "changed_fields")
JSON_COLUMNS = {"people", "signed_facts"}


def inspection_facts(conn: psycopg.Connection, inspection_id: str) -> InspectionFacts:
    row = conn.execute(
        "select property_address, property_city, property_postal_code, people, scheduled_at "
        "from app.inspection where inspection_id = %s",
        [inspection_id],
    ).fetchone()
    if row is None:
        raise LookupError(f"app.inspection: no inspection {inspection_id!r}")
    charges = tuple(
        Charge(*c)
        for c in conn.execute(
            "select charge_id, service_name, amount, is_deleted from app.charge where inspection_id = %s",
            [inspection_id],
        ).fetchall()
    )
    return InspectionFacts(*row, charges=charges)


class AgreementApp:
    """Edits as the application makes them, on one connection (autocommit)."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn

    def _insert(self, table: str, row: dict[str, Any]) -> None:
        values = [Jsonb(v) if k in JSON_COLUMNS and v is not None else v for k, v in row.items()]
        self.conn.execute(f"insert into {table} ({', '.join(row)}) values ({', '.join(['%s'] * len(row))})", values)

    def event(
        self,
        source: str,
        op: str,
        *,
        entity_id: str | None = None,
        inspection_id: str | None = None,
        template_id: str | None = None,
        fields: list[str] | None = None,
        seconds_ago: float = 0.0,
    ) -> int:
        """Append a change event; ``seconds_ago`` back-dates it (a burst that has settled)."""
        return self.conn.execute(
            "insert into app.change_event (occurred_at, source, op, entity_id, inspection_id, template_id,"
            " changed_fields) values (now() - make_interval(secs => %s), %s, %s, %s, %s, %s, %s)"
            " returning event_id",
            [seconds_ago, source, op, entity_id, inspection_id, template_id, fields],
        ).fetchone()[0]

    def company(self, company_id: str, stale_policy: str | None = None) -> None:
        self._insert("app.company", {"company_id": company_id, "name": company_id, "stale_policy": stale_policy})

    def template(
        self,
        template_id: str,
        company_id: str,
        *,
        body: str = "I agree to the inspection.",
        version: int | None = 1,
        stale_policy: str | None = None,
    ) -> None:
        self._insert(
            "app.agreement_template",
            {
                "template_id": template_id,
                "company_id": company_id,
                "name": template_id,
                "body": body,
                "version": version,
                "stale_policy": stale_policy,
            },
        )

    def inspection(
        self,
        inspection_id: str,
        company_id: str,
        *,
        job_creation_type: str = "attik",
        scheduled_at: dt.datetime | None = None,
        people: Any = None,
        address: str = "1 Main St",
    ) -> None:
        self._insert(
            "app.inspection",
            {
                "inspection_id": inspection_id,
                "company_id": company_id,
                "report_id": f"report-{inspection_id}",
                "job_creation_type": job_creation_type,
                "scheduled_at": scheduled_at or dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC),
                "property_address": address,
                "property_city": "Springfield",
                "property_postal_code": "12345",
                "people": {"client": {"name": "Ada", "email": "ada@example.com"}} if people is None else people,
            },
        )

    def charge(self, charge_id: str, inspection_id: str, service_name: str, amount: str) -> None:
        self._insert(
            "app.charge",
            {
                "charge_id": charge_id,
                "inspection_id": inspection_id,
                "service_name": service_name,
                "amount": amount,
                "is_deleted": False,
            },
        )
        self.event("charge", "insert", entity_id=charge_id, inspection_id=inspection_id, fields=[])

    def change_charge(self, charge_id: str, amount: str, *, seconds_ago: float = 0.0) -> int:
        inspection_id = self.conn.execute(
            "update app.charge set amount = %s, updated_at = now() where charge_id = %s returning inspection_id",
            [amount, charge_id],
        ).fetchone()[0]
        return self.event(
            "charge",
            "update",
            entity_id=charge_id,
            inspection_id=inspection_id,
            fields=["amount"],
            seconds_ago=seconds_ago,
        )

    def reschedule(self, inspection_id: str, scheduled_at: dt.datetime, *, seconds_ago: float = 0.0) -> int:
        self.conn.execute(
            "update app.inspection set scheduled_at = %s, updated_at = now() where inspection_id = %s",
            [scheduled_at, inspection_id],
        )
        return self.event(
            "inspection",
            "update",
            entity_id=inspection_id,
            inspection_id=inspection_id,
            fields=["scheduled_at"],
            seconds_ago=seconds_ago,
        )

    def change_template_body(self, template_id: str, body: str, *, seconds_ago: float = 0.0) -> int:
        """A body edit publishes a new version, as the template editor does."""
        self.conn.execute(
            "update app.agreement_template set body = %s, version = coalesce(version, 0) + 1, "
            "updated_at = now() where template_id = %s",
            [body, template_id],
        )
        return self.event(
            "template",
            "update",
            entity_id=template_id,
            template_id=template_id,
            fields=["body", "version"],
            seconds_ago=seconds_ago,
        )

    def sign(
        self, agreement_id: str, inspection_id: str, template_id: str, signed_at: dt.datetime | None = None
    ) -> None:
        """A new ACTIVE agreement, signed now over the inspection's current facts."""
        body, version = self.conn.execute(
            "select body, version from app.agreement_template where template_id = %s", [template_id]
        ).fetchone()
        snapshot = signed_snapshot(body, version, inspection_facts(self.conn, inspection_id))
        self._insert(
            "app.agreement",
            {
                "agreement_id": agreement_id,
                "inspection_id": inspection_id,
                "template_id": template_id,
                "status": "ACTIVE",
                "signed_at": signed_at or dt.datetime.now(dt.UTC),
                "is_stale": False,
                "stale_at": None,
                **snapshot,
            },
        )

    def signed_job(
        self,
        prefix: str,
        *,
        company_policy: str | None = None,
        service: str = "Home inspection",
        amount: str = "100.00",
    ) -> None:
        """A company ``<prefix>-co``, its template ``<prefix>-t``, an attik inspection
        ``<prefix>-i`` with one charge ``<prefix>-c``, and agreement ``<prefix>-a`` signed over it."""
        self.company(f"{prefix}-co", stale_policy=company_policy)
        self.template(f"{prefix}-t", f"{prefix}-co")
        self.inspection(f"{prefix}-i", f"{prefix}-co")
        self.charge(f"{prefix}-c", f"{prefix}-i", service, amount)
        self.sign(f"{prefix}-a", f"{prefix}-i", f"{prefix}-t")

    def archive(self, agreement_id: str) -> None:
        self.conn.execute("update app.agreement set status = 'ARCHIVED' where agreement_id = %s", [agreement_id])

    def agreement(self, agreement_id: str) -> dict[str, Any]:
        cur = self.conn.execute("select * from app.agreement where agreement_id = %s", [agreement_id])
        names = [d.name for d in cur.description]
        return dict(zip(names, cur.fetchone(), strict=False))


# --- volume -----------------------------------------------------------------------------------


@dataclass
class AgreementDataset:
    companies: list[dict] = field(default_factory=list)
    templates: list[dict] = field(default_factory=list)
    inspections: list[dict] = field(default_factory=list)
    charges: list[dict] = field(default_factory=list)
    agreements: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)


POLICY_MIX = (None, None, "SELECTIVE", "TEMPLATE_VERSION_ONLY", "FULL")
SERVICES = ("Home inspection", "Radon test", "Sewer scope", "Termite", "Pool", "Mold")


def generate_agreements(
    inspections: int, agreements: int, events: int = 0, *, seed: int = 7, prefix: str = "gen", companies: int = 20
) -> AgreementDataset:
    """Deterministic volume: companies with mixed policies, templates, attik and
    other jobs, 0–4 charges each, agreements signed over the facts as generated
    (so fresh data is not stale), and change events touching random inspections."""
    rng = random.Random(seed)
    data = AgreementDataset()
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for c in range(companies):
        data.companies.append(
            {"company_id": f"{prefix}-co{c}", "name": f"Company {c}", "stale_policy": POLICY_MIX[c % len(POLICY_MIX)]}
        )
        for t in range(3):
            data.templates.append(
                {
                    "template_id": f"{prefix}-co{c}-t{t}",
                    "company_id": f"{prefix}-co{c}",
                    "name": f"Template {t}",
                    "body": f"Pre-inspection agreement {c}/{t}.\n" * 20,
                    "version": 1 + t,
                    "stale_policy": "SELECTIVE" if t == 2 else None,
                }
            )
    templates = {t["template_id"]: t for t in data.templates}
    charges_of: dict[str, list[Charge]] = {}
    for i in range(inspections):
        inspection_id = f"{prefix}-i{i}"
        company = f"{prefix}-co{rng.randrange(companies)}"
        data.inspections.append(
            {
                "inspection_id": inspection_id,
                "company_id": company,
                "report_id": f"{prefix}-r{i}",
                "job_creation_type": "attik" if rng.random() < 0.9 else "import",
                "scheduled_at": base + dt.timedelta(hours=rng.randrange(24 * 300)),
                "property_address": f"{rng.randrange(1, 999)} Elm St",
                "property_city": "Springfield",
                "property_postal_code": f"{rng.randrange(10000, 99999)}",
                "people": {
                    "client": {"name": f"Client {i}", "email": f"c{i}@example.com"},
                    "agent": {"name": f"Agent {i % 97}"},
                },
            }
        )
        charges_of[inspection_id] = []
        for k in range(rng.randrange(5)):
            charge = Charge(f"{prefix}-i{i}-c{k}", rng.choice(SERVICES), f"{rng.randrange(50, 900)}.00")
            charges_of[inspection_id].append(charge)
            data.charges.append(
                {
                    "charge_id": charge.charge_id,
                    "inspection_id": inspection_id,
                    "service_name": charge.service_name,
                    "amount": charge.amount,
                    "is_deleted": False,
                }
            )
    for a in range(agreements):
        inspection = data.inspections[a % inspections]
        template = templates[f"{inspection['company_id']}-t{rng.randrange(3)}"]
        facts = InspectionFacts(
            inspection["property_address"],
            inspection["property_city"],
            inspection["property_postal_code"],
            inspection["people"],
            inspection["scheduled_at"],
            tuple(charges_of[inspection["inspection_id"]]),
        )
        data.agreements.append(
            {
                "agreement_id": f"{prefix}-a{a}",
                "inspection_id": inspection["inspection_id"],
                "template_id": template["template_id"],
                "status": "ACTIVE" if a < inspections else rng.choice(("ACTIVE", "ARCHIVED")),
                "signed_at": base,
                "is_stale": False,
                "stale_at": None,
                **signed_snapshot(template["body"], template["version"], facts),
            }
        )
    for _ in range(events):
        inspection = data.inspections[rng.randrange(inspections)]
        kind = rng.random()
        source, fields = (
            ("charge", ["amount"])
            if kind < 0.6
            else ("inspection", ["scheduled_at"])
            if kind < 0.8
            else ("inspection", ["people.client.email"])
            if kind < 0.9
            else ("inspection", ["notes"])
        )
        data.events.append(
            {
                "occurred_at": base,
                "source": source,
                "op": "update",
                "entity_id": inspection["inspection_id"],
                "inspection_id": inspection["inspection_id"],
                "template_id": None,
                "changed_fields": fields,
            }
        )
    return data


AGREEMENT_TABLES = (
    ("app.company", "companies", COMPANY_COLUMNS, "company_id"),
    ("app.agreement_template", "templates", TEMPLATE_COLUMNS, "template_id"),
    ("app.inspection", "inspections", INSPECTION_COLUMNS, "inspection_id"),
    ("app.charge", "charges", CHARGE_COLUMNS, "charge_id"),
    ("app.agreement", "agreements", AGREEMENT_COLUMNS, "agreement_id"),
)


def load_agreements(data: AgreementDataset, conn: psycopg.Connection, prefix: str) -> dict[str, int]:
    """Replace the rows whose ids start with ``prefix`` (COPY); events are appended."""
    written = {}
    for table, _, _, key in reversed(AGREEMENT_TABLES):
        conn.execute(f"delete from {table} where {key} like %s", [prefix + "-%"])
    for table, attribute, columns, _ in AGREEMENT_TABLES + (("app.change_event", "events", EVENT_COLUMNS, ""),):
        rows = getattr(data, attribute)
        with conn.cursor().copy(f"copy {table} ({', '.join(columns)}) from stdin") as copy:
            for row in rows:
                copy.write_row(
                    [
                        json.dumps(row[c]) if c in JSON_COLUMNS and row.get(c) is not None else row.get(c)
                        for c in columns
                    ]
                )
        written[table] = len(rows)
    return written
