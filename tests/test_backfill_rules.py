"""SPEC §3, rule by rule and reason by reason, as small orgs written by hand.

Each ``@scenario`` is an org of its own; every one is loaded before the
session's single backfill run, and each test reads the computed marts.
"""

from tests.scenario_registry import scenario


# --- rule 0: quarantine ------------------------------------------------------------------
@scenario
def quarantine_rows(org):
    org.opp(None, "New Business", "2023-01-01")
    org.opp("dup", "New Business", "2023-01-01")
    org.opp("dup", "Renewal", "2023-02-01")
    org.opp("no_close", "New Business", None)
    org.opp("loop_a", "Renewal", "2023-01-01", pointer="loop_b")
    org.opp("loop_b", "Renewal", "2023-01-01", pointer="loop_a")
    org.opp("into_loop", "Amendment", "2023-03-01", pointer="loop_a")
    org.opp("self_loop", "Amendment", "2023-03-01", pointer="self_loop")
    org.opp("fine", "New Business", "2023-01-01")


def test_bad_opportunity_rows_are_quarantined_one_row_each(marts):
    assert marts.quarantined("sc_quarantine_rows") == [
        ("", "NULL_ID"),
        ("dup", "DUPLICATE_ID"),
        ("dup", "DUPLICATE_ID"),
        ("into_loop", "POINTER_CYCLE"),
        ("loop_a", "POINTER_CYCLE"),
        ("loop_b", "POINTER_CYCLE"),
        ("no_close", "NULL_CLOSE_DATE"),
        ("self_loop", "POINTER_CYCLE"),
    ]
    assert list(marts.contracts("sc_quarantine_rows").values())[0]["head_opportunity_id"] == "fine"


@scenario
def pointer_loops_and_forward_pointers(org):
    # a loop that goes back in time twice and forward once
    org.opp("loop_late", "Amendment", "2023-03-01", pointer="loop_mid")
    org.opp("loop_mid", "Amendment", "2023-02-01", pointer="loop_early")
    org.opp("loop_early", "Amendment", "2023-01-01", pointer="loop_late")
    # into that loop through a forward pointer of its own, then back in time
    org.opp("feeder_a", "Amendment", "2022-06-01", pointer="feeder_b")
    org.opp("feeder_b", "Amendment", "2022-07-01", pointer="loop_mid")
    # forward pointers that end (two in a row, then a chain end): no loop
    org.opp("nb", "New Business", "2024-01-01")
    org.opp("same_day_a", "Amendment", "2024-01-01", pointer="same_day_b")
    org.opp("same_day_b", "Amendment", "2024-01-01", pointer="later")
    org.opp("later", "Amendment", "2024-02-01", pointer="nb")


def test_every_opportunity_whose_chain_runs_into_a_loop_is_quarantined_and_no_other(marts):
    """A loop needs a pointer that does not go back in (close_date, id) order;
    the cycle check starts from those (D52) and must still find every loop, and
    every chain leading into one, whatever the dates, and leave loop-free
    forward pointers alone."""
    org = "sc_pointer_loops_and_forward_pointers"
    assert marts.quarantined(org) == [
        ("feeder_a", "POINTER_CYCLE"),
        ("feeder_b", "POINTER_CYCLE"),
        ("loop_early", "POINTER_CYCLE"),
        ("loop_late", "POINTER_CYCLE"),
        ("loop_mid", "POINTER_CYCLE"),
    ]
    assert marts.reconciliation(org)["is_balanced"]


@scenario
def quarantine_memberships(org):
    org.opp("nb", "New Business", "2023-01-01")
    org.opp("am", "Amendment", "2023-02-01", pointer="nb")
    org.opp("twice", "Amendment", "2023-03-01")
    org.group("g1", "nb", "am")
    org.group("g2", "twice")
    org.member("g1", "twice", 3)
    org.member("g1", "ghost_opportunity", 4)
    org.member("ghost_group", "nb", 1)


def test_a_membership_naming_nothing_is_missing_reference_and_a_shared_opportunity_is_quarantined(marts):
    org = "sc_quarantine_memberships"
    assert marts.quarantined(org, "deal_group_opportunity") == [
        ("g1/ghost_opportunity", "MISSING_REFERENCE"),
        ("ghost_group/nb", "MISSING_REFERENCE"),
    ]
    assert ("twice", "IN_MULTIPLE_DEAL_GROUPS") in marts.quarantined(org)
    assert ("g2", "EMPTY_DEAL_GROUP") in marts.quarantined(org, "deal_group")
    assert marts.members(org, "g1") == ["nb", "am"]


@scenario
def duplicate_deal_group(org):
    org.opp("a", "New Business", "2023-01-01")
    org.group("gdup", "a")
    org.data.deal_groups.append(dict(org.data.deal_groups[0]))


def test_deal_group_rows_sharing_an_id_are_quarantined_with_their_members(marts):
    org = "sc_duplicate_deal_group"
    assert marts.quarantined(org, "deal_group") == [("gdup", "DUPLICATE_ID"), ("gdup", "DUPLICATE_ID")]
    assert marts.quarantined(org) == [("a", "DUPLICATE_ID")]
    assert marts.contracts(org) == {}


# --- rule 1: opportunity types ------------------------------------------------------------
@scenario
def type_vocabulary(org):
    org.opp("spaces", "  new   BUSINESS ", "2023-01-01", account="a1")
    org.opp("customer", "New Customer", "2023-01-01", account="a2")
    org.opp("upsell", "Upsell", "2023-02-01", account="a1", pointer="spaces")
    org.opp("partner", "Partner Referral", "2023-01-01", account="a3")
    org.opp("null_type", None, "2023-01-01", account="a3")


def test_crm_types_match_ignoring_case_and_white_space_and_unmapped_types_are_other(marts):
    types = {
        r["opportunity_id"]: r["opportunity_type"]
        for r in marts.rows("select * from marts.opportunity_types where org_id = 'sc_type_vocabulary'")
    }
    assert types == {
        "spaces": "NEW_BUSINESS",
        "customer": "NEW_BUSINESS",
        "upsell": "AMENDMENT",
        "partner": "OTHER",
        "null_type": "OTHER",
    }
    assert marts.unattached("sc_type_vocabulary") == {"partner": "UNMAPPED_TYPE", "null_type": "UNMAPPED_TYPE"}


def test_an_org_vocabulary_overrides_the_default(marts):
    rows = marts.rows(
        "select opportunity_type, count(*) as n from marts.opportunity_types"
        " where org_id = 'org_langchain' and crm_type ilike 'new to langchain' group by 1"
    )
    assert [r["opportunity_type"] for r in rows] == ["NEW_BUSINESS"]


# --- rule 2: legacy deal groups -----------------------------------------------------------
@scenario
def legacy_conversion(org):
    org.opp("head", "New Business", "2023-01-10", start="2023-02-01")
    org.opp("up1", "Upsell", "2023-05-01")
    org.opp("up0", "Amendment", "2023-03-01")
    org.opp("gone", "Amendment", "2023-04-01", deleted=True)
    org.group("legacy1", "up1", "head", "gone", "up0", name="Acme 2023")


def test_a_legacy_deal_group_becomes_a_contract_keeping_its_id_members_in_close_date_order(marts):
    org = "sc_legacy_conversion"
    contract = marts.contracts(org)["legacy1"]
    assert (contract["contract_type"], contract["engagement_sequence"], contract["legacy_deal_group_id"]) == (
        "NEW_BUSINESS",
        1,
        "legacy1",
    )
    assert str(contract["start_date"]) == "2023-02-01" and str(contract["end_date"]) == "2024-01-31"
    assert marts.members(org, "legacy1") == ["head", "up0", "up1"]
    assert marts.unattached(org) == {"gone": "DELETED"}


@scenario
def legacy_type_conflict(org):
    org.opp("nb", "New Business", "2023-01-01")
    org.opp("second_nb", "New Business", "2023-02-01")
    org.opp("am", "Amendment", "2023-03-01")
    org.group("bad", "nb", "second_nb", "am")
    org.opp("lonely_amendment", "Amendment", "2023-01-01")
    org.group("bad_head", "lonely_amendment")
    org.opp("deleted_only", "New Business", "2023-01-01", deleted=True)
    org.group("empty", "deleted_only")


def test_a_group_breaking_the_head_and_amendment_types_is_quarantined_with_its_opportunities(marts):
    org = "sc_legacy_type_conflict"
    assert marts.quarantined(org, "deal_group") == [
        ("bad", "LEGACY_TYPE_CONFLICT"),
        ("bad_head", "LEGACY_TYPE_CONFLICT"),
        ("empty", "EMPTY_DEAL_GROUP"),
    ]
    assert marts.quarantined(org) == [
        ("am", "LEGACY_TYPE_CONFLICT"),
        ("lonely_amendment", "LEGACY_TYPE_CONFLICT"),
        ("nb", "LEGACY_TYPE_CONFLICT"),
        ("second_nb", "LEGACY_TYPE_CONFLICT"),
    ]
    (detail,) = [
        r["detail"]
        for r in marts.rows("select detail from marts.quarantined_rows where org_id = %s and row_id = 'bad'", [org])
    ]
    assert detail == "opportunity second_nb is NEW_BUSINESS at position 2"
    assert marts.unattached(org) == {"deleted_only": "DELETED"}


@scenario
def legacy_renewal_chain(org):
    org.opp("nb", "New Business", "2022-01-01")
    org.opp("nb_up", "Upsell", "2022-06-01", pointer="nb")
    org.group("term1", "nb", "nb_up")
    org.opp("ren", "Renewal", "2023-01-01", pointer="nb_up")
    org.group("term2", "ren")
    org.opp("ren_again", "Renewal", "2023-02-01", pointer="nb")
    org.group("term2_duplicate", "ren_again")
    org.opp("other_account_nb", "New Business", "2022-01-01", account="acc2")
    org.group("elsewhere", "other_account_nb", crm="acc2")
    org.opp("cross", "Renewal", "2023-01-01", account="acc1", pointer="other_account_nb")
    org.group("cross_account", "cross")


def test_a_legacy_renewal_continues_the_engagement_it_points_into(marts):
    org = "sc_legacy_renewal_chain"
    contracts = marts.contracts(org)
    assert contracts["term2"]["engagement_id"] == contracts["term1"]["engagement_id"]
    assert (contracts["term2"]["engagement_sequence"], contracts["term2"]["prior_contract_id"]) == (2, "term1")


def test_a_second_legacy_successor_of_one_prior_is_quarantined(marts):
    org = "sc_legacy_renewal_chain"
    assert ("term2_duplicate", "LEGACY_DUPLICATE_SUCCESSOR") in marts.quarantined(org, "deal_group")
    assert ("ren_again", "LEGACY_DUPLICATE_SUCCESSOR") in marts.quarantined(org)


@scenario
def orphans_pointing_into_quarantined_deal_groups(org):
    org.opp("nb", "New Business", "2022-01-01")
    org.group("term1", "nb")
    org.opp("ren", "Renewal", "2023-01-01", pointer="nb")
    org.group("term2", "ren")
    org.opp("ren_again", "Renewal", "2023-02-01", pointer="nb")
    org.group("term2_duplicate", "ren_again")
    org.opp("upsell", "Upsell", "2023-03-01", pointer="ren_again")
    org.opp("next_renewal", "Renewal", "2024-02-01", pointer="ren_again")
    org.opp("conflict_head", "Upsell", "2021-01-01", account="acc2")
    org.group("conflicted", "conflict_head", crm="acc2")
    org.opp("conflict_upsell", "Upsell", "2021-03-01", account="acc2", pointer="conflict_head")


def test_an_orphan_pointing_into_a_quarantined_deal_group_finds_no_contract(marts):
    """The pointer walk ends at a member of a deal group the legacy conversion
    quarantined (a duplicate successor, a type conflict), and so does a
    quarantined id: not found (rule 4), for an amendment and for a renewal alike
    (its pointer is set, so no fallback to the account's latest contract)."""
    org = "sc_orphans_pointing_into_quarantined_deal_groups"
    assert ("term2_duplicate", "LEGACY_DUPLICATE_SUCCESSOR") in marts.quarantined(org, "deal_group")
    assert ("conflicted", "LEGACY_TYPE_CONFLICT") in marts.quarantined(org, "deal_group")
    assert marts.unattached(org) == {
        "upsell": "AMENDMENT_PRIOR_NOT_FOUND",
        "next_renewal": "RENEWAL_PRIOR_NOT_FOUND",
        "conflict_upsell": "AMENDMENT_PRIOR_NOT_FOUND",
    }


def test_a_legacy_renewal_pointing_into_another_account_starts_its_own_engagement(marts):
    contracts = marts.contracts("sc_legacy_renewal_chain")
    assert contracts["cross_account"]["engagement_sequence"] == 1
    assert contracts["cross_account"]["prior_contract_id"] is None
    assert contracts["cross_account"]["engagement_id"] != contracts["elsewhere"]["engagement_id"]


# --- rule 3: accounts ---------------------------------------------------------------------
@scenario
def accounts(org):
    org.account("acc1", "Acme Corp")
    org.opp("a", "New Business", "2021-01-01")
    org.group("g_a", "a")
    org.opp("b", "New Business", "2023-01-01")
    org.group("g_b", "b")
    org.opp("c", "New Business", "2023-01-01", account=None)
    org.group("g_no_crm", "c", crm=None, name="Walk-in customer")


def test_one_account_per_crm_account_and_one_per_deal_group_without_one(marts):
    rows = marts.rows(
        "select crm_account_id, name from marts.accounts where org_id = 'sc_accounts'"
        " order by crm_account_id nulls last"
    )
    assert rows == [
        {"crm_account_id": "acc1", "name": "Acme Corp"},
        {"crm_account_id": None, "name": "Walk-in customer"},
    ]


# --- rule 5: orphans ----------------------------------------------------------------------
@scenario
def orphan_new_business(org):
    org.opp("open", "New Business", "2023-01-01", outcome="open")
    org.opp("lost", "New Business", "2023-01-02", outcome="lost")
    org.opp("won", "New Business", "2023-01-03")
    org.opp("won_inside_term", "New Business", "2023-06-01")
    org.opp("no_account", "New Business", "2023-01-01", account=None)
    org.opp("deleted", "New Business", "2023-01-01", deleted=True)
    org.opp("win_back", "New Business", "2025-06-01")


def test_orphan_new_business_opens_a_contract_only_when_won_and_not_covered(marts):
    org = "sc_orphan_new_business"
    assert marts.unattached(org) == {
        "open": "NEW_BUSINESS_OPEN",
        "lost": "NEW_BUSINESS_LOST",
        "won_inside_term": "ACTIVE_CONTRACT_EXISTS",
        "no_account": "NO_ACCOUNT",
        "deleted": "DELETED",
    }
    won = marts.contract_of_head(org, "won")
    assert (
        marts.unattached_detail(org, "won_inside_term")
        == f"close date within the term of contract {won['contract_id']}"
    )


def test_a_win_back_opens_a_new_engagement_under_the_same_account(marts):
    org = "sc_orphan_new_business"
    first, back = marts.contract_of_head(org, "won"), marts.contract_of_head(org, "win_back")
    assert first["account_id"] == back["account_id"]
    assert first["engagement_id"] != back["engagement_id"]
    assert back["engagement_sequence"] == 1
    engagements = marts.engagements(org)
    assert engagements[first["engagement_id"]]["status"] == "CHURNED"
    assert engagements[back["engagement_id"]]["status"] == "ACTIVE"


@scenario
def orphan_amendments(org):
    org.opp("nb", "New Business", "2023-01-01")
    org.group("legacy", "nb")
    org.opp("up2", "Upsell", "2023-05-01", pointer="up1")
    org.opp("up1", "Upsell", "2023-03-01", pointer="nb")
    org.opp("stray", "Amendment", "2023-03-01", pointer="nowhere")
    org.opp("unpointed", "Amendment", "2023-03-01")


def test_orphan_amendments_join_the_contract_their_pointer_reaches_in_order(marts):
    org = "sc_orphan_amendments"
    assert marts.members(org, "legacy") == ["nb", "up1", "up2"]
    assert marts.unattached(org) == {"stray": "AMENDMENT_PRIOR_NOT_FOUND", "unpointed": "AMENDMENT_PRIOR_NOT_FOUND"}


@scenario
def orphan_renewals(org):
    org.opp("nb", "New Business", "2022-01-01")
    org.group("legacy", "nb")
    org.opp("by_pointer", "Renewal", "2023-01-01", pointer="nb")
    org.opp("second", "Renewal", "2023-01-02", pointer="nb")
    org.opp("next_by_fallback", "Renewal", "2024-01-01")
    org.opp("lost", "Renewal", "2025-01-01", outcome="lost", pointer="next_by_fallback")
    org.opp("nothing_before", "Renewal", "2020-01-01", account="acc9")
    org.opp("broken_pointer", "Renewal", "2023-01-01", pointer="missing")


def test_orphan_renewals_find_their_prior_by_pointer_then_by_account(marts):
    org = "sc_orphan_renewals"
    by_pointer = marts.contract_of_head(org, "by_pointer")
    assert (by_pointer["prior_contract_id"], by_pointer["engagement_sequence"]) == ("legacy", 2)
    fallback = marts.contract_of_head(org, "next_by_fallback")
    assert (fallback["prior_contract_id"], fallback["engagement_sequence"]) == (by_pointer["contract_id"], 3)
    assert marts.unattached(org) == {
        "second": "RENEWAL_SUCCESSOR_EXISTS",
        "lost": "RENEWAL_LOST",
        "nothing_before": "RENEWAL_PRIOR_NOT_FOUND",
        "broken_pointer": "RENEWAL_PRIOR_NOT_FOUND",
    }


@scenario
def orphan_order(org):
    org.opp("renewal_first", "Renewal", "2023-01-01", pointer="nb")
    org.opp("nb", "New Business", "2023-06-01")


def test_decisions_follow_close_date_order_so_a_renewal_cannot_see_a_later_contract(marts):
    org = "sc_orphan_order"
    assert marts.unattached(org) == {"renewal_first": "RENEWAL_PRIOR_NOT_FOUND"}
    assert marts.contract_of_head(org, "nb")["contract_type"] == "NEW_BUSINESS"


# --- rule 6: lifecycle as of 2024-06-30 ------------------------------------------------------
@scenario
def lifecycle(org):
    org.opp("lost_head", "New Business", "2024-01-01", outcome="lost", account="lost")
    org.group("archived", "lost_head", crm="lost")
    org.opp("open_nb", "New Business", "2024-01-01", outcome="open", account="pending")
    org.group("pending_nb", "open_nb", crm="pending")
    org.opp("current", "New Business", "2024-01-01", account="current")
    org.opp("old", "New Business", "2022-01-01", account="expired")
    org.opp("prior", "New Business", "2023-08-01", account="renewing")
    org.opp("future_renewal", "Renewal", "2024-05-01", start="2024-08-01", pointer="prior", account="renewing")
    org.opp("superseded", "New Business", "2023-03-01", end="2025-02-28", account="superseded")
    org.opp("started_renewal", "Renewal", "2024-03-01", pointer="superseded", account="superseded")


def test_contract_status_as_of_a_date_follows_rule_6(marts):
    org = "sc_lifecycle"
    status = {c["head_opportunity_id"]: c["status"] for c in marts.contracts(org).values()}
    assert status == {
        "lost_head": "ARCHIVED",
        "open_nb": "PENDING",
        "current": "ACTIVE",
        "old": "CLOSED",
        "prior": "ACTIVE",
        "future_renewal": "PENDING",
        "superseded": "CLOSED",
        "started_renewal": "ACTIVE",
    }


# --- invariant 5 ---------------------------------------------------------------------------
def test_every_org_reconciles_input_to_attached_unattached_and_quarantined(marts):
    rows = marts.rows("select * from marts.backfill_reconciliation")
    assert rows and all(r["is_balanced"] for r in rows)
    assert all(r["input_opportunities"] == r["attached"] + r["unattached"] + r["quarantined"] for r in rows)
    hostile = marts.reconciliation("org_001")
    assert hostile["quarantined"] > 0 and hostile["unattached"] > 0
