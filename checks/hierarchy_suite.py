"""Great Expectations suite over the computed hierarchy (marts.contracts):
one ACTIVE contract per engagement at most, and engagement sequences unique
and 1..n with no gaps (SPEC §3 invariants 1 and 2).

GX runs in an ephemeral, in-memory context with analytics off: nothing is
written to disk and nothing calls out.
"""

from __future__ import annotations

from dataclasses import dataclass

import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)

from dagster_project.lib import database

CONTRACT_COLUMNS = ["org_id", "engagement_id", "contract_id", "engagement_sequence", "status"]


@dataclass
class SuiteResult:
    passed: bool
    failures: list[dict]
    contracts_checked: int
    engagements_checked: int


def contract_expectations() -> list:
    return [
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["org_id", "engagement_id", "engagement_sequence"]),
        gxe.ExpectColumnValuesToNotBeNull(column="engagement_sequence"),
        gxe.ExpectColumnValuesToBeBetween(column="engagement_sequence", min_value=1),
    ]


def engagement_expectations() -> list:
    return [
        gxe.ExpectColumnValuesToBeBetween(column="active_contracts", max_value=1),
        gxe.ExpectColumnValuesToBeBetween(column="min_sequence", min_value=1, max_value=1),
        gxe.ExpectColumnPairValuesToBeEqual(column_A="max_sequence", column_B="contract_count"),
        gxe.ExpectColumnPairValuesToBeEqual(column_A="distinct_sequences", column_B="contract_count"),
    ]


def engagement_shape(contracts: pd.DataFrame) -> pd.DataFrame:
    """Per engagement: ACTIVE contracts, contracts, and its sequence range."""
    if contracts.empty:
        return pd.DataFrame(columns=["org_id", "engagement_id", "active_contracts", "contract_count",
                                     "distinct_sequences", "min_sequence", "max_sequence"])
    grouped = contracts.assign(is_active=contracts["status"].eq("ACTIVE")).groupby(
        ["org_id", "engagement_id"], dropna=False)
    return grouped.agg(
        active_contracts=("is_active", "sum"),
        contract_count=("contract_id", "size"),
        distinct_sequences=("engagement_sequence", "nunique"),
        min_sequence=("engagement_sequence", "min"),
        max_sequence=("engagement_sequence", "max"),
    ).reset_index()


def read_contracts(url: str | None = None, orgs: list[str] | None = None) -> pd.DataFrame:
    """The contracts of the orgs an apply would write (decision D9), or of those of ``orgs``."""
    with database.connect(url) as conn:
        rows = conn.execute(
            f"select {', '.join(CONTRACT_COLUMNS)} from marts.contracts "
            "where org_is_applied and (%(orgs)s::text[] is null or org_id = any(%(orgs)s::text[]))",
            {"orgs": orgs}).fetchall()
    return pd.DataFrame(rows, columns=CONTRACT_COLUMNS)


def validate_hierarchy(contracts: pd.DataFrame) -> SuiteResult:
    """Run the suite over a contracts frame (columns ``CONTRACT_COLUMNS``)."""
    context = gx.get_context(mode="ephemeral", project_config=DataContextConfig(
        analytics_enabled=False, progress_bars=ProgressBarsConfig(globally=False),
        store_backend_defaults=InMemoryStoreBackendDefaults()))
    source = context.data_sources.add_pandas("computed_hierarchy")
    engagements = engagement_shape(contracts)
    failures = []
    for name, frame, expectations in (("contracts", contracts, contract_expectations()),
                                      ("engagements", engagements, engagement_expectations())):
        batch = source.add_dataframe_asset(name=name).add_batch_definition_whole_dataframe("all").get_batch(
            batch_parameters={"dataframe": frame})
        suite = gx.ExpectationSuite(name=f"{name}_invariants", expectations=expectations)
        for result in batch.validate(suite, result_format="SUMMARY").results:
            if not result.success:
                failures.append({
                    "table": f"marts.{name}",
                    "expectation": result.expectation_config.type,
                    "kwargs": {k: v for k, v in result.expectation_config.kwargs.items() if k != "batch_id"},
                    "unexpected_count": result.result.get("unexpected_count"),
                    "examples": [str(v) for v in (result.result.get("partial_unexpected_list") or [])[:5]],
                })
    return SuiteResult(not failures, failures, len(contracts), len(engagements))
