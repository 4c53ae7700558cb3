-- Quote lines 1:1 with the source rows (quantity is a delta on an amendment's
-- quote). SPEC §2's quote_line has no org_id: a line without one takes the org
-- of its quote, when exactly one org has a quote of that id (D58).
--
-- Two branches, lines with their own org and lines without, so that an org
-- filter on this view reaches the source's (org_id, quote_id) index: one org's
-- lines are read without resolving every quote's org first.
with lines_without_org as (
    select * from {{ source('app', 'quote_line') }} where org_id is null
),

quote_orgs as (
    {{ org_of_unique_parent_id(source('app', 'quote'), where='id in (select quote_id from lines_without_org)') }}
),

final as (
    select org_id, quote_id, id as quote_line_id, product_sku, quantity, unit_price, start_date, end_date
    from {{ source('app', 'quote_line') }}
    where org_id is not null

    union all

    select
        quote_orgs.org_id,
        lines.quote_id,
        lines.id as quote_line_id,
        lines.product_sku,
        lines.quantity,
        lines.unit_price,
        lines.start_date,
        lines.end_date
    from lines_without_org as lines
    left join quote_orgs on quote_orgs.id = lines.quote_id
)

select * from final
