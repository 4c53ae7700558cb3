"""Signed quotes for the demo's Won opportunities, so the renewal seeds have something to replay
(SPEC §4): one primary signed quote per Won opportunity, 1–20 lines of SKUs; an amendment's lines
sometimes remove a seat (quantity −1, a delta). Deterministic (hashes of the ids), set-based."""

from __future__ import annotations

from dagster_project.lib import database


def load_signed_quotes(orgs: list[str] | None = None, url: str | None = None) -> tuple[int, int]:
    """Replace the quotes of ``orgs`` (every org if None) with the generated ones; (quotes, lines)."""
    scope = {"orgs": orgs}
    with database.connect(url) as conn:
        conn.execute(
            """
            delete from app.quote_line where quote_id in (
                select id from app.quote where %(orgs)s::text[] is null or org_id = any(%(orgs)s::text[]))""",
            scope,
        )
        conn.execute("delete from app.quote where %(orgs)s::text[] is null or org_id = any(%(orgs)s::text[])", scope)
        quotes = conn.execute(
            """
            insert into app.quote (org_id, id, opportunity_id, is_primary, status, signed_at, is_system_draft)
            select org_id, 'q-' || id, id, true, 'SIGNED', close_date, false
            from salesforce.opportunity
            where is_won and id is not null and org_id is not null
              and (%(orgs)s::text[] is null or org_id = any(%(orgs)s::text[]))
        """,
            scope,
        ).rowcount
        lines = conn.execute(
            """
            insert into app.quote_line (org_id, quote_id, id, product_sku, quantity, unit_price, start_date, end_date)
            select o.org_id, 'q-' || o.id, 'q-' || o.id || '-' || g, 'SKU-' || (abs(hashtext(o.id || g)) %% 40),
                   case when o.last_opportunity_c is not null and g %% 4 = 0 then -1
                        else 1 + abs(hashtext(o.id || 'q' || g)) %% 10 end,
                   10 + abs(hashtext(o.id || 'p' || g)) %% 490,
                   o.close_date, coalesce(o.contract_end_date_c, o.close_date + 365)
            from salesforce.opportunity as o
            cross join lateral generate_series(1, 1 + abs(hashtext(o.id)) %% 20) as g
            where o.is_won and o.id is not null and o.org_id is not null
              and (%(orgs)s::text[] is null or o.org_id = any(%(orgs)s::text[]))
        """,
            scope,
        ).rowcount
    with database.connect(url, autocommit=True) as conn:
        conn.execute("analyze app.quote; analyze app.quote_line")
    return quotes, lines
