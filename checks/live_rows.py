"""Reading the rows a blocking check on live application data objects to."""

from __future__ import annotations

from dagster import AssetCheckResult, AssetCheckSeverity, MetadataValue

from dagster_project.lib import database


def offending_rows(url: str, sql: str, limit: int = 20) -> tuple[int, list[list[str]]]:
    """How many rows ``sql`` returns, and the first ``limit`` of them as text."""
    with database.connect(url) as conn:
        rows = conn.execute(sql).fetchall()
    return len(rows), [[str(value) for value in row] for row in rows[:limit]]


def no_rows_check(url: str, sql: str, count_label: str) -> AssetCheckResult:
    """Passes when ``sql`` returns nothing; the count and a sample go in the metadata."""
    count, sample = offending_rows(url, sql)
    return AssetCheckResult(
        passed=count == 0,
        severity=AssetCheckSeverity.ERROR,
        metadata={count_label: count, "sample": MetadataValue.json(sample)},
    )
