"""SPEC §6 decisions in plain Python: which policy is in force, whether an
agreement is stale under it and why, and the report lock.

``report_lock_state`` is the API the portal mirrors; the SQL side of the same
definition is the dbt macro ``report_lock_columns``. ``decide_staleness`` is
the reference ``marts.agreement_staleness`` is tested against, row for row.
Comparisons are three-valued: ``None`` means "cannot be decided from the data"."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

POLICIES = ("FULL", "SELECTIVE", "TEMPLATE_VERSION_ONLY")
FACT_CLASSES = ("property", "people", "datetime", "charges", "template")


def normalize_policy(raw: str | None) -> str | None:
    """Trimmed and upper-cased; empty = not set."""
    if raw is None:
        return None
    return raw.strip().upper() or None


def resolve_policy(template_policy: str | None, company_policy: str | None) -> str | None:
    """Template overrides company; neither set = FULL; an unknown string = None (not guessed)."""
    for raw in (template_policy, company_policy):
        policy = normalize_policy(raw)
        if policy is not None:
            return policy if policy in POLICIES else None
    return "FULL"


def _differs(current: object, signed: object) -> bool | None:
    return None if current is None or signed is None else current != signed


def _or(*values: bool | None) -> bool | None:
    """SQL's three-valued OR."""
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


@dataclass(frozen=True)
class AgreementFacts:
    """One row of marts.agreement_facts (the columns the decision reads)."""

    policy: str | None
    is_signed: bool
    has_template: bool
    template_version: int | None
    template_body_sha256: str | None
    property_facts: str
    people_facts: str | None
    datetime_facts: str
    charges_facts: str
    property_signed: str | None
    people_signed: str | None
    datetime_signed: str | None
    charges_signed: str | None
    signed_template_version: int | None
    template_body_sha256_signed: str | None
    content_hash: str | None
    signed_content_hash: str | None
    has_signed_facts: bool


@dataclass(frozen=True)
class StalenessDecision:
    is_stale: bool | None
    stale_reasons: tuple[str, ...]
    differing_classes: tuple[str, ...]
    undetermined_reason: str | None


def decide_staleness(f: AgreementFacts) -> StalenessDecision:
    changed = {
        "property": _differs(f.property_facts, f.property_signed),
        "people": _differs(f.people_facts, f.people_signed),
        "datetime": _differs(f.datetime_facts, f.datetime_signed),
        "charges": _differs(f.charges_facts, f.charges_signed),
    }
    version_changed = _differs(f.template_version, f.signed_template_version)
    if not f.has_template:
        body_changed = None
    elif f.template_body_sha256_signed is None:
        body_changed = False
    else:
        body_changed = f.template_body_sha256 != f.template_body_sha256_signed
    changed["template"] = _or(version_changed, body_changed)

    if not f.is_signed:
        is_stale: bool | None = False
    elif f.policy == "FULL":
        is_stale = _differs(f.content_hash, f.signed_content_hash)
    elif f.policy == "SELECTIVE":
        is_stale = _or(changed["property"], changed["people"], changed["datetime"], version_changed, body_changed)
    elif f.policy == "TEMPLATE_VERSION_ONLY":
        is_stale = version_changed
    else:
        is_stale = None

    differing = tuple(c for c in FACT_CLASSES if changed[c] is True)
    if not is_stale:
        reasons: tuple[str, ...] = ()
    elif f.policy == "TEMPLATE_VERSION_ONLY":
        reasons = ("template",)
    else:
        counted = [c for c in differing if c != "charges" or f.policy == "FULL"]
        reasons = tuple(counted) or ("content",)
    return StalenessDecision(is_stale, reasons, differing, None if is_stale is not None else _why_undetermined(f))


def _why_undetermined(f: AgreementFacts) -> str:
    if f.policy is None:
        return "UNKNOWN_STALE_POLICY"
    if not f.has_template:
        return "AGREEMENT_WITHOUT_TEMPLATE"
    if f.policy == "FULL":
        return "PEOPLE_NOT_OBJECT" if f.people_facts is None else "SIGNED_CONTENT_HASH_MISSING"
    if f.policy == "TEMPLATE_VERSION_ONLY":
        return "TEMPLATE_WITHOUT_VERSION" if f.template_version is None else "SIGNED_TEMPLATE_VERSION_MISSING"
    if not f.has_signed_facts:
        return "SIGNED_FACTS_MISSING"
    if f.people_facts is None:
        return "PEOPLE_NOT_OBJECT"
    if f.template_version is None:
        return "TEMPLATE_WITHOUT_VERSION"
    return "SIGNED_FACTS_UNREADABLE"


@dataclass(frozen=True)
class AgreementLockInput:
    status: str | None
    is_signed: bool
    is_stale: bool | None


@dataclass(frozen=True)
class ReportLockState:
    agreement_present: bool
    agreement_signed: bool
    is_locked: bool


def report_lock_state(agreements: Iterable[AgreementLockInput]) -> ReportLockState:
    """The report lock of one inspection's report, from its agreements: present =
    any ACTIVE agreement; signed = an ACTIVE one signed and not stale (archived
    ones never count); locked = present and not signed."""
    active = [a for a in agreements if a.status == "ACTIVE"]
    present = bool(active)
    signed = any(a.is_signed and not a.is_stale for a in active)
    return ReportLockState(present, signed, present and not signed)
