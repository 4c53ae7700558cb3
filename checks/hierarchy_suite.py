"""Great Expectations suite over the computed hierarchy (marts.contracts):
one ACTIVE contract per engagement at most, and engagement sequences present,
unique and 1..n with no gaps (SPEC §3 invariants 1 and 2), validated on each
engagement's shape (its counts and sequence range, aggregated in SQL).

GX runs in an ephemeral, in-memory context with analytics off: nothing is
written to disk and nothing calls out. It is imported where the suite runs, not
with this module: importing it takes ~3.5 s, which every CLI command and every
load of the code location would pay otherwise (docs/benchmarks.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dagster_project.lib import database

ENGAGEMENT_COLUMNS = [
    "org_id",
    "engagement_id",
    "active_contracts",
    "contract_count",
    "sequenced_contracts",
    "distinct_sequences",
    "min_sequence",
    "max_sequence",
]


@dataclass
class SuiteResult:
    passed: bool
    failures: list[dict]
    contracts_checked: int
    engagements_checked: int


def engagement_expectations() -> list:
    """Per engagement: at most one ACTIVE contract; every contract has a sequence, no two
    share one, and they run 1..n (the smallest is 1 and the largest is the count)."""
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToBeBetween(column="active_contracts", max_value=1),
        gxe.ExpectColumnPairValuesToBeEqual(column_A="sequenced_contracts", column_B="contract_count"),
        gxe.ExpectColumnPairValuesToBeEqual(column_A="distinct_sequences", column_B="contract_count"),
        gxe.ExpectColumnValuesToBeBetween(column="min_sequence", min_value=1, max_value=1),
        gxe.ExpectColumnPairValuesToBeEqual(column_A="max_sequence", column_B="contract_count"),
    ]


def read_engagement_shape(url: str | None = None, orgs: list[str] | None = None) -> pd.DataFrame:
    """Per engagement of marts.contracts, over the orgs an apply would write (decision D9) or
    over ``orgs``: its ACTIVE contracts, contracts, contracts with a sequence, distinct
    sequences and their range. One aggregate in the database (~270 k engagement rows for
    415 k contracts in the benchmark) rather than every contract read into pandas (D45)."""
    with database.connect(url) as conn:
        rows = conn.execute(
            """
            select org_id, engagement_id,
                count(*) filter (where status = 'ACTIVE'), count(*), count(engagement_sequence),
                count(distinct engagement_sequence), min(engagement_sequence), max(engagement_sequence)
            from marts.contracts
            where org_is_applied and (%(orgs)s::text[] is null or org_id = any(%(orgs)s::text[]))
            group by org_id, engagement_id
        """,
            {"orgs": orgs},
        ).fetchall()
    return pd.DataFrame(rows, columns=ENGAGEMENT_COLUMNS)


def validate_hierarchy(engagements: pd.DataFrame) -> SuiteResult:
    """Run the suite over an engagement-shape frame (columns ``ENGAGEMENT_COLUMNS``)."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    context = gx.get_context(
        mode="ephemeral",
        project_config=DataContextConfig(
            analytics_enabled=False,
            progress_bars=ProgressBarsConfig(globally=False),
            store_backend_defaults=InMemoryStoreBackendDefaults(),
        ),
    )
    failures = []
    if not engagements.empty:
        batch = (
            context.data_sources.add_pandas("computed_hierarchy")
            .add_dataframe_asset(name="engagements")
            .add_batch_definition_whole_dataframe("all")
            .get_batch(batch_parameters={"dataframe": engagements})
        )
        suite = gx.ExpectationSuite(name="engagement_invariants", expectations=engagement_expectations())
        result_format = {"result_format": "SUMMARY", "unexpected_index_column_names": ["org_id", "engagement_id"]}
        for result in batch.validate(suite, result_format=result_format).results:
            if not result.success:
                failures.append(
                    {
                        "table": "marts.contracts, per engagement",
                        "expectation": result.expectation_config.type,
                        "kwargs": {k: v for k, v in result.expectation_config.kwargs.items() if k != "batch_id"},
                        "unexpected_count": result.result.get("unexpected_count"),
                        "examples": [
                            f"org {row['org_id']}, engagement {row['engagement_id']}"
                            for row in (result.result.get("partial_unexpected_index_list") or [])[:5]
                        ],
                    }
                )
    contracts = int(engagements["contract_count"].sum()) if not engagements.empty else 0
    return SuiteResult(not failures, failures, contracts, len(engagements))
