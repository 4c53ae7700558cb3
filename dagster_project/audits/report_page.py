"""The data-quality page of an audit run (SPEC §7, D70): one self-contained HTML file,
rendered by Jinja2 from ``templates/`` with autoescaping on (org names, CRM strings and
finding details are user data), CSS and trend charts (inline SVG) inside the file, so
nothing is fetched when it is opened. Each run writes ``run-<run id>.html`` and copies it
to ``latest.html`` in ``settings.report_dir()``."""

from __future__ import annotations

import shutil
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from dagster_project import settings
from dagster_project.audits.report_data import ReportData, gather

LATEST = "latest.html"
CHART_WIDTH, CHART_HEIGHT = 120, 28


def trend_chart(counts: list[int | None]) -> dict:
    """The points of an audit's trend chart: one per run (None where it did not run), scaled
    to the chart's box, the newest on the right; the template draws them as an SVG polyline."""
    known = [c for c in counts if c is not None]
    top = max(known, default=0) or 1
    step = CHART_WIDTH / max(len(counts) - 1, 1)
    points = [
        (round(i * step, 1), round(CHART_HEIGHT - 2 - (c / top) * (CHART_HEIGHT - 4), 1))
        for i, c in enumerate(counts)
        if c is not None
    ]
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "polyline": " ".join(f"{x},{y}" for x, y in points),
        "last": points[-1] if points else None,
        "top": max(known, default=0),
    }


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("dagster_project.audits", "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals["trend_chart"] = trend_chart
    environment.filters["when"] = lambda value: value.strftime("%Y-%m-%d %H:%M UTC") if value else ""
    return environment


def render_page(data: ReportData) -> str:
    """The page of one audit run, as a string."""
    return _environment().get_template("report.html.j2").render(report=data)


def report_path(run_id: str, directory: Path | None = None) -> Path:
    return (directory or settings.report_dir()) / f"run-{run_id}.html"


def write_report(url: str, run_id: str, directory: Path | None = None) -> Path:
    """Write the page of audit run ``run_id`` (or the one run whose id starts so), also as
    ``latest.html`` when no later run is recorded; returns its path."""
    directory = directory or settings.report_dir()
    directory.mkdir(parents=True, exist_ok=True)
    data = gather(url, run_id)  # resolves a run id's first characters
    path = report_path(data.run_id, directory)
    path.write_text(render_page(data), encoding="utf-8")
    if data.is_latest:
        shutil.copyfile(path, directory / LATEST)
    return path


def find_report(run_id: str | None, directory: Path | None = None) -> Path | None:
    """The page of ``run_id`` (a run id or its first characters), or ``latest.html``."""
    directory = directory or settings.report_dir()
    if run_id is None:
        latest = directory / LATEST
        return latest if latest.exists() else None
    matches = sorted(directory.glob(f"run-{run_id}*.html"))
    return matches[0] if len(matches) == 1 else None
