"""The jobs' names and the run config of each, in one place: areas define the jobs,
sensors, schedules and the CLI ask for runs of them (by name, never by importing an
area). Op names are the assets' step names as Dagster shows them."""

from __future__ import annotations

# a CLI run's console logger: warnings only (the command prints what matters; dbt's output goes to a log)
CONSOLE_WARNINGS_ONLY = {"console": {"config": {"log_level": "WARNING"}}}

BACKFILL_JOB = "hierarchy_backfill"
RENEWAL_JOB = "renewal_pipeline"
STALENESS_JOB = "agreement_staleness"
AUDITS_JOB = "audits"

HIERARCHY_MODELS_OP = "hierarchy_models"
ENGAGEMENT_HIERARCHY_OP = "app__engagement_hierarchy"
RENEWAL_MODELS_OP = "renewal_models"
RENEWAL_SCAFFOLDING_OP = "app__renewal_scaffolding"


def backfill_run_config(as_of: str | None = None, *, apply: bool = False) -> dict:
    """One hierarchy backfill run (its orgs are its partitions); a dry run unless ``apply``."""
    return {
        "ops": {
            HIERARCHY_MODELS_OP: {"config": {"as_of": as_of}},
            ENGAGEMENT_HIERARCHY_OP: {"config": {"apply": apply}},
        }
    }


def renewal_run_config(as_of: str | None = None, *, apply: bool = True, contracts: list[str] | None = None) -> dict:
    """One renewal pipeline run (its orgs are its partitions): both applies write, or neither
    (``apply: false``, a dry run); ``contracts`` are the ones the triggering change touched."""
    models = {"config": {"as_of": as_of}}
    return {
        "ops": {
            HIERARCHY_MODELS_OP: models,
            RENEWAL_MODELS_OP: models,
            ENGAGEMENT_HIERARCHY_OP: {"config": {"apply": apply}},
            RENEWAL_SCAFFOLDING_OP: {"config": {"contracts": contracts or [], "apply": apply}},
        }
    }


MIRROR_JOB = "salesforce_mirror"
MIRROR_MODELS_OP = "mirror_models"
MIRROR_PUSH_OP = "salesforce__deal_group_mirror"


def mirror_run_config(*, push: bool = False) -> dict:
    """One Salesforce mirror run (its orgs are its partitions): the plan only, unless ``push``."""
    return {"ops": {MIRROR_PUSH_OP: {"config": {"push": push}}}}
