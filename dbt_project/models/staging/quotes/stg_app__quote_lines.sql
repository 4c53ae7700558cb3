-- Quote lines 1:1 with the source rows (quantity is a delta on an amendment's
-- quote). SPEC §2's quote_line has no org_id: a line without one takes the org
-- of its quote, when exactly one org has a quote of that id.
with lines as (
    select * from {{ source('app', 'quote_line') }}
),

quote_orgs as (
    {{ org_of_unique_parent_id(source('app', 'quote')) }}
),

final as (
    select
        coalesce(lines.org_id, quote_orgs.org_id) as org_id,
        lines.quote_id,
        lines.id as quote_line_id,
        lines.product_sku,
        lines.quantity,
        lines.unit_price,
        lines.start_date,
        lines.end_date
    from lines
    left join quote_orgs on lines.org_id is null and quote_orgs.id = lines.quote_id
)

select * from final
