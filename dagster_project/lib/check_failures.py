"""One line per failed blocking check of a run: which check, on which relation,
how many rows, in which orgs, and which relation lists them.

dbt keeps every test's failing rows in ``test_failures.<test name>``
(``store_failures`` in dbt_project.yml); the Great Expectations check keeps its
offending engagements in its metadata. Both are read here, after the run.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from dagster_project.lib import database

FAILURES_SCHEMA = "test_failures"


def describe_failed_checks(result, url: str | None = None) -> list[str]:
    """One line per failed check of a Dagster run result (``execute_in_process`` / ``materialize``)."""
    lines = []
    for evaluation in result.get_asset_check_evaluations():
        if evaluation.passed:
            continue
        metadata = {key: getattr(value, "value", value) for key, value in evaluation.metadata.items()}
        where = evaluation.asset_key.to_user_string().replace("/", ".")
        line = f"blocking check {evaluation.check_name} on {where} failed"
        failed_rows = metadata.get("dagster_dbt/failed_row_count")
        if failed_rows is not None:
            line += f": {failed_rows} rows" + _orgs_and_relation(evaluation.check_name, url)
        elif metadata.get("failures"):
            line += ": " + "; ".join(_expectation(f) for f in metadata["failures"]) + f" (rows in {where})"
        lines.append(line)
    return lines


def _expectation(failure: dict) -> str:
    examples = ", ".join(failure.get("examples") or [])
    return f"{failure.get('expectation')} on {failure.get('unexpected_count')} engagements" + (
        f" ({examples})" if examples else ""
    )


def _orgs_and_relation(test_name: str, url: str | None) -> str:
    """`` in orgs a (2), b (1); listed in test_failures.<name>``, as far as the relation tells."""
    relation = sql.Identifier(FAILURES_SCHEMA, test_name)
    try:
        with database.connect(url) as conn:
            if conn.execute("select to_regclass(%s)", [f'{FAILURES_SCHEMA}."{test_name}"']).fetchone()[0] is None:
                return ""
            has_org = conn.execute(
                "select 1 from information_schema.columns where table_schema = %s and table_name = %s"
                " and column_name = 'org_id'",
                [FAILURES_SCHEMA, test_name],
            ).fetchone()
            if has_org:
                orgs = conn.execute(
                    sql.SQL("select org_id, count(*) from {} group by 1 order by 2 desc, 1 limit 5").format(relation)
                ).fetchall()
                found = " in orgs " + ", ".join(f"{org} ({count})" for org, count in orgs) if orgs else ""
            else:  # a generic test's own columns (unique: unique_field, n_records): the first rows
                cursor = conn.execute(sql.SQL("select * from {} limit 3").format(relation))
                names = [column.name for column in cursor.description]
                rows = ["; ".join(f"{n}={v}" for n, v in zip(names, row, strict=False)) for row in cursor.fetchall()]
                found = f" ({' | '.join(rows)})" if rows else ""
    except (psycopg.Error, database.DatabaseUnavailable):
        return ""
    return f"{found}; listed in {FAILURES_SCHEMA}.{test_name}"
