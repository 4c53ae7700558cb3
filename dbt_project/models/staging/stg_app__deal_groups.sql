-- Legacy deal groups: every app.deal_group row except those the backfill wrote
-- itself (created_by set, decision D2), so a re-run reads the same input.
with source as (
    select * from {{ source('app', 'deal_group') }}
),

final as (
    select
        org_id,
        id as deal_group_id,
        name,
        crm_account_id,
        created_at
    from source
    where created_by is null
)

select * from final
