"""The one dbt project of the platform, its manifest, and how its nodes look in Dagster."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from dagster import AssetKey
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject

from dagster_project import settings

# dbt tag → the capability group its models show under in the UI
CAPABILITY_GROUPS = {"renewal": "renewals", "staleness": "staleness", "mirror": "mirror"}


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
    re-parses the whole project (~2.5–5 s per invocation) when the connection it was parsed
    with differs from the run's. The state is also kept as that database's parse state
    (``parse_state_path``), where every dbt step of the code location starts from."""
    from dagster_project.lib import database

    _dbt_parse(database.dbt_environment(url or database.database_url()))


def prepare_parse_state(url: str) -> None:
    """Parse the project for ``url``'s database into that database's parse state (see
    ``parse_state_path``), leaving target/manifest.json as it is: the first dbt run against
    that database then starts warm, as every later one does."""
    from dagster_project.lib import database

    with tempfile.TemporaryDirectory() as scratch:
        _dbt_parse(database.dbt_environment(url), Path(scratch))


def _dbt_parse(environment: Mapping[str, str], target: Path | None = None) -> None:
    """``dbt parse`` against the database of ``environment`` (its ``DBT_PG_*`` settings), into
    ``target`` (default dbt's target directory); its state is kept as that database's."""
    into = {"DBT_TARGET_PATH": str(target), "DBT_LOG_PATH": str(target)} if target else {}
    subprocess.run(
        [settings.dbt_executable(), "parse", "--quiet", "--profiles-dir", str(settings.DBT_PROJECT_DIR)],
        cwd=settings.DBT_PROJECT_DIR,
        env={**os.environ, **environment, **into},
        check=True,
    )
    keep_parse_state((target or target_dir()) / PARTIAL_PARSE_FILE, parse_state_path(environment))


RUN_TARGETS_KEPT = 20


def stream_dbt(context, dbt: DbtCliResource, args: Sequence[str]) -> Iterator:
    """``dbt <args>`` for a dbt asset's step, its events streamed to Dagster. The run starts
    from the parse state dbt last left for the same database (see ``parse_state_path``);
    afterwards the older per-run target directories of that step are pruned."""
    op_name = context.op_execution_context.op.name
    target = target_dir() / f"{op_name}-{context.run.run_id[:7]}-{uuid.uuid4().hex[:7]}"
    state = parse_state_path()
    if state.exists():
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(state, target / PARTIAL_PARSE_FILE)
    try:
        yield from dbt.cli(list(args), context=context, target_path=target).stream()
    finally:
        keep_parse_state(target / PARTIAL_PARSE_FILE, state)
        prune_run_targets(op_name)


PARTIAL_PARSE_FILE = "partial_parse.msgpack"


def target_dir() -> Path:
    """dbt's target directory, as dagster-dbt resolves it (DBT_TARGET_PATH, default target/)."""
    return settings.DBT_PROJECT_DIR / os.environ.get("DBT_TARGET_PATH", "target")


def parse_state_path(environment: Mapping[str, str] | None = None) -> Path:
    """Where dbt's partial-parse state for a database is kept: the one of ``environment``'s
    ``DBT_PG_*`` settings, by default this process's (those its dbt runs use).

    dbt re-parses the whole project (~2.5 s of every run) when the connection (host, port,
    user, database) differs from the one its saved state was parsed with, and dagster-dbt
    starts every run from ``target/partial_parse.msgpack``, parsed for the platform's default
    database. So each database gets its own copy, named by a hash of those settings (never the
    password). dbt still checks the state itself and re-parses whatever changed."""
    environment = os.environ if environment is None else environment
    connection = "|".join(
        environment.get(name, "") for name in ("DBT_PG_HOST", "DBT_PG_PORT", "DBT_PG_USER", "DBT_PG_DBNAME")
    )
    key = hashlib.sha256(connection.encode()).hexdigest()[:16]
    return target_dir() / "parse_state" / f"{key}.msgpack"


def keep_parse_state(produced: Path, state: Path) -> None:
    """Keep the state a run left as its database's next starting point (an atomic replace,
    so runs side by side never read half a file)."""
    if not produced.exists():
        return
    state.parent.mkdir(parents=True, exist_ok=True)
    partial = state.with_name(f"{state.name}.{uuid.uuid4().hex[:7]}")
    shutil.copyfile(produced, partial)
    os.replace(partial, state)


def prune_run_targets(op_name: str, keep: int = RUN_TARGETS_KEPT) -> None:
    """dagster-dbt gives every run's dbt step a target directory of its own
    (``target/<op>-<run>-<hash>``: manifest, compiled SQL, logs, ~8 MB) and never removes
    it; a sensor running every few minutes fills a disk. The newest ``keep`` per op stay
    for debugging (a failed run's compiled SQL); Dagster keeps each run's logs anyway."""
    runs = sorted(
        (path for path in target_dir().glob(f"{op_name}-*") if path.is_dir()),
        key=lambda path: path.stat().st_mtime,
        reverse=True,
    )
    for old in runs[keep:]:
        shutil.rmtree(old, ignore_errors=True)


def dbt_resource() -> DbtCliResource:
    """dagster-dbt's resource, running dbt as ``platform-dbt`` (lib/dbt_entry.py)."""
    return DbtCliResource(project_dir=dbt_project(), dbt_executable=settings.dbt_executable("platform-dbt"))


def _layer(props: Mapping[str, Any]) -> str | None:
    """The schema a node builds into (staging / intermediate / marts / config): its asset key's first part."""
    return props.get("schema") if props.get("resource_type") in ("model", "seed") else None


class PlatformTranslator(DagsterDbtTranslator):
    """Asset keys are ``[schema, relation]`` — ``marts/contracts``, ``salesforce/opportunity`` —
    so what the UI shows is where the table lives; groups are the capabilities (a model's dbt tag:
    ``renewal``, ``staleness``; the rest is the backfill's), as the apply assets beside them."""

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
        if dbt_resource_props["resource_type"] == "source":
            return "sources"
        tags = dbt_resource_props.get("tags") or []
        return next((group for tag, group in CAPABILITY_GROUPS.items() if tag in tags), "backfill")
