"""`adopt-salesforce` (SPEC §8): the `salesforce` views over schemas landed the way
Fivetran's Salesforce connector lands them, one per org, on a database of this
module's own (real PostgreSQL, then a real backfill over the views).

- `fivetran_acme` is a landing in history mode with no custom fields, no
  `system_modstamp` on account and no `deal_group_c` table.
- `fivetran_beta` is a landing without history mode, with the custom fields (one
  in Salesforce's own spelling, `Contract_End_Date__c`), `system_modstamp`,
  `close_date` as a timestamp, and a `deal_group_c` table with some of its columns.
"""

from __future__ import annotations

from types import SimpleNamespace

import psycopg
import pytest

from dagster_project.adoption.salesforce import COLUMNS, AdoptionError, adopt_salesforce
from dagster_project.lib import database
from tests.conftest import run_backfill

ACME = """
create schema fivetran_acme;
create table fivetran_acme.account (
    _fivetran_synced timestamp, _fivetran_active boolean, id text, name text, type text, industry text,
    is_deleted boolean, owner_id text);
insert into fivetran_acme.account values
    ('2024-01-02 08:00', false, 'acme_acc1', 'Acme Widgets (old name)', 'Prospect', 'Retail', false, 'u1'),
    ('2024-03-01 08:00', true, 'acme_acc1', 'Acme Widgets', 'Customer', 'Retail', false, 'u1');
create table fivetran_acme.opportunity (
    _fivetran_synced timestamp, _fivetran_active boolean, account_id text, amount double precision,
    campaign_id text, close_date date, created_date timestamp, forecast_category text, id text,
    is_closed boolean, is_deleted boolean, is_won boolean, name text, owner_id text,
    probability double precision, record_type_id text, stage_name text, type text);
insert into fivetran_acme.opportunity values
    -- acme_o1 in history mode: the old version (open), then the current one (won)
    ('2024-01-05 08:00', false, 'acme_acc1', 1000, null, '2024-01-31', '2024-01-02 09:00', 'Pipeline',
     'acme_o1', false, false, false, 'First order (draft)', 'u1', 40, 'rt1', 'Negotiation', 'New Customer'),
    ('2024-01-16 08:00', true, 'acme_acc1', 1200.5, null, '2024-01-15', '2024-01-02 09:00', 'Closed',
     'acme_o1', true, false, true, 'First order', 'u1', 100, 'rt1', 'Closed Won', 'New Customer'),
    -- deleted in Salesforce: the connector keeps the row, marked
    ('2024-02-01 08:00', true, 'acme_acc1', 300, null, '2024-02-01', '2024-01-20 09:00', 'Pipeline',
     'acme_o2', false, true, false, 'Deleted deal', 'u1', 10, 'rt1', 'Prospecting', 'New Customer'),
    -- no _fivetran_active value: current
    ('2024-03-01 08:00', null, 'acme_acc1', 500, null, '2024-05-01', '2024-03-01 09:00', 'Pipeline',
     'acme_o3', false, false, false, 'Upsell', 'u1', 20, 'rt1', 'Prospecting', 'Upsell');
"""

BETA = """
create schema fivetran_beta;
create table fivetran_beta.account (
    _fivetran_synced timestamp, id text, name text, is_deleted boolean, system_modstamp timestamptz);
insert into fivetran_beta.account values ('2023-06-01 08:00', 'beta_acc1', 'Beta Labs', false, '2023-06-01 07:00+00');
create table fivetran_beta.opportunity (
    _fivetran_synced timestamp, id text, account_id text, name text, type text, stage_name text,
    is_closed boolean, is_won boolean, close_date timestamp, amount numeric, record_type_id text,
    is_deleted boolean, system_modstamp timestamptz, last_opportunity_c text, opportunity_replaced_by_c text,
    contract_start_date_c date, "Contract_End_Date__c" date);
insert into fivetran_beta.opportunity values
    ('2023-06-21 08:00', 'beta_o1', 'beta_acc1', 'First term', 'New Customer', 'Closed Won', true, true,
     '2023-06-20 00:00', 5000, 'rt9', false, '2023-06-20 10:00+00', null, null, '2023-07-01', '2024-06-30'),
    ('2024-06-02 08:00', 'beta_o2', 'beta_acc1', 'Second term', 'Renewal', 'Closed Won', true, true,
     '2024-06-01 00:00', 5500, 'rt9', false, '2024-06-01 10:00+00', 'beta_o1', null, '2024-07-01', '2025-06-30');
create table fivetran_beta.deal_group_c (
    _fivetran_synced timestamp, id text, deal_group_id_c text, name text, status_c text, system_modstamp timestamptz);
insert into fivetran_beta.deal_group_c values
    ('2024-01-01 08:00', 'a0X000000000001', 'dg-beta-1', 'First term', 'ACTIVE', '2024-01-01 07:00+00');
"""

VIEWS = ("salesforce.account", "salesforce.opportunity", "salesforce.deal_group_c")


def execute(url: str, statement: str, params=None) -> None:
    with psycopg.connect(url) as conn:
        conn.execute(statement, params)


def rows(url: str, query: str, params=None) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(query, params).fetchall()


def relkind(url: str, relation: str) -> str | None:
    found = rows(url, "select relkind from pg_class where oid = to_regclass(%s)", [relation])
    return found[0][0] if found else None


def snapshot(url: str) -> dict[str, list[tuple]]:
    return {view: rows(url, f"select * from {view} order by 1, 2") for view in VIEWS}


def fresh(name: str, *landings: str) -> str:
    url = database.create_database(database.database_url(), name)
    for landing in landings:
        execute(url, landing)
    return url


@pytest.fixture(scope="module")
def adopted() -> SimpleNamespace:
    """init-db first (its empty tables), then both orgs adopted, one after the other."""
    url = fresh("adopt_sf_test", ACME, BETA)
    database.init_db(url)
    acme = adopt_salesforce("fivetran_acme", "acme", url)
    beta = adopt_salesforce("fivetran_beta", "beta", url)
    return SimpleNamespace(url=url, acme_lines=acme, beta_lines=beta)


def test_adopting_prints_each_view_and_names_every_column_filled_with_nulls(adopted):
    assert adopted.acme_lines == [
        "salesforce.account: view over fivetran_acme.account (org acme)",
        "salesforce.account: the empty table init-db created is dropped for the view",
        "salesforce.account.system_modstamp: not in fivetran_acme.account, filled with null (timestamptz)",
        "salesforce.opportunity: view over fivetran_acme.opportunity (org acme)",
        "salesforce.opportunity: the empty table init-db created is dropped for the view",
        "salesforce.opportunity.system_modstamp: not in fivetran_acme.opportunity, filled with null (timestamptz)",
        "salesforce.opportunity.last_opportunity_c: not in fivetran_acme.opportunity, filled with null (text)",
        "salesforce.opportunity.opportunity_replaced_by_c: not in fivetran_acme.opportunity, filled with null (text)",
        "salesforce.opportunity.contract_start_date_c: not in fivetran_acme.opportunity, filled with null (date)",
        "salesforce.opportunity.contract_end_date_c: not in fivetran_acme.opportunity, filled with null (date)",
        "salesforce.deal_group_c: view over fivetran_acme.deal_group_c (org acme)",
        "salesforce.deal_group_c: the empty table init-db created is dropped for the view",
        "salesforce.deal_group_c: no table fivetran_acme.deal_group_c, so no rows from org acme",
    ]


def test_a_second_org_recreates_each_view_over_both_and_reports_both_landings(adopted):
    lines = adopted.beta_lines
    assert (
        "salesforce.opportunity: view over fivetran_acme.opportunity (org acme), "
        "fivetran_beta.opportunity (org beta)" in lines
    )
    # beta lands every opportunity column (Contract_End_Date__c in Salesforce's spelling)
    assert not [line for line in lines if "fivetran_beta.opportunity," in line]
    assert [line for line in lines if "fivetran_beta." in line and "filled" in line] == [
        f"salesforce.deal_group_c.{column}: not in fivetran_beta.deal_group_c, filled with null ({type_})"
        for column, type_ in COLUMNS["deal_group_c"].items()
        if column not in ("id", "deal_group_id_c", "name", "status_c", "system_modstamp")
    ]
    assert "salesforce.deal_group_c: no table fivetran_acme.deal_group_c, so no rows from org acme" in lines
    assert rows(adopted.url, "select org_id, source_schema from platform.salesforce_sources order by 1") == [
        ("acme", "fivetran_acme"),
        ("beta", "fivetran_beta"),
    ]


def test_the_views_hold_only_current_rows_each_with_its_org_and_deletes_kept(adopted):
    assert rows(
        adopted.url,
        "select org_id, id, name, stage_name, is_closed, is_won, is_deleted, amount,"
        " close_date::text, last_opportunity_c, contract_end_date_c::text"
        " from salesforce.opportunity order by org_id, id",
    ) == [
        ("acme", "acme_o1", "First order", "Closed Won", True, True, False, 1200.50, "2024-01-15", None, None),
        ("acme", "acme_o2", "Deleted deal", "Prospecting", False, False, True, 300, "2024-02-01", None, None),
        ("acme", "acme_o3", "Upsell", "Prospecting", False, False, False, 500, "2024-05-01", None, None),
        ("beta", "beta_o1", "First term", "Closed Won", True, True, False, 5000, "2023-06-20", None, "2024-06-30"),
        (
            "beta",
            "beta_o2",
            "Second term",
            "Closed Won",
            True,
            True,
            False,
            5500,
            "2024-06-01",
            "beta_o1",
            "2025-06-30",
        ),
    ]
    assert rows(adopted.url, "select org_id, id, name from salesforce.account order by 1, 2") == [
        ("acme", "acme_acc1", "Acme Widgets"),
        ("beta", "beta_acc1", "Beta Labs"),
    ]
    assert rows(adopted.url, "select org_id, id, deal_group_id_c, account_c from salesforce.deal_group_c") == [
        ("beta", "a0X000000000001", "dg-beta-1", None)
    ]


def test_each_view_has_exactly_the_declared_columns_typed_as_init_db_types_them(adopted):
    for relation, declared in COLUMNS.items():
        columns = rows(
            adopted.url,
            "select attname, format_type(atttypid, atttypmod) from pg_attribute"
            " where attrelid = %s::regclass and attnum > 0 order by attnum",
            [f"salesforce.{relation}"],
        )
        assert [name for name, _ in columns] == ["org_id", *declared]
    types = dict(
        rows(
            adopted.url,
            "select attname, format_type(atttypid, atttypmod) from pg_attribute"
            " where attrelid = 'salesforce.opportunity'::regclass and attnum > 0",
        )
    )
    assert (types["amount"], types["close_date"], types["system_modstamp"], types["is_won"]) == (
        "numeric(18,2)",
        "date",
        "timestamp with time zone",
        "boolean",
    )


def test_init_db_first_leaves_views_and_no_index_of_its_empty_tables(adopted):
    assert [relkind(adopted.url, view) for view in VIEWS] == ["v", "v", "v"]
    assert rows(adopted.url, "select indexname from pg_indexes where schemaname = 'salesforce'") == []


def test_rerunning_adopt_salesforce_or_init_db_changes_nothing(adopted):
    before = snapshot(adopted.url)
    assert adopt_salesforce("fivetran_beta", "beta", adopted.url) == adopted.beta_lines
    database.init_db(adopted.url)
    assert adopt_salesforce("fivetran_beta", "beta", adopted.url) == adopted.beta_lines
    assert snapshot(adopted.url) == before
    assert [relkind(adopted.url, view) for view in VIEWS] == ["v", "v", "v"]


def test_adopt_salesforce_first_then_init_db():
    url = fresh("adopt_sf_order", ACME)
    lines = adopt_salesforce("fivetran_acme", "acme", url)
    assert not [line for line in lines if "init-db" in line]
    database.init_db(url)
    database.init_db(url)
    assert [relkind(url, view) for view in VIEWS] == ["v", "v", "v"]
    assert relkind(url, "app.organization") == "r"
    assert rows(url, "select id from salesforce.opportunity order by 1") == [("acme_o1",), ("acme_o2",), ("acme_o3",)]


def test_a_salesforce_table_holding_rows_is_left_alone_and_named_and_the_other_views_are_made():
    url = fresh("adopt_sf_rows", ACME)
    database.init_db(url)
    execute(url, "insert into salesforce.opportunity (org_id, id) values ('legacy', 'L1')")
    with pytest.raises(AdoptionError) as raised:
        adopt_salesforce("fivetran_acme", "acme", url)
    message = str(raised.value)
    assert "\n" not in message and "salesforce.opportunity (a table holding rows)" in message
    assert "salesforce.opportunity: a table holding rows, left alone" in raised.value.lines
    assert "salesforce.account: view over fivetran_acme.account (org acme)" in raised.value.lines
    assert relkind(url, "salesforce.opportunity") == "r"
    assert rows(url, "select org_id, id from salesforce.opportunity") == [("legacy", "L1")]
    assert (relkind(url, "salesforce.account"), relkind(url, "salesforce.deal_group_c")) == ("v", "v")


@pytest.mark.parametrize(
    "schema, org, ddl, expected",
    [
        ("fivetran_nowhere", "ghost", "", "org ghost: source schema fivetran_nowhere does not exist"),
        (
            "fivetran_accounts_only",
            "gamma",
            "create schema fivetran_accounts_only; create table fivetran_accounts_only.account (id text, name text)",
            "org gamma: schema fivetran_accounts_only has no opportunity table",
        ),
        (
            "fivetran_no_id",
            "delta",
            "create schema fivetran_no_id; create table fivetran_no_id.opportunity (name text)",
            "org delta: fivetran_no_id.opportunity has no id column",
        ),
        (
            "fivetran_json",
            "epsilon",
            "create schema fivetran_json; create table fivetran_json.opportunity (id text, close_date jsonb)",
            "org epsilon: fivetran_json.opportunity.close_date cannot be read as salesforce.opportunity.close_date",
        ),
        ("fivetran_acme", "  ", "", "the org id is empty"),
    ],
)
def test_user_errors_are_one_line_naming_the_org_schema_table_or_column_and_change_nothing(
    adopted, schema, org, ddl, expected
):
    if ddl:
        execute(adopted.url, ddl)
    before = snapshot(adopted.url)
    with pytest.raises(AdoptionError) as raised:
        adopt_salesforce(schema, org, adopted.url)
    assert expected in str(raised.value) and "\n" not in str(raised.value)
    assert rows(adopted.url, "select org_id from platform.salesforce_sources order by 1") == [("acme",), ("beta",)]
    assert snapshot(adopted.url) == before


def test_the_backfill_runs_over_the_views(adopted):
    url = adopted.url
    execute(
        url,
        "insert into app.organization (org_id, name) values ('acme', 'Acme'), ('beta', 'Beta') on conflict do nothing",
    )
    result = run_backfill(url, as_of="2024-06-30")
    assert result.success
    assert rows(
        url,
        "select org_id, input_opportunities, attached, unattached, quarantined, is_balanced"
        " from marts.backfill_reconciliation order by 1",
    ) == [("acme", 3, 1, 2, 0, True), ("beta", 2, 2, 0, 0, True)]
    assert rows(
        url, "select opportunity_id, reason from marts.unattached_opportunities where org_id = 'acme' order by 1"
    ) == [("acme_o2", "DELETED"), ("acme_o3", "AMENDMENT_PRIOR_NOT_FOUND")]
    contracts = rows(
        url,
        "select org_id, head_opportunity_id, contract_type, status, start_date::text,"
        " end_date::text, prior_contract_id is not null"
        " from marts.contracts order by org_id, start_date",
    )
    assert contracts == [
        # Won `New Customer` with no contract dates: the term runs from close_date, 12 months
        ("acme", "acme_o1", "NEW_BUSINESS", "ACTIVE", "2024-01-15", "2025-01-14", False),
        ("beta", "beta_o1", "NEW_BUSINESS", "ACTIVE", "2023-07-01", "2024-06-30", False),
        ("beta", "beta_o2", "RENEWAL", "PENDING", "2024-07-01", "2025-06-30", True),
    ]
    # dbt's staging views now read the salesforce views: adopting again still works
    assert adopt_salesforce("fivetran_beta", "beta", url) == adopted.beta_lines


def test_an_empty_table_other_views_read_is_left_alone_and_they_are_named():
    url = fresh("adopt_sf_dependents", ACME)
    database.init_db(url)
    # what dbt's staging view is, once a build ran over init-db's empty tables
    execute(
        url, "create schema staging; create view staging.stg_opportunities as select id from salesforce.opportunity"
    )
    with pytest.raises(AdoptionError) as raised:
        adopt_salesforce("fivetran_acme", "acme", url)
    assert "salesforce.opportunity (an empty table staging.stg_opportunities depend on)" in str(raised.value)
    assert relkind(url, "salesforce.opportunity") == "r"
