"""The one dbt project of the platform, its manifest, and how its nodes look in Dagster."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any, Mapping

from dagster import AssetKey
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject

from dagster_project import settings

LAYER_GROUPS = {"staging": "staging", "intermediate": "intermediate", "marts": "marts", "config": "config"}


@cache
def dbt_project() -> DbtProject:
    """The dbt project, with its manifest parsed once: here when it is missing,
    and at every start of `dagster dev` so model edits show up. (DbtProject's
    own prepare_if_dev() runs a `dbt` found on PATH, which the venv may not put
    there; parse_manifest() uses the venv's.)"""
    project = DbtProject(project_dir=settings.DBT_PROJECT_DIR, profiles_dir=settings.DBT_PROJECT_DIR)
    if os.environ.get("DAGSTER_IS_DEV_CLI") or not project.manifest_path.exists():
        parse_manifest()
    return project


def parse_manifest(url: str | None = None) -> None:
    """``dbt parse``: writes target/manifest.json, which the code location needs at import,
    and target/partial_parse.msgpack, which every dbt run of the code location starts from.
    It parses against the database the runs use (``url``, default the platform's): dbt
    re-parses the whole project (~5 s per invocation) when the connection it was parsed
    with differs from the run's."""
    from dagster_project.lib import database

    subprocess.run(
        [settings.dbt_executable(), "parse", "--quiet", "--profiles-dir", str(settings.DBT_PROJECT_DIR)],
        cwd=settings.DBT_PROJECT_DIR,
        env={**os.environ, **database.dbt_environment(url or database.database_url())},
        check=True,
    )


RUN_TARGETS_KEPT = 20


def stream_dbt(context, dbt: DbtCliResource, args: Sequence[str]) -> Iterator:
    """``dbt <args>`` for a dbt asset's step, its events streamed to Dagster; afterwards the
    older per-run target directories of that step are pruned."""
    try:
        yield from dbt.cli(list(args), context=context).stream()
    finally:
        prune_run_targets(context.op_execution_context.op.name)


def prune_run_targets(op_name: str, keep: int = RUN_TARGETS_KEPT) -> None:
    """dagster-dbt gives every run's dbt step a target directory of its own
    (``target/<op>-<run>-<hash>``: manifest, compiled SQL, logs, ~8 MB) and never removes
    it; a sensor running every few minutes fills a disk. The newest ``keep`` per op stay
    for debugging (a failed run's compiled SQL); Dagster keeps each run's logs anyway."""
    target = settings.DBT_PROJECT_DIR / os.environ.get("DBT_TARGET_PATH", "target")
    runs = sorted((path for path in target.glob(f"{op_name}-*") if path.is_dir()),
                  key=lambda path: path.stat().st_mtime, reverse=True)
    for old in runs[keep:]:
        shutil.rmtree(old, ignore_errors=True)


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project(), dbt_executable=settings.dbt_executable())


def _layer(props: Mapping[str, Any]) -> str | None:
    """The schema a node builds into (staging / intermediate / marts / config)."""
    return props.get("schema") if props.get("resource_type") in ("model", "seed") else None


class PlatformTranslator(DagsterDbtTranslator):
    """Asset keys are ``[schema, relation]`` — ``marts/contracts``, ``salesforce/opportunity`` —
    so what the UI shows is where the table lives; groups are the dbt layers."""

    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        layer = _layer(dbt_resource_props)
        if layer:
            return AssetKey([layer, dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        layer = _layer(dbt_resource_props)
        return LAYER_GROUPS.get(layer or "", "sources" if dbt_resource_props["resource_type"] == "source" else None)
