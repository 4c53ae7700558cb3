"""Salesforce mirror benchmark (issue 23).

    .venv/bin/python bench/mirror.py [--contracts 250000] [--orgs 1] [--differ 0.01]

In a fresh database `bench_mirror` on the embedded PostgreSQL (or the server of DATABASE_URL):
``--contracts`` contracts over ``--orgs`` writeback-enabled orgs (legacy deal groups of one
opportunity; every fifth a renewal continuing the one before it, so priors and lookups exist),
computed by the hierarchy backfill (a dry run). Salesforce already mirrors them
(`salesforce.deal_group_c` filled from the payload), except ``--differ`` of them whose
`Group_End_Date__c` is a day off. Then, through the `salesforce_mirror` job:

1. the plan (a dry run): its dbt step and the two models' own SQL time (limit ≤ 10 s), and the
   UPDATE count;
2. the push to a local HTTPS Salesforce (tests/salesforce_server.py): requests sent against
   ⌈changed / 200⌉ per org (one org's records never share a request with another's), the push
   step's seconds and records per second;
3. a re-run: 0 requests.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import ssl
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import trustme  # noqa: E402
from pytest_httpserver import HTTPServer  # noqa: E402

from bench.backfill import dbt_model_seconds  # noqa: E402
from bench.jobs import execute, materialization_metadata, step_seconds  # noqa: E402
from dagster_project.demo.generate import Dataset, opportunity, organization, won  # noqa: E402
from dagster_project.demo.load import load_dataset  # noqa: E402
from dagster_project.lib import database  # noqa: E402
from dagster_project.lib.dbt_project import prepare_parse_state  # noqa: E402
from dagster_project.lib.jobs import BACKFILL_JOB, MIRROR_JOB, backfill_run_config, mirror_run_config  # noqa: E402
from tests.salesforce_server import FakeSalesforce  # noqa: E402

PLAN_LIMIT_SECONDS = 10.0
TOKEN = "bench-token"


def bench_dataset(contracts: int, orgs: int) -> Dataset:
    """``contracts`` one-opportunity legacy deal groups; every fifth a renewal of the one before."""
    data = Dataset()
    per_org = contracts // orgs
    for k in range(orgs):
        org_id = f"mirror_{k:02d}"
        data.organizations.append(organization(org_id, model=True, chain=True, writeback=True))
        for n in range(per_org):
            account = f"acc{n // 5}"
            renewal = n % 5 == 4
            year = 2021 + (n % 5)
            data.opportunities.append(
                opportunity(
                    org_id,
                    f"o{n}",
                    account_id=account,
                    type="Renewal" if renewal else "New Business",
                    close_date=f"{year}-01-10",
                    contract_start_date_c=f"{year}-02-01",
                    contract_end_date_c=f"{year + 1}-01-31",
                    last_opportunity_c=f"o{n - 1}" if renewal else None,
                    name=f"opportunity {n}",
                    **won(),
                )
            )
            data.deal_groups.append(dict(org_id=org_id, id=f"{org_id}:G{n}", name=f"Group {n}", crm_account_id=account))
            data.memberships.append(
                dict(org_id=org_id, deal_group_id=f"{org_id}:G{n}", opportunity_id=f"o{n}", sequence=1)
            )
    return data


def mirror_in_salesforce(url: str, differ: float) -> list[dict]:
    """salesforce.deal_group_c as the sync would land a complete mirror, ``differ`` of it a day
    off in Group_End_Date__c; returns those records (what the local Salesforce holds for them)."""
    with database.connect(url) as conn:
        conn.execute("delete from salesforce.deal_group_c")
        conn.execute(
            """
            insert into salesforce.deal_group_c (org_id, id, deal_group_id_c, name, account_c, status_c,
                group_effective_date_c, group_end_date_c, renewal_opportunity_c, prior_deal_group_c,
                contract_type_c, engagement_sequence_c, system_modstamp)
            select org_id, 'a0B' || lpad(md5(org_id || deal_group_id_c), 12, '0'), deal_group_id_c, name,
                account_c, status_c, group_effective_date_c,
                group_end_date_c + case when abs(hashtext(deal_group_id_c)) %% 10000 < %s then 1 else 0 end,
                renewal_opportunity_c,
                case when prior_deal_group_id_c is not null
                    then 'a0B' || lpad(md5(org_id || prior_deal_group_id_c), 12, '0') end,
                contract_type_c, engagement_sequence_c, now()
            from marts.mirror_payload""",
            [round(differ * 10000)],
        )
        return [
            {"Id": sf_id, "Deal_Group_Id__c": key, "Group_End_Date__c": str(end)}
            for sf_id, key, end in conn.execute(
                """
                select synced.id, synced.deal_group_id_c, synced.group_end_date_c
                from salesforce.deal_group_c as synced
                join marts.mirror_payload as payload
                    on payload.org_id = synced.org_id and payload.deal_group_id_c = synced.deal_group_id_c
                where payload.group_end_date_c <> synced.group_end_date_c"""
            )
        ]


def run_mirror(url: str, push: bool):
    result, wall = execute(MIRROR_JOB, url, mirror_run_config(push=push)["ops"])
    return result, wall, step_seconds(result), materialization_metadata(result, ["salesforce", "deal_group_mirror"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contracts", type=int, default=250_000)
    parser.add_argument("--orgs", type=int, default=1)
    parser.add_argument("--differ", type=float, default=0.01)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request of the local Salesforce

    url = database.create_database(database.database_url(), "bench_mirror")
    database.init_db(url)
    load_dataset(bench_dataset(args.contracts, args.orgs), url)
    prepare_parse_state(url)
    _, backfill_wall = execute(BACKFILL_JOB, url, backfill_run_config("2025-06-30")["ops"])
    print(f"sources: {args.contracts:,} deal groups in {args.orgs} orgs; backfill (dry run) {backfill_wall:.1f} s")

    run_mirror(url, push=False)  # the payload, to build Salesforce's side from
    changed = mirror_in_salesforce(url, args.differ)
    result, wall, steps, plan = run_mirror(url, push=False)
    sql_seconds, slowest = dbt_model_seconds(result.run_id)
    verdict = "✓" if sql_seconds <= PLAN_LIMIT_SECONDS else "✗"
    print(
        f"plan: {plan['insert'] + plan['update'] + plan['unchanged']:,} contracts, {plan['update']:,} UPDATE "
        f"({len(changed):,} differ), {plan['insert']} INSERT; models' SQL {sql_seconds:.1f} s "
        f"(≤ {PLAN_LIMIT_SECONDS:.0f} s {verdict}); dbt step {steps['mirror_models']:.1f} s; job {wall:.1f} s"
    )
    print("  " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in slowest))

    ca = trustme.CA()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    server = HTTPServer("127.0.0.1", 0, ssl_context=context, threaded=True)
    server.start()
    try:
        with tempfile.NamedTemporaryFile(suffix=".pem") as ca_file:
            ca.cert_pem.write_to_path(ca_file.name)
            os.environ.update(
                SALESFORCE_INSTANCE_URL=server.url_for("/"),
                SALESFORCE_ACCESS_TOKEN=TOKEN,
                REQUESTS_CA_BUNDLE=ca_file.name,
            )
            salesforce = FakeSalesforce(TOKEN).install(server)
            for record in changed:
                salesforce.records[record["Id"]] = dict(record)
            started = time.perf_counter()
            result, wall, steps, pushed = run_mirror(url, push=True)
            push_seconds = steps["salesforce__deal_group_mirror"]
            # one org's records never share a request with another's: Σ over orgs of ⌈changed / 200⌉
            expected = sum(math.ceil(org["update"] / 200) for org in pushed["plan_json"])
            verdict = "✓" if salesforce.requests == expected else "✗"
            print(
                f"push: {pushed['updated']:,} updated, {pushed['failed']} failed, {salesforce.requests} requests "
                f"(Σ per org ⌈changed / 200⌉ = {expected} {verdict}; ⌈{pushed['update']:,} / 200⌉ = "
                f"{math.ceil(pushed['update'] / 200)}); push step {push_seconds:.1f} s "
                f"= {pushed['updated'] / push_seconds:,.0f} records/s; job {time.perf_counter() - started:.1f} s"
            )
            before = salesforce.requests
            _, _, _, again = run_mirror(url, push=True)
            sent = salesforce.requests - before
            print(f"re-run: {again['update']} UPDATE, {sent} requests ({'✓' if sent == 0 else '✗'})")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
