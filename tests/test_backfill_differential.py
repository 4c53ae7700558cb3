"""The dbt marts and the Python reference of SPEC §3 agree row for row, for
every org of the session: the hand-written scenarios, 240 dense random orgs
(win-back, churn, chained amendments, renewal chains, missing and cross-org
pointers, cycles, duplicates, deletions, unmapped types) and the demo orgs."""

import datetime as dt

import pytest

from dagster_project.backfill.differential import MARTS, mart_differences, reference_backfill
from tests.conftest import AS_OF, CHAOS_ORGS


@pytest.fixture(scope="module")
def reference(source_data):
    return reference_backfill(source_data, dt.date.fromisoformat(AS_OF))


@pytest.mark.parametrize("mart", MARTS)
def test_dbt_mart_equals_the_reference_row_for_row(marts, reference, mart):
    expected = getattr(reference, mart)
    assert expected, f"the reference produced no {mart} rows"
    columns = list(expected[0])
    actual = marts.rows(f"select {', '.join(columns)} from marts.{mart}")
    missing, extra = mart_differences(expected, actual, columns)
    assert not missing and not extra, (
        f"marts.{mart}: {len(missing)} rows only in the reference, e.g. {missing[:3]}; "
        f"{len(extra)} only in dbt, e.g. {extra[:3]}"
    )


def test_the_differential_covers_enough_generated_histories(reference):
    orgs = {r["org_id"] for r in reference.backfill_reconciliation}
    assert sum(org.startswith("chaos_") for org in orgs) == CHAOS_ORGS >= 200
    reasons = {r["reason"] for r in reference.unattached_opportunities}
    quarantine = {r["reason"] for r in reference.quarantined_rows}
    assert reasons == {
        "DELETED",
        "UNMAPPED_TYPE",
        "NO_ACCOUNT",
        "NEW_BUSINESS_OPEN",
        "NEW_BUSINESS_LOST",
        "ACTIVE_CONTRACT_EXISTS",
        "AMENDMENT_PRIOR_NOT_FOUND",
        "RENEWAL_PRIOR_NOT_FOUND",
        "RENEWAL_LOST",
        "RENEWAL_SUCCESSOR_EXISTS",
    }
    assert quarantine == {
        "NULL_ID",
        "DUPLICATE_ID",
        "NULL_CLOSE_DATE",
        "POINTER_CYCLE",
        "MISSING_REFERENCE",
        "IN_MULTIPLE_DEAL_GROUPS",
        "LEGACY_TYPE_CONFLICT",
        "EMPTY_DEAL_GROUP",
        "LEGACY_DUPLICATE_SUCCESSOR",
    }
    statuses = {r["status"] for r in reference.contracts}
    assert statuses == {"PENDING", "ACTIVE", "CLOSED", "ARCHIVED"}
    assert any(r["engagement_sequence"] >= 3 for r in reference.contracts)
