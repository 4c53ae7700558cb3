"""Arrows point down: only staging reads sources; a model reads its own layer or
one below it (intermediate reads staging and intermediate; marts read marts,
intermediate, and staging where a mart needs a source's rows as they are; the
audits read staging and marts, and `marts.audit_findings` unions them);
sensors and checks read marts and `lib/`; no area imports another area's
internals (what they share is in `lib/`). Each test names every crossing it finds."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from dagster_project import settings
from dagster_project.lib.dbt_project import dbt_project

ROOT = settings.PROJECT_ROOT
AREAS = {"backfill", "renewals", "staleness", "demo", "adoption", "audits", "mirror"}
ALLOWED_PARENTS = {
    "staging": {"source", "seed"},
    "intermediate": {"staging", "intermediate", "seed"},
    "marts": {"staging", "intermediate", "marts", "seed", "audits"},
    # the audits read the live tables (through staging) and the computed marts
    "audits": {"staging", "marts", "seed", "audits"},
}


def imports_of(path: Path) -> list[str]:
    """Every module ``path`` imports (absolute imports only: the project uses no others)."""
    tree = ast.parse(path.read_text())
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def python_crossings() -> list[str]:
    crossings = []
    for path in (
        sorted((ROOT / "dagster_project").rglob("*.py"))
        + sorted((ROOT / "sensors").rglob("*.py"))
        + sorted((ROOT / "checks").rglob("*.py"))
    ):
        parts = path.relative_to(ROOT).parts
        area = parts[1] if parts[0] == "dagster_project" and len(parts) > 2 else None
        for module in imports_of(path):
            if not module.startswith("dagster_project."):
                continue
            target = module.split(".")[1]
            where = f"{path.relative_to(ROOT)} imports {module}"
            if parts[0] in ("sensors", "checks") and target in AREAS:
                crossings.append(f"{where}: sensors and checks use lib/, not an area")
            elif area == "lib" and target in AREAS:
                crossings.append(f"{where}: lib/ is below every area")
            elif area in AREAS and target in AREAS and target != area:
                crossings.append(f"{where}: an area uses lib/, not another area")
    return crossings


def test_no_module_imports_across_areas_or_upwards():
    assert python_crossings() == []


def test_every_dbt_model_reads_its_own_layer_or_the_one_below():
    manifest = json.loads(dbt_project().manifest_path.read_text())
    nodes = {**manifest["nodes"], **manifest["sources"]}

    def layer(node: dict) -> str:
        return node["resource_type"] if node["resource_type"] in ("source", "seed") else node["schema"]

    crossings = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["schema"] not in ALLOWED_PARENTS:
            continue
        for parent in node["depends_on"]["nodes"]:
            if layer(nodes[parent]) not in ALLOWED_PARENTS[node["schema"]]:
                crossings.append(
                    f"{node['schema']}.{node['name']} reads {layer(nodes[parent])}.{nodes[parent]['name']}"
                )
    assert crossings == []


def test_sensors_and_checks_read_only_marts_and_sources():
    crossings = []
    for path in sorted((ROOT / "sensors").glob("*.py")) + sorted((ROOT / "checks").glob("*.py")):
        for schema in re.findall(r"\b(staging|intermediate)\.[a-z_]+", path.read_text()):
            crossings.append(f"{path.relative_to(ROOT)} reads the {schema} layer")
    assert crossings == []
