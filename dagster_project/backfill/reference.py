"""The backfill rules of SPEC §3, row by row, in plain Python.

This module is the readable statement of the rules. It imports nothing of the
project: tests run it beside the dbt marts and demand the same rows. Each
function is one rule and is named after it. Where SPEC is silent, the choice is
the one recorded in ``docs/decisions.md`` (the numbers ``D<n>`` below).

Input is the source rows as dicts (column names as in SPEC §2); output is
``BackfillResult``, whose lists have the columns of the marts of the same name.
Text ordering is by code point, as ``collate "C"`` orders it in SQL.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

NEW_BUSINESS, RENEWAL, AMENDMENT, OTHER = "NEW_BUSINESS", "RENEWAL", "AMENDMENT", "OTHER"
DEFAULT_TERM_MONTHS = 12

_WHITE = "[ \t\n\r\f\v]"  # the same class the SQL uses, so both trim alike


# --- identifiers (deterministic, D3) -----------------------------------------
def _digest(*parts: str) -> str:
    return hashlib.md5("|".join(parts).encode("utf-8")).hexdigest()[:16]


def account_id_for_crm(org_id: str, crm_account_id: str) -> str:
    return "A-" + _digest(org_id, "crm", crm_account_id)


def account_id_for_deal_group(org_id: str, deal_group_id: str) -> str:
    return "A-" + _digest(org_id, "deal_group", deal_group_id)


def contract_id_for_head(org_id: str, head_opportunity_id: str) -> str:
    return "C-" + _digest(org_id, head_opportunity_id)


def engagement_id_for_first_contract(org_id: str, contract_id: str) -> str:
    return "E-" + _digest(org_id, contract_id)


# --- rule 1: opportunity type ------------------------------------------------
def fold_white_space(text: str) -> str:
    """Trim, and fold inner runs of white space to one space (case kept)."""
    return re.sub(f"{_WHITE}+", " ", re.sub(f"^{_WHITE}+|{_WHITE}+$", "", text))


def normalize_crm_type(crm_type: str | None) -> str | None:
    """Trim, fold inner runs of white space to one space, lower-case."""
    return None if crm_type is None else fold_white_space(crm_type).lower()


def opportunity_type(org_id: str, crm_type: str | None, mapping: list[dict]) -> str:
    """Per-org mapping rows override the ``*`` rows; anything unmapped is OTHER."""
    key = normalize_crm_type(crm_type)
    if key is None:
        return OTHER
    found = {}
    for row in mapping:
        if normalize_crm_type(row["crm_type"]) == key and row["org_id"] in (org_id, "*"):
            found[row["org_id"]] = row["opportunity_type"]
    return found.get(org_id) or found.get("*") or OTHER


SEED_TYPE_PLACEHOLDER = "<NEW_BUSINESS|RENEWAL|AMENDMENT>"


def _csv_field(value: str) -> str:
    """A value as a CSV line holds it: quoted when it has a comma, a quote or a line break."""
    return '"' + value.replace('"', '""') + '"' if re.search(r'[",\r\n]', value) else value


def unmapped_crm_types(opportunities: list[dict], mapping: list[dict]) -> list[dict]:
    """Per org, every CRM type that mapped to OTHER (every row of the org counts,
    quarantined and deleted ones too; rows with no org are not listed), one row per
    matching key in its most common spelling (ties: the first by code point), with
    the mapping-seed line that would map it. A null or blank type has no seed line:
    no mapping row can match it (docs/decisions.md, the CRM vocabulary)."""
    counts = Counter((r["org_id"], r["type"]) for r in opportunities if r["org_id"] is not None)
    by_key: dict[tuple, list[tuple[str | None, int]]] = defaultdict(list)
    for (org, crm_type), n in counts.items():
        if opportunity_type(org, crm_type, mapping) == OTHER:
            by_key[(org, normalize_crm_type(crm_type))].append((crm_type, n))
    rows = []
    for (org, key), spellings in by_key.items():
        crm_type = min(spellings, key=lambda s: (-s[1], s[0] is None, s[0] or ""))[0]
        seed_row = None
        if key:
            seed_row = f"{_csv_field(org)},{_csv_field(fold_white_space(crm_type))},{SEED_TYPE_PLACEHOLDER}"
        rows.append(
            dict(
                org_id=org,
                crm_type=crm_type,
                crm_type_key=key,
                opportunities=sum(n for _, n in spellings),
                seed_row_to_add=seed_row,
            )
        )
    return sorted(rows, key=lambda r: (r["org_id"], -r["opportunities"], r["crm_type"] is None, r["crm_type"] or ""))


# --- terms ---------------------------------------------------------------------
def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months, clamped to the month's last day (as PostgreSQL does)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def term_of(opp: dict, term_months: int) -> tuple[dt.date, dt.date]:
    start = opp["contract_start_date_c"] or opp["close_date"]
    end = opp["contract_end_date_c"] or add_months(start, term_months) - dt.timedelta(days=1)
    return start, end


def is_won(opp: dict) -> bool:
    return bool(opp["is_closed"]) and bool(opp["is_won"])


def is_lost(opp: dict) -> bool:
    return bool(opp["is_closed"]) and not opp["is_won"]


def order_key(opp: dict) -> tuple:
    return (opp["close_date"], opp["id"])


# --- result rows ----------------------------------------------------------------
@dataclass
class Contract:
    org_id: str
    contract_id: str
    account_key: tuple
    engagement_id: str
    engagement_sequence: int
    contract_type: str
    prior_contract_id: str | None
    head: dict
    start_date: dt.date
    end_date: dt.date
    legacy_deal_group_id: str | None
    members: list[str] = field(default_factory=list)

    @property
    def archived(self) -> bool:
        return is_lost(self.head)


@dataclass
class BackfillResult:
    opportunity_types: list[dict] = field(default_factory=list)
    accounts: list[dict] = field(default_factory=list)
    engagements: list[dict] = field(default_factory=list)
    contracts: list[dict] = field(default_factory=list)
    contract_memberships: list[dict] = field(default_factory=list)
    unattached_opportunities: list[dict] = field(default_factory=list)
    quarantined_rows: list[dict] = field(default_factory=list)
    backfill_reconciliation: list[dict] = field(default_factory=list)
    unmapped_crm_types: list[dict] = field(default_factory=list)


# --- the whole backfill ----------------------------------------------------------
def compute_backfill(
    opportunities: list[dict],
    deal_groups: list[dict],
    memberships: list[dict],
    crm_accounts: list[dict],
    mapping: list[dict],
    org_settings: list[dict],
    as_of: dt.date,
    organizations: list[dict] = (),
) -> BackfillResult:
    """Every org in the sources, rules 0–6; see the module docstring."""
    result = BackfillResult()
    orgs = (
        {r["org_id"] for r in opportunities}
        | {r["org_id"] for r in deal_groups}
        | {r["org_id"] for r in memberships}
        | {r["org_id"] for r in organizations}
    )
    for org in sorted(orgs, key=lambda o: (o is None, o or "")):
        _compute_org(
            org,
            [r for r in opportunities if r["org_id"] == org],
            [r for r in deal_groups if r["org_id"] == org],
            [r for r in memberships if r["org_id"] == org],
            [r for r in crm_accounts if r["org_id"] == org],
            mapping,
            _term_months(org, org_settings),
            as_of,
            result,
        )
    result.unmapped_crm_types = unmapped_crm_types(opportunities, mapping)
    return result


def _term_months(org: str | None, org_settings: list[dict]) -> int:
    by_org = {r["org_id"]: int(r["default_term_months"]) for r in org_settings}
    return by_org.get(org, by_org.get("*", DEFAULT_TERM_MONTHS))


def _compute_org(org, opps, dgs, members, crm_accounts, mapping, term_months, as_of, out):
    quarantine = out.quarantined_rows
    unattached = out.unattached_opportunities

    def quarantine_row(table, row_id, reason, detail):
        quarantine.append(dict(org_id=org, source_table=table, row_id=row_id, reason=reason, detail=detail))

    def unattach(opp_id, reason, detail):
        unattached.append(dict(org_id=org, opportunity_id=opp_id, reason=reason, detail=detail))

    # rule 0: row-level quarantine of opportunities
    opp_counts = Counter(r["id"] for r in opps if r["id"] is not None)
    valid: dict[str, dict] = {}
    for r in opps:
        if r["id"] is None or org is None:
            quarantine_row("opportunity", r["id"], "NULL_ID", "id is null" if r["id"] is None else "org_id is null")
        elif opp_counts[r["id"]] > 1:
            quarantine_row("opportunity", r["id"], "DUPLICATE_ID", f"id appears {opp_counts[r['id']]} times in org")
        elif r["close_date"] is None:
            quarantine_row("opportunity", r["id"], "NULL_CLOSE_DATE", "close_date is null")
        else:
            valid[r["id"]] = dict(r, opportunity_type=opportunity_type(org, r["type"], mapping))
    for r in opps:
        if r["id"] is not None and org is not None and opp_counts[r["id"]] == 1:
            out.opportunity_types.append(
                dict(
                    org_id=org,
                    opportunity_id=r["id"],
                    crm_type=r["type"],
                    opportunity_type=opportunity_type(org, r["type"], mapping),
                )
            )

    # rule 0: pointer cycles (D5: over every row-valid opportunity, deleted ones too)
    for opp_id in sorted(_reaches_a_loop(valid)):
        quarantine_row("opportunity", opp_id, "POINTER_CYCLE", "last_opportunity_c chain reaches a loop")
        del valid[opp_id]

    # rule 0: deal-group rows and membership rows
    dg_counts = Counter(r["id"] for r in dgs if r["id"] is not None)
    deal_group_by_id: dict[str, dict] = {}
    for r in dgs:
        if r["id"] is None or org is None:
            quarantine_row("deal_group", r["id"], "NULL_ID", "id is null" if r["id"] is None else "org_id is null")
        elif dg_counts[r["id"]] > 1:
            quarantine_row("deal_group", r["id"], "DUPLICATE_ID", f"id appears {dg_counts[r['id']]} times in org")
        else:
            deal_group_by_id[r["id"]] = r
    groups_of: dict[str, set[str]] = defaultdict(set)
    for m in members:
        dg_id, opp_id = m["deal_group_id"], m["opportunity_id"]
        row_id = f"{dg_id or ''}/{opp_id or ''}"
        if org is None or dg_id is None or dg_id not in dg_counts:
            quarantine_row(
                "deal_group_opportunity", row_id, "MISSING_REFERENCE", f"deal group {_or_null(dg_id)} not found in org"
            )
        elif opp_id is None or opp_id not in opp_counts:
            quarantine_row(
                "deal_group_opportunity",
                row_id,
                "MISSING_REFERENCE",
                f"opportunity {_or_null(opp_id)} not found in org",
            )
        else:
            groups_of[opp_id].add(dg_id)
    for opp_id in sorted(groups_of):
        if opp_id in valid and len(groups_of[opp_id]) > 1:
            names = ", ".join(sorted(groups_of[opp_id]))
            quarantine_row(
                "opportunity",
                opp_id,
                "IN_MULTIPLE_DEAL_GROUPS",
                f"member of {len(groups_of[opp_id])} deal groups: {names}",
            )
            del valid[opp_id]
    # D6: an opportunity whose one deal group has a duplicated id is quarantined with it
    for opp_id in sorted(groups_of):
        (dg_id,) = groups_of[opp_id] if len(groups_of[opp_id]) == 1 else (None,)
        if opp_id in valid and dg_id is not None and dg_counts[dg_id] > 1:
            quarantine_row(
                "opportunity", opp_id, "DUPLICATE_ID", f"member of deal group {dg_id} whose id is duplicated"
            )
            del valid[opp_id]

    # rule 2: legacy deal groups → contracts
    members_of: dict[str, list[dict]] = defaultdict(list)
    for opp_id, dg_ids in groups_of.items():
        if opp_id in valid and len(dg_ids) == 1:
            (dg_id,) = dg_ids
            if dg_id in deal_group_by_id:
                members_of[dg_id].append(valid[opp_id])
    legacy: dict[str, Contract] = {}
    for dg_id in sorted(deal_group_by_id):
        dg = deal_group_by_id[dg_id]
        kept = []
        for opp in sorted(members_of[dg_id], key=order_key):
            if opp["is_deleted"]:
                unattach(opp["id"], "DELETED", f"deleted member of deal group {dg_id}")
            else:
                kept.append(opp)
        if not kept:
            quarantine_row("deal_group", dg_id, "EMPTY_DEAL_GROUP", "no members left")
            continue
        offender = _first_type_conflict(kept)
        if offender is not None:
            position, opp = offender
            detail = f"opportunity {opp['id']} is {opp['opportunity_type']} at position {position}"
            quarantine_row("deal_group", dg_id, "LEGACY_TYPE_CONFLICT", detail)
            for member in kept:
                quarantine_row("opportunity", member["id"], "LEGACY_TYPE_CONFLICT", f"deal group {dg_id}: {detail}")
                del valid[member["id"]]
            continue
        head = kept[0]
        start, end = term_of(head, term_months)
        account_key = ("crm", dg["crm_account_id"]) if dg["crm_account_id"] is not None else ("deal_group", dg_id)
        legacy[dg_id] = Contract(
            org,
            dg_id,
            account_key,
            "",
            0,
            head["opportunity_type"],
            None,
            head,
            start,
            end,
            dg_id,
            [m["id"] for m in kept],
        )

    _link_legacy_successors(org, legacy, valid, quarantine_row)

    # rules 4 and 5: orphans, decided in org-wide (close_date, id) order (D4)
    contracts: dict[str, Contract] = dict(legacy)
    member_of = {opp_id: c.contract_id for c in legacy.values() for opp_id in c.members}
    legacy_deleted = {u["opportunity_id"] for u in unattached if u["org_id"] == org}
    has_successor = {c.prior_contract_id for c in contracts.values() if c.prior_contract_id and not c.archived}

    def resolve(pointer):
        return walk_pointer(pointer, valid, member_of)

    orphans = [o for o in valid.values() if o["id"] not in member_of and o["id"] not in legacy_deleted]
    for opp in sorted(orphans, key=order_key):
        reason, detail = _decide_orphan(org, opp, contracts, has_successor, resolve, term_months, member_of)
        if reason is not None:
            unattach(opp["id"], reason, detail)

    # rule 3: accounts; rule 6: lifecycle
    types_by_id = {opp_id: opp["opportunity_type"] for opp_id, opp in valid.items()}
    _emit_hierarchy(org, contracts, types_by_id, crm_accounts, deal_group_by_id, as_of, out)
    attached = sum(len(c.members) for c in contracts.values())
    n_unattached = sum(1 for u in unattached if u["org_id"] == org)
    n_quarantined = sum(1 for q in quarantine if q["org_id"] == org and q["source_table"] == "opportunity")
    out.backfill_reconciliation.append(
        dict(
            org_id=org,
            input_opportunities=len(opps),
            attached=attached,
            unattached=n_unattached,
            quarantined=n_quarantined,
            is_balanced=len(opps) == attached + n_unattached + n_quarantined,
        )
    )


def _reaches_a_loop(valid: dict[str, dict]) -> set[str]:
    """Ids whose last_opportunity_c chain, within the org, runs into a loop."""
    state: dict[str, bool] = {}
    for start in valid:
        path, seen, node = [], set(), start
        while node in valid and node not in state and node not in seen:
            seen.add(node)
            path.append(node)
            node = valid[node]["last_opportunity_c"]
        loops = node in seen or state.get(node, False)
        for n in path:
            state[n] = loops
    return {n for n, loops in state.items() if loops}


def walk_pointer(pointer: str | None, valid: dict[str, dict], member_of: dict[str, str]) -> str | None:
    """Rule 4: follow last_opportunity_c to the first member of a contract; a
    missing, deleted or quarantined id (absent from ``valid``) ends the walk."""
    while pointer is not None:
        opp = valid.get(pointer)
        if opp is None or opp["is_deleted"]:
            return None
        if pointer in member_of:
            return member_of[pointer]
        pointer = opp["last_opportunity_c"]
    return None


def _first_type_conflict(kept: list[dict]):
    head = kept[0]
    if head["opportunity_type"] not in (NEW_BUSINESS, RENEWAL):
        return 1, head
    for position, opp in enumerate(kept[1:], start=2):
        if opp["opportunity_type"] != AMENDMENT:
            return position, opp
    return None


def _link_legacy_successors(org, legacy, valid, quarantine_row):
    """Rule 2: a RENEWAL-headed legacy contract continues the engagement its head
    points into (same account, D7: the prior's head comes first); the second
    successor of one prior is quarantined; every other contract starts an engagement."""
    member_of = {opp_id: c.contract_id for c in legacy.values() for opp_id in c.members}

    def legacy_target(contract: Contract):
        return walk_pointer(contract.head["last_opportunity_c"], valid, member_of)

    successor_of: dict[str, str] = {}
    for contract in sorted(legacy.values(), key=lambda c: order_key(c.head)):
        target_id = legacy_target(contract) if contract.contract_type == RENEWAL else None
        target = legacy.get(target_id) if target_id else None
        if (
            target is None
            or target is contract
            or target.account_key != contract.account_key
            or not order_key(target.head) < order_key(contract.head)
        ):
            contract.engagement_id = engagement_id_for_first_contract(org, contract.contract_id)
            contract.engagement_sequence = 1
            continue
        if target.contract_id in successor_of:
            quarantine_row(
                "deal_group",
                contract.contract_id,
                "LEGACY_DUPLICATE_SUCCESSOR",
                f"second successor of contract {target.contract_id} (first: {successor_of[target.contract_id]})",
            )
            for opp_id in contract.members:
                quarantine_row(
                    "opportunity",
                    opp_id,
                    "LEGACY_DUPLICATE_SUCCESSOR",
                    f"member of deal group {contract.contract_id}, second successor of contract {target.contract_id}",
                )
                del valid[opp_id]
            del legacy[contract.contract_id]
            continue
        successor_of[target.contract_id] = contract.contract_id
        contract.prior_contract_id = target.contract_id
        contract.engagement_id = target.engagement_id
        contract.engagement_sequence = target.engagement_sequence + 1


def _account_key_of(opp: dict):
    return ("crm", opp["account_id"]) if opp["account_id"] is not None else None


def _decide_orphan(org, opp, contracts, has_successor, resolve, term_months, member_of):
    """Rule 5 for one orphan, against what earlier orphans made. Returns
    (reason, detail) when it stays unattached, (None, None) when attached."""
    kind, account_key, pointer = opp["opportunity_type"], _account_key_of(opp), opp["last_opportunity_c"]
    if opp["is_deleted"]:
        return "DELETED", "opportunity is deleted"
    if kind == OTHER:
        return "UNMAPPED_TYPE", f"crm type '{opp['type']}' is not mapped" if opp[
            "type"
        ] is not None else "crm type is null"
    if account_key is None and (kind == NEW_BUSINESS or (kind == RENEWAL and pointer is None)):
        return "NO_ACCOUNT", "account_id is null"
    if kind == NEW_BUSINESS:
        if not opp["is_closed"]:
            return "NEW_BUSINESS_OPEN", "new business is not closed"
        if not opp["is_won"]:
            return "NEW_BUSINESS_LOST", "new business is closed lost"
        covering = sorted(
            (
                c
                for c in contracts.values()
                if c.account_key == account_key and not c.archived and c.start_date <= opp["close_date"] <= c.end_date
            ),
            key=lambda c: (c.start_date, c.contract_id),
        )
        if covering:
            return "ACTIVE_CONTRACT_EXISTS", f"close date within the term of contract {covering[0].contract_id}"
        start, end = term_of(opp, term_months)
        cid = contract_id_for_head(org, opp["id"])
        contracts[cid] = Contract(
            org,
            cid,
            account_key,
            engagement_id_for_first_contract(org, cid),
            1,
            NEW_BUSINESS,
            None,
            opp,
            start,
            end,
            None,
            [opp["id"]],
        )
        member_of[opp["id"]] = cid
        return None, None
    if kind == AMENDMENT:
        target = resolve(pointer)
        if target is None:
            return "AMENDMENT_PRIOR_NOT_FOUND", _not_found_detail(pointer)
        contracts[target].members.append(opp["id"])
        member_of[opp["id"]] = target
        return None, None
    # RENEWAL
    start, end = term_of(opp, term_months)
    if pointer is not None:
        prior_id = resolve(pointer)
    else:
        earlier = [
            c for c in contracts.values() if c.account_key == account_key and not c.archived and c.start_date < start
        ]
        prior_id = max(earlier, key=lambda c: (c.start_date, order_key(c.head))).contract_id if earlier else None
    if prior_id is None:
        return "RENEWAL_PRIOR_NOT_FOUND", _not_found_detail(
            pointer
        ) if pointer is not None else "no earlier contract of the account"
    if is_lost(opp):
        return "RENEWAL_LOST", f"renewal of contract {prior_id} is closed lost"
    if prior_id in has_successor:
        return "RENEWAL_SUCCESSOR_EXISTS", f"contract {prior_id} already has a successor"
    prior = contracts[prior_id]
    cid = contract_id_for_head(org, opp["id"])
    contracts[cid] = Contract(
        org,
        cid,
        prior.account_key,
        prior.engagement_id,
        prior.engagement_sequence + 1,
        RENEWAL,
        prior_id,
        opp,
        start,
        end,
        None,
        [opp["id"]],
    )
    member_of[opp["id"]] = cid
    has_successor.add(prior_id)
    return None, None


def _or_null(value):
    return "(null)" if value is None else value


def _not_found_detail(pointer):
    return "last_opportunity_c is null" if pointer is None else f"no contract reached from {pointer}"


def contract_status(contract: Contract, successors: list[Contract], as_of: dt.date) -> str:
    """Rule 6, first match wins."""
    head = contract.head
    started = contract.start_date <= as_of
    if is_lost(head):
        return "ARCHIVED"
    if contract.contract_type == RENEWAL and (not head["is_closed"] or (is_won(head) and not started)):
        return "PENDING"
    if any(is_won(s.head) and s.start_date <= as_of for s in successors) or contract.end_date < as_of:
        return "CLOSED"
    if contract.contract_type == NEW_BUSINESS and not head["is_closed"]:
        return "PENDING"
    return "ACTIVE"


def _emit_hierarchy(org, contracts, types_by_id, crm_accounts, deal_group_by_id, as_of, out):
    successors: dict[str, list[Contract]] = defaultdict(list)
    for c in contracts.values():
        if c.prior_contract_id:
            successors[c.prior_contract_id].append(c)
    crm_names: dict[str, list[str]] = defaultdict(list)
    for a in crm_accounts:
        if a["id"] is not None and not a["is_deleted"] and a["name"] is not None:
            crm_names[a["id"]].append(a["name"])

    def account_id(key):
        kind, value = key
        return account_id_for_crm(org, value) if kind == "crm" else account_id_for_deal_group(org, value)

    # D8: "prior + 1" is the tentative sequence; the engagement is numbered
    # 1..n by (tentative sequence, head close_date, head id).
    by_engagement: dict[str, list[Contract]] = defaultdict(list)
    for c in contracts.values():
        by_engagement[c.engagement_id].append(c)
    position = {}
    for members in by_engagement.values():
        ordered = sorted(members, key=lambda c: (c.engagement_sequence, c.head["close_date"], c.head["id"]))
        for n, c in enumerate(ordered, start=1):
            position[c.contract_id] = n

    accounts, engagements = {}, defaultdict(list)
    for c in sorted(contracts.values(), key=lambda c: c.contract_id):
        status = contract_status(c, successors[c.contract_id], as_of)
        kind, value = c.account_key
        accounts[c.account_key] = dict(
            org_id=org,
            account_id=account_id(c.account_key),
            crm_account_id=value if kind == "crm" else None,
            name=min(crm_names[value])
            if kind == "crm" and crm_names[value]
            else (deal_group_by_id[value]["name"] if kind == "deal_group" else None),
        )
        engagements[c.engagement_id].append((c, status))
        out.contracts.append(
            dict(
                org_id=org,
                contract_id=c.contract_id,
                account_id=account_id(c.account_key),
                engagement_id=c.engagement_id,
                engagement_sequence=position[c.contract_id],
                contract_type=c.contract_type,
                status=status,
                prior_contract_id=c.prior_contract_id,
                head_opportunity_id=c.head["id"],
                start_date=c.start_date,
                end_date=c.end_date,
                legacy_deal_group_id=c.legacy_deal_group_id,
            )
        )
        for seq, opp_id in enumerate(c.members, start=1):
            out.contract_memberships.append(
                dict(
                    org_id=org,
                    contract_id=c.contract_id,
                    opportunity_id=opp_id,
                    membership_sequence=seq,
                    opportunity_type=types_by_id[opp_id],
                )
            )
    out.accounts.extend(accounts.values())
    for eng_id, rows in engagements.items():
        active = any(s in ("ACTIVE", "PENDING") for _, s in rows)
        out.engagements.append(
            dict(
                org_id=org,
                engagement_id=eng_id,
                account_id=account_id(rows[0][0].account_key),
                status="ACTIVE" if active else "CHURNED",
                started_on=min(c.start_date for c, _ in rows),
                ended_on=None if active else max(c.end_date for c, _ in rows),
            )
        )
