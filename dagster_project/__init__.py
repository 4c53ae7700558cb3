"""Contract & agreement data platform: the Dagster code location."""
