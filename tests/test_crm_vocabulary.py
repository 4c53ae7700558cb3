"""Rule 1's vocabulary: Salesforce's standard Opportunity Type picklist in the
default mapping, and `marts.unmapped_crm_types`, the CRM types that mapped to
OTHER per org, with the seed line that would map each (issue 19)."""

from dagster_project.backfill.differential import mart_differences, seed_rows
from dagster_project.backfill.reference import (
    AMENDMENT,
    NEW_BUSINESS,
    OTHER,
    RENEWAL,
    opportunity_type,
    unmapped_crm_types,
)
from dagster_project.backfill.summary import OrgSummary, render, summarize
from dagster_project.demo.generate import DEFAULT_VOCABULARY, LANGCHAIN_VOCABULARY, UNMAPPED_TYPES, opportunity
from tests.scenario_registry import scenario

PLACEHOLDER = "<NEW_BUSINESS|RENEWAL|AMENDMENT>"

# Salesforce's standard Opportunity.Type picklist, and what the default vocabulary makes of it
SALESFORCE_PICKLIST = {
    "New Customer": NEW_BUSINESS,
    "Existing Customer - Upgrade": AMENDMENT,
    "Existing Customer - Downgrade": AMENDMENT,
    "Existing Customer - Replacement": OTHER,  # reported, never guessed (docs/decisions.md)
}


# --- pure: the seed, the reference and the generator agree ----------------------------------
def test_the_default_vocabulary_covers_the_salesforce_picklist_and_the_spec_minimum():
    default = {
        row["crm_type"]: row["opportunity_type"] for row in seed_rows("crm_type_mapping") if row["org_id"] == "*"
    }
    assert {name: default.get(name) for name in SALESFORCE_PICKLIST} == SALESFORCE_PICKLIST
    assert {
        name: default.get(name)
        for name in ("New Business", "New Customer", "Renewal", "Amendment", "Upsell", "Expansion")
    } == {
        "New Business": NEW_BUSINESS,
        "New Customer": NEW_BUSINESS,
        "Renewal": RENEWAL,
        "Amendment": AMENDMENT,
        "Upsell": AMENDMENT,
        "Expansion": AMENDMENT,
    }


def test_the_generators_spellings_type_as_the_seed_says():
    """The demo and chaos data are written with these lists; the reference types them from the seed."""
    mapping = seed_rows("crm_type_mapping")
    for org, vocabulary in (("org_any", DEFAULT_VOCABULARY), ("org_langchain", LANGCHAIN_VOCABULARY)):
        for expected, spellings in vocabulary.items():
            assert {s: opportunity_type(org, s, mapping) for s in spellings} == dict.fromkeys(spellings, expected)
    assert {opportunity_type("org_any", s, mapping) for s in UNMAPPED_TYPES} == {OTHER}
    # per-org rows override; the picklist's Replacement stays OTHER for langchain too
    assert opportunity_type("org_langchain", "existing customer - renewal", mapping) == RENEWAL
    assert opportunity_type("org_other", "Existing Customer - Renewal", mapping) == OTHER
    assert opportunity_type("org_langchain", "Existing Customer - Replacement", mapping) == OTHER


def test_the_reference_lists_each_unmapped_key_once_in_its_most_common_spelling():
    mapping = [
        dict(org_id="*", crm_type="Renewal", opportunity_type=RENEWAL),
        dict(org_id="*", crm_type="Parked", opportunity_type=OTHER),
        dict(org_id="o", crm_type="Partner", opportunity_type=NEW_BUSINESS),
    ]
    types = [
        "partner",
        "Services",
        " services ",
        "services",
        "services",
        "Renewal",
        None,
        None,
        "  ",
        'a,"b"',
        "Parked",
        "Zeta",
        "Alpha",
    ]
    opps = [opportunity("o", f"x{k}", type=t) for k, t in enumerate(types)]
    opps += [opportunity("p", "y", type="partner"), opportunity(None, "z", type="Orphan")]
    assert unmapped_crm_types(opps, mapping) == [
        dict(
            org_id="o",
            crm_type="services",
            crm_type_key="services",
            opportunities=4,
            seed_row_to_add=f"o,services,{PLACEHOLDER}",
        ),
        dict(org_id="o", crm_type=None, crm_type_key=None, opportunities=2, seed_row_to_add=None),
        dict(org_id="o", crm_type="  ", crm_type_key="", opportunities=1, seed_row_to_add=None),
        dict(
            org_id="o",
            crm_type="Alpha",
            crm_type_key="alpha",
            opportunities=1,
            seed_row_to_add=f"o,Alpha,{PLACEHOLDER}",
        ),
        dict(
            org_id="o",
            crm_type="Parked",
            crm_type_key="parked",
            opportunities=1,
            seed_row_to_add=f"o,Parked,{PLACEHOLDER}",
        ),
        dict(
            org_id="o", crm_type="Zeta", crm_type_key="zeta", opportunities=1, seed_row_to_add=f"o,Zeta,{PLACEHOLDER}"
        ),
        dict(
            org_id="o",
            crm_type='a,"b"',
            crm_type_key='a,"b"',
            opportunities=1,
            seed_row_to_add=f'o,"a,""b""",{PLACEHOLDER}',
        ),
        dict(
            org_id="p",
            crm_type="partner",
            crm_type_key="partner",
            opportunities=1,
            seed_row_to_add=f"p,partner,{PLACEHOLDER}",
        ),
    ]


def test_the_summary_shows_the_top_unmapped_types_and_how_to_map_them():
    summary = OrgSummary(
        "org_acme",
        unmapped_crm_type_count=5,
        unmapped_crm_types=[
            dict(
                crm_type="Partner Referral",
                opportunities=12,
                seed_row_to_add=f"org_acme,Partner Referral,{PLACEHOLDER}",
            ),
            dict(crm_type=None, opportunities=4, seed_row_to_add=None),
            dict(
                crm_type="Existing Customer - Replacement",
                opportunities=2,
                seed_row_to_add=f"org_acme,Existing Customer - Replacement,{PLACEHOLDER}",
            ),
        ],
    )
    assert render([summary]).splitlines()[1:] == [
        "    unmapped CRM types (typed OTHER): 'Partner Referral' 12, (no type) 4, "
        "'Existing Customer - Replacement' 2 (+2 more in marts.unmapped_crm_types)",
        "      to map one, add its row to dbt_project/seeds/crm_type_mapping.csv with the type chosen, "
        f"e.g. org_acme,Partner Referral,{PLACEHOLDER}",
        "      a missing or blank type maps to nothing: set the Type in the CRM",
    ]
    assert "unmapped" not in render([OrgSummary("org_clean")])


# --- the built marts ----------------------------------------------------------------------------
@scenario
def sf_picklist(org):
    org.opp("nb", "New Customer", "2023-01-01")
    org.opp("up", "Existing Customer - Upgrade", "2023-03-01", pointer="nb")
    org.opp("down", "  existing customer -   DOWNGRADE ", "2023-04-01", pointer="up")
    org.opp("repl", "Existing Customer - Replacement", "2023-06-01", pointer="nb")
    org.opp("repl_caps", "EXISTING CUSTOMER - REPLACEMENT", "2023-07-01", pointer="nb")
    org.opp("partner_1", "Partner Referral", "2023-02-01", account="acc2")
    org.opp("partner_2", "Partner Referral", "2023-02-02", account="acc2")
    org.opp("partner_3", " partner   referral", "2023-02-03", account="acc2")
    org.opp("partner_gone", "Partner Referral", "2023-02-04", account="acc2", deleted=True)
    org.opp("services", "Services, Inc.", "2023-02-05", account="acc2")
    org.opp("no_type", None, "2023-02-06", account="acc2")
    org.opp("blank_type", "   ", "2023-02-07", account="acc2")


SC = "sc_sf_picklist"


def test_the_salesforce_picklist_types_canonically(marts):
    types = {
        r["opportunity_id"]: r["opportunity_type"]
        for r in marts.rows("select * from marts.opportunity_types where org_id = %s", [SC])
    }
    assert {k: types[k] for k in ("nb", "up", "down", "repl", "repl_caps")} == {
        "nb": NEW_BUSINESS,
        "up": AMENDMENT,
        "down": AMENDMENT,
        "repl": OTHER,
        "repl_caps": OTHER,
    }
    (contract,) = marts.contracts(SC).values()
    assert marts.members(SC, contract["contract_id"]) == ["nb", "up", "down"]
    unattached = marts.unattached(SC)
    assert {k: unattached[k] for k in ("repl", "repl_caps", "partner_1", "no_type", "blank_type")} == dict.fromkeys(
        ("repl", "repl_caps", "partner_1", "no_type", "blank_type"), "UNMAPPED_TYPE"
    )
    assert unattached["partner_gone"] == "DELETED"


def test_unmapped_crm_types_lists_each_type_once_with_its_count_and_seed_row(marts):
    rows = marts.rows(
        "select crm_type, crm_type_key, opportunities, seed_row_to_add from marts.unmapped_crm_types"
        ' where org_id = %s order by opportunities desc, crm_type collate "C" nulls last',
        [SC],
    )
    assert rows == [
        dict(
            crm_type="Partner Referral",
            crm_type_key="partner referral",
            opportunities=4,
            seed_row_to_add=f"sc_sf_picklist,Partner Referral,{PLACEHOLDER}",
        ),
        dict(
            crm_type="EXISTING CUSTOMER - REPLACEMENT",
            crm_type_key="existing customer - replacement",
            opportunities=2,
            seed_row_to_add=f"sc_sf_picklist,EXISTING CUSTOMER - REPLACEMENT,{PLACEHOLDER}",
        ),
        dict(crm_type="   ", crm_type_key="", opportunities=1, seed_row_to_add=None),
        dict(
            crm_type="Services, Inc.",
            crm_type_key="services, inc.",
            opportunities=1,
            seed_row_to_add=f'sc_sf_picklist,"Services, Inc.",{PLACEHOLDER}',
        ),
        dict(crm_type=None, crm_type_key=None, opportunities=1, seed_row_to_add=None),
    ]


def test_unmapped_crm_types_equals_the_reference_for_every_org(marts, source_data):
    expected = unmapped_crm_types(source_data.opportunities, seed_rows("crm_type_mapping"))
    columns = list(expected[0])
    actual = marts.rows(f"select {', '.join(columns)} from marts.unmapped_crm_types")
    missing, extra = mart_differences(expected, actual, columns)
    assert not missing and not extra, (missing[:3], extra[:3])
    # every OTHER-typed opportunity with an org is counted once
    (other,) = marts.rows(
        "select count(*) as n from intermediate.int_opportunities__typed"
        " where opportunity_type = 'OTHER' and org_id is not null"
    )
    assert sum(r["opportunities"] for r in actual) == other["n"] > 0


def test_the_backfill_summary_names_the_orgs_top_unmapped_types(platform_url, marts):
    (summary,) = [s for s in summarize([], url=platform_url) if s.org_id == SC]
    assert summary.unmapped_crm_type_count == 5
    assert [(t["crm_type"], t["opportunities"]) for t in summary.unmapped_crm_types] == [
        ("Partner Referral", 4),
        ("EXISTING CUSTOMER - REPLACEMENT", 2),
        ("   ", 1),
    ]
    text = render([summary])
    assert (
        "    unmapped CRM types (typed OTHER): 'Partner Referral' 4, 'EXISTING CUSTOMER - REPLACEMENT' 2, "
        "(blank type) 1 (+2 more in marts.unmapped_crm_types)"
    ) in text
    assert f"e.g. sc_sf_picklist,Partner Referral,{PLACEHOLDER}" in text
