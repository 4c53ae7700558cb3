"""The staleness models against their Python twins, row for row, on every
generated fixture: canonical facts and content hash (lib/agreement_content.py), the decision
(rules.decide_staleness) and the report lock (rules.report_lock_state)."""

from __future__ import annotations

from collections import Counter, defaultdict

import psycopg
from psycopg.rows import dict_row

from dagster_project.lib import agreement_content as content
from dagster_project.lib.agreement_content import Charge, InspectionFacts
from dagster_project.staleness import rules
from tests.staleness_fixtures import PREFIX

LIKE = PREFIX + "-%"


def _rows(url: str, sql: str) -> list[dict]:
    with psycopg.connect(url, row_factory=dict_row) as conn:
        return conn.execute(sql, [LIKE]).fetchall()


def _app(url: str):
    inspections = {
        r["inspection_id"]: r for r in _rows(url, "select * from app.inspection where inspection_id like %s")
    }
    charges = defaultdict(list)
    for r in _rows(url, "select * from app.charge where charge_id like %s"):
        charges[r["inspection_id"]].append(Charge(r["charge_id"], r["service_name"], r["amount"], r["is_deleted"]))
    templates = {
        r["template_id"]: r for r in _rows(url, "select * from app.agreement_template where template_id like %s")
    }
    companies = {r["company_id"]: r for r in _rows(url, "select * from app.company where company_id like %s")}
    agreements = _rows(url, "select * from app.agreement where agreement_id like %s")
    return inspections, charges, templates, companies, agreements


def expected_facts(url: str) -> dict[str, tuple[rules.AgreementFacts, dict]]:
    """Per checked agreement: the Python facts (and the raw values they came from)."""
    inspections, charges, templates, companies, agreements = _app(url)
    expected = {}
    for a in agreements:
        inspection = inspections.get(a["inspection_id"])
        if a["status"] != "ACTIVE" or inspection is None or inspection["job_creation_type"] != "attik":
            continue
        template = templates.get(a["template_id"])
        company = companies.get(inspection["company_id"]) or {}
        facts = InspectionFacts(
            inspection["property_address"],
            inspection["property_city"],
            inspection["property_postal_code"],
            inspection["people"],
            inspection["scheduled_at"],
            tuple(charges[inspection["inspection_id"]]),
        )
        signed = a["signed_facts"]
        expected[a["agreement_id"]] = (
            rules.AgreementFacts(
                policy=rules.resolve_policy(template and template["stale_policy"], company.get("stale_policy")),
                is_signed=a["signed_at"] is not None,
                has_template=template is not None,
                template_version=template and template["version"],
                template_body_sha256=template
                and template["body"] is not None
                and content.sha256_hex(template["body"])
                or None,
                property_facts=facts.property_facts,
                people_facts=facts.people_facts,
                datetime_facts=facts.datetime_facts,
                charges_facts=facts.charges_facts,
                property_signed=content.signed_property(signed),
                people_signed=content.signed_people(signed),
                datetime_signed=content.signed_datetime(signed),
                charges_signed=content.signed_charges(signed),
                signed_template_version=a["signed_template_version"],
                template_body_sha256_signed=content.signed_template_body_sha256(signed),
                content_hash=content.content_hash(template["body"], facts) if template else None,
                signed_content_hash=a["signed_content_hash"],
                has_signed_facts=isinstance(signed, dict),
            ),
            a,
        )
    return expected


FACT_COLUMNS = (
    "policy",
    "template_version",
    "template_body_sha256",
    "property_facts",
    "people_facts",
    "datetime_facts",
    "charges_facts",
    "property_signed",
    "people_signed",
    "datetime_signed",
    "charges_signed",
    "signed_template_version",
    "template_body_sha256_signed",
    "content_hash",
    "has_signed_facts",
    "has_template",
)


def test_facts_and_hash_match_python(platform_url, staleness_computed):
    expected = expected_facts(platform_url)
    actual = {
        r["agreement_id"]: r
        for r in _rows(platform_url, "select * from marts.agreement_facts where agreement_id like %s")
    }
    assert set(actual) == set(expected)
    mismatches = [
        (agreement_id, column, getattr(facts, column), actual[agreement_id][column])
        for agreement_id, (facts, _) in expected.items()
        for column in FACT_COLUMNS
        if getattr(facts, column) != actual[agreement_id][column]
    ]
    assert mismatches == []
    assert len(expected) > 300


def test_staleness_decisions_match_python(platform_url, staleness_computed):
    expected = {
        agreement_id: rules.decide_staleness(facts) for agreement_id, (facts, _) in expected_facts(platform_url).items()
    }
    actual = {
        r["agreement_id"]: r
        for r in _rows(platform_url, "select * from marts.agreement_staleness where agreement_id like %s")
    }
    mismatches = [
        (agreement_id, decision, actual[agreement_id])
        for agreement_id, decision in expected.items()
        if (
            decision.is_stale,
            list(decision.stale_reasons),
            list(decision.differing_classes),
            decision.undetermined_reason,
        )
        != (
            actual[agreement_id]["is_stale"],
            actual[agreement_id]["stale_reasons"],
            actual[agreement_id]["differing_classes"],
            actual[agreement_id]["undetermined_reason"],
        )
    ]
    assert mismatches == []
    outcomes = Counter((d.is_stale, d.undetermined_reason) for d in expected.values())
    policies = Counter(facts.policy for facts, _ in expected_facts(platform_url).values())
    # the fixtures reach every outcome and policy
    assert outcomes[(True, None)] and outcomes[(False, None)] and sum(v for (s, _), v in outcomes.items() if s is None)
    assert set(policies) == {"FULL", "SELECTIVE", "TEMPLATE_VERSION_ONLY", None}
    reasons = {r for d in expected.values() for r in d.stale_reasons}
    assert {"property", "people", "datetime", "charges", "template", "content"} <= reasons


def test_report_lock_matches_python(platform_url, staleness_computed):
    inspections, _, _, _, agreements = _app(platform_url)
    computed = {
        r["agreement_id"]: r["is_stale"]
        for r in _rows(
            platform_url, "select agreement_id, is_stale from marts.agreement_staleness where agreement_id like %s"
        )
    }
    by_inspection = defaultdict(list)
    for a in agreements:
        stale = computed.get(a["agreement_id"])
        by_inspection[a["inspection_id"]].append(
            rules.AgreementLockInput(a["status"], a["signed_at"] is not None, a["is_stale"] if stale is None else stale)
        )
    actual = {
        r["inspection_id"]: r
        for r in _rows(platform_url, "select * from marts.report_lock where inspection_id like %s")
    }
    assert set(actual) == set(inspections)
    for inspection_id, row in actual.items():
        state = rules.report_lock_state(by_inspection[inspection_id])
        assert (state.agreement_present, state.agreement_signed, state.is_locked) == (
            row["agreement_present"],
            row["agreement_signed"],
            row["is_locked"],
        ), inspection_id
    assert {r["is_locked"] for r in actual.values()} == {True, False}


def test_unreadable_inputs_are_listed_with_their_row(platform_url, staleness_computed):
    problems = {
        (r["source_table"], r["reason"])
        for r in _rows(platform_url, "select source_table, reason from marts.staleness_problems where row_id like %s")
    }
    assert {
        ("app.agreement", "AGREEMENT_WITHOUT_TEMPLATE"),
        ("app.agreement_template", "TEMPLATE_WITHOUT_VERSION"),
        ("app.agreement_template", "UNKNOWN_STALE_POLICY"),
        ("app.inspection", "PEOPLE_NOT_OBJECT"),
        ("app.agreement", "PEOPLE_NOT_OBJECT"),
        ("app.agreement", "SIGNED_FACTS_MISSING"),
        ("app.agreement", "UNKNOWN_STALE_POLICY"),
    } <= problems
    undetermined = {
        r["agreement_id"]
        for r in _rows(
            platform_url,
            "select agreement_id from marts.agreement_staleness where agreement_id like %s and is_stale is null",
        )
    }
    listed = {
        r["row_id"]
        for r in _rows(
            platform_url,
            "select row_id from marts.staleness_problems where source_table = 'app.agreement' and row_id like %s",
        )
    }
    assert undetermined and undetermined == listed
