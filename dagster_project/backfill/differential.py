"""The differential comparison: the dbt marts against the Python reference of SPEC §3.

Used by the test suite (``tests/test_backfill_differential.py``, on the session's
orgs) and by ``bench/differential_soak.py`` (on as many generated orgs as asked).
Rows are compared as bags: the same rows, each as many times, in any order.
"""

from __future__ import annotations

import collections
import csv
import datetime as dt

from dagster_project import settings
from dagster_project.backfill.reference import BackfillResult, compute_backfill
from dagster_project.lib.source_rows import Dataset

# the marts the reference computes, with the same names and columns
MARTS = (
    "opportunity_types",
    "accounts",
    "engagements",
    "contracts",
    "contract_memberships",
    "unattached_opportunities",
    "quarantined_rows",
    "backfill_reconciliation",
    "unmapped_crm_types",
)


def seed_rows(name: str) -> list[dict]:
    """The rows of a dbt seed (the configuration the dbt models read), as strings."""
    with open(settings.DBT_PROJECT_DIR / "seeds" / f"{name}.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def reference_backfill(data: Dataset, as_of: dt.date) -> BackfillResult:
    """The reference's result for ``data``, with the seeds the dbt models use."""
    return compute_backfill(
        data.opportunities,
        data.deal_groups,
        data.memberships,
        data.crm_accounts,
        seed_rows("crm_type_mapping"),
        seed_rows("org_settings"),
        as_of,
        data.organizations,
    )


def mart_differences(expected: list[dict], actual: list[dict], columns: list[str]) -> tuple[list, list]:
    """(rows only in ``expected``, rows only in ``actual``), over ``columns``, counted as bags."""

    def bag(rows):
        return collections.Counter(tuple(row[c] for c in columns) for row in rows)

    missing, extra = bag(expected) - bag(actual), bag(actual) - bag(expected)
    return list(missing.elements()), list(extra.elements())
