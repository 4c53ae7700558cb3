-- Orgs and their three rollout flags (SPEC §3 "Flags").
with source as (
    select * from {{ source('app', 'organization') }}
),

final as (
    select
        org_id,
        name,
        coalesce(engagement_model_enabled, false) as engagement_model_enabled,
        coalesce(renewal_chain_enabled, false) as renewal_chain_enabled,
        coalesce(deal_group_writeback_enabled, false) as deal_group_writeback_enabled
    from source
)

select * from final
