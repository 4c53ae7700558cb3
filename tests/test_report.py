"""The data-quality page of an audit run (issue 22, SPEC §7): an audit run over two orgs of
the audited customer database (tests/audit_fixtures.py) writes one self-contained page
whose every section holds what the database holds for that run; opened in headless
Chromium it shows the summary, the orgs' tables, a trend chart and the rows to fix, asks
the network for nothing, and shows an org name with a script in it as text."""

from __future__ import annotations

import os
import re
from html import unescape

import pytest

from dagster_project.audits.cli import run_audit
from dagster_project.audits.report_page import LATEST, find_report, write_report
from tests.audit_fixtures import execute, rows

ORGS = ["aud_f1", "aud_clean"]
SCRIPT_NAME = "<script>window.__injected = 1</script> Clean & Co"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def report(audited, tmp_path_factory):
    """An audit run over two orgs (after the session's first one, so the trend has two points)."""
    url = audited["url"]
    directory = tmp_path_factory.mktemp("reports")
    previous = os.environ.get("PLATFORM_REPORT_DIR")
    os.environ["PLATFORM_REPORT_DIR"] = str(directory)
    try:
        execute(url, "update app.organization set name = %s where org_id = 'aud_clean'", [SCRIPT_NAME])
        lines, _ = run_audit(ORGS, "never", url=url)
    finally:
        if previous is None:
            os.environ.pop("PLATFORM_REPORT_DIR")
        else:
            os.environ["PLATFORM_REPORT_DIR"] = previous
    run_id = next(line.split()[1] for line in lines if line.startswith("run "))
    path = directory / f"run-{run_id}.html"
    return dict(url=url, run_id=run_id, lines=lines, directory=directory, path=path, html=path.read_text())


def org_section(html: str, org_id: str) -> str:
    """The HTML of one org's section of the page."""
    sections = re.findall(r'<section class="org".*?</section>', html, re.S)
    return next(s for s in sections if f'aria-label="org {org_id}"' in s)


def text(fragment: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)))


def test_the_audit_run_writes_its_page_and_latest_and_says_where(report):
    assert report["path"].exists() and (report["directory"] / LATEST).read_text() == report["html"]
    assert f"data-quality page: {report['path']}" in report["lines"]
    assert find_report(None, report["directory"]) == report["directory"] / LATEST
    assert find_report(report["run_id"][:8], report["directory"]) == report["path"]


def test_the_summary_counts_what_the_history_recorded_for_the_run(report):
    recorded = rows(
        report["url"],
        "select severity, sum(finding_count) as n, sum(new_count) as new, sum(resolved_count) as resolved "
        "from platform.audit_runs where run_id = %s group by severity",
        [report["run_id"]],
    )
    by_severity = {r["severity"]: r for r in recorded}
    summary = text(re.search(r'<section id="summary".*?</section>', report["html"], re.S).group(0))
    assert f"{len(ORGS)} orgs" in summary
    assert f"{by_severity['ERROR']['n']} ERROR findings" in summary
    assert f"{sum(r['new'] for r in recorded)} new since the last run" in summary
    assert f"{sum(r['resolved'] for r in recorded)} resolved since the last run" in summary


def test_an_org_with_an_error_comes_first_with_each_audit_its_trend_and_the_rows_to_fix(report):
    html = report["html"]
    assert html.index('aria-label="org aud_f1"') < html.index('aria-label="org aud_clean"')
    f1 = org_section(html, "aud_f1")
    findings = rows(
        report["url"], "select entity_id from marts.audit_findings where audit_id = 'F1' and org_id = 'aud_f1'"
    )
    assert findings and all(f"<code>{f['entity_id']}</code>" in f1 for f in findings)
    audits = rows(
        report["url"], "select * from platform.audit_runs where run_id = %s and org_id = 'aud_f1'", [report["run_id"]]
    )
    assert f1.count('<svg class="trend"') == len(audits)  # one trend chart per audit
    assert "<polyline" in f1
    (f1_row,) = [a for a in audits if a["audit_id"] == "F1"]
    row = re.search(r"<tr class=\"has-findings\">\s*<td>F1</td>.*?</tr>", f1, re.S).group(0)
    cells = [text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert cells[1] == "ERROR" and cells[2] == str(f1_row["finding_count"])
    assert cells[4] == str(f1_row["new_count"]) and cells[5] == str(f1_row["finding_count"] - f1_row["new_count"])
    (since,) = rows(
        report["url"],
        "select to_char(min(first_seen_at) at time zone 'UTC', 'YYYY-MM-DD HH24:MI') as t "
        "from platform.audit_findings_history where audit_id = 'F1' and org_id = 'aud_f1' and resolved_at is null",
    )
    assert cells[6] == f"{since['t']} UTC"


def test_every_section_holds_what_the_marts_hold_for_the_org(report):
    url = report["url"]
    for org_id in ORGS:
        section = text(org_section(report["html"], org_id))
        (r,) = rows(url, "select * from marts.backfill_reconciliation where org_id = %s", [org_id])
        assert (
            f"{r['input_opportunities']} opportunities in = {r['attached']} attached + {r['unattached']} unattached "
            f"+ {r['quarantined']} quarantined: reconciles" in section
        )
        for reason in rows(
            url,
            "select reason, count(*) as n from marts.unattached_opportunities where org_id = %s group by reason",
            [org_id],
        ):
            assert f"{reason['reason']} {reason['n']}" in section
        for heading in (
            "Unattached opportunities by reason",
            "Quarantined rows by reason",
            "Unmapped CRM type strings",
            "Renewal-seed problems",
            "Walker diff",
        ):
            assert heading in section
    assert "Last blocking checks" in report["html"] and "Staleness problems" in report["html"]


def test_user_data_is_escaped(report):
    assert "<script>window.__injected" not in report["html"]
    assert "&lt;script&gt;window.__injected = 1&lt;/script&gt; Clean &amp; Co" in report["html"]


def test_the_page_fetches_nothing(report):
    html = report["html"]
    assert not re.search(r"<(link|script|img|iframe)\b", html)
    assert not re.search(r"(src|href)=\"(https?:)?//", html) and "@import" not in html and "url(" not in html


def test_a_given_runs_page_is_written_again_from_the_history(report, tmp_path):
    path = write_report(report["url"], report["run_id"][:8], tmp_path)
    assert path.name == f"run-{report['run_id']}.html" and "aud_f1" in path.read_text()
    (first,) = rows(report["url"], "select run_id from platform.audit_runs order by ran_at limit 1")
    write_report(report["url"], first["run_id"], tmp_path)  # an earlier run's page does not become latest
    assert (tmp_path / LATEST).read_text() == path.read_text()


def test_the_page_in_headless_chromium(report, tmp_path):
    """What a person sees: summary, an org's table, a trend chart, a sample row; no request left
    the page; the script in the org name is text. Screenshots at 1280 px and phone width."""
    from playwright.sync_api import sync_playwright

    assert os.path.exists(CHROMIUM), "scripts/test.sh installs Debian's chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(report["path"].as_uri())
        assert page.locator("#summary").is_visible()
        assert page.locator('section[aria-label="org aud_f1"] table.audits').is_visible()
        assert page.locator('section[aria-label="org aud_f1"] svg.trend').first.is_visible()
        assert page.locator('section[aria-label="org aud_f1"] table.sample td').first.is_visible()
        assert page.get_by_text(SCRIPT_NAME).first.is_visible()
        assert page.evaluate("typeof window.__injected") == "undefined"
        page.screenshot(path=str(tmp_path / "report-1280.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        assert page.locator("#summary").is_visible()
        page.screenshot(path=str(tmp_path / "report-phone.png"), full_page=True)
        browser.close()
    assert requests == [report["path"].as_uri()]
    assert (tmp_path / "report-1280.png").stat().st_size > 0


def test_the_report_command_prints_the_latest_page_or_a_given_runs(report, capsys, monkeypatch):
    from dagster_project.cli import main

    monkeypatch.setenv("PLATFORM_REPORT_DIR", str(report["directory"]))
    assert main(["report"]) == 0
    assert capsys.readouterr().out.strip() == str(report["directory"] / LATEST)
    assert main(["report", "--run", report["run_id"][:8]]) == 0
    assert capsys.readouterr().out.strip() == str(report["path"])
    monkeypatch.setenv("PLATFORM_REPORT_DIR", str(report["directory"] / "empty"))
    assert main(["report"]) == 1
    assert "run `platform audit` first" in capsys.readouterr().err
