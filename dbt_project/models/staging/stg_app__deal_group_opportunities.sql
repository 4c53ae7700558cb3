-- Legacy memberships (deal group ↔ opportunity), excluding rows the backfill
-- wrote itself (decision D2).
with source as (
    select * from {{ source('app', 'deal_group_opportunity') }}
),

final as (
    select
        org_id,
        deal_group_id,
        opportunity_id,
        sequence as legacy_sequence
    from source
    where created_by is null
)

select * from final
