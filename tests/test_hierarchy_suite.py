"""The Great Expectations suite of the hierarchy: each invariant it enforces fails on its
own kind of broken engagement, and the failure names the org and the engagement.
(tests/test_backfill_apply.py corrupts the real marts and sees the blocking check fail.)"""

import pandas as pd
import pytest

from checks.hierarchy_suite import ENGAGEMENT_COLUMNS, validate_hierarchy

# org, engagement, active, contracts, with a sequence, distinct sequences, min, max
SOUND = ("org_a", "E-sound", 1, 3, 3, 3, 1, 3)


@pytest.mark.parametrize(
    "broken, expectation, column",
    [
        (("org_b", "E-two-active", 2, 2, 2, 2, 1, 2), "expect_column_values_to_be_between", "active_contracts"),
        (
            ("org_b", "E-null-sequence", 1, 2, 1, 1, 1, 1),
            "expect_column_pair_values_to_be_equal",
            "sequenced_contracts",
        ),
        (("org_b", "E-duplicate", 1, 3, 3, 2, 1, 2), "expect_column_pair_values_to_be_equal", "distinct_sequences"),
        (("org_b", "E-starts-at-0", 1, 2, 2, 2, 0, 1), "expect_column_values_to_be_between", "min_sequence"),
        (("org_b", "E-gap", 1, 2, 2, 2, 1, 3), "expect_column_pair_values_to_be_equal", "max_sequence"),
    ],
)
def test_each_broken_invariant_fails_and_names_the_engagement(broken, expectation, column):
    result = validate_hierarchy(pd.DataFrame([SOUND, broken], columns=ENGAGEMENT_COLUMNS))
    assert not result.passed
    failure = next(
        f
        for f in result.failures
        if f["expectation"] == expectation and column in (f["kwargs"].get("column"), f["kwargs"].get("column_A"))
    )
    assert failure["unexpected_count"] == 1
    assert failure["examples"] == [f"org org_b, engagement {broken[1]}"]


def test_a_sound_hierarchy_passes_and_counts_what_it_checked():
    result = validate_hierarchy(pd.DataFrame([SOUND, ("org_a", "E-one", 1, 1, 1, 1, 1, 1)], columns=ENGAGEMENT_COLUMNS))
    assert result.passed and result.failures == []
    assert (result.contracts_checked, result.engagements_checked) == (4, 2)


def test_no_engagement_to_check_passes():
    result = validate_hierarchy(pd.DataFrame([], columns=ENGAGEMENT_COLUMNS))
    assert result.passed and (result.contracts_checked, result.engagements_checked) == (0, 0)
