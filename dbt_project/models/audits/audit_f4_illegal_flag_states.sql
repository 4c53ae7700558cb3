-- F4: an org whose rollout flags break the flip order chain → model → writeback
-- (SPEC §3 Flags), read live from app.organization.
with flags as (
    select * from {{ ref('stg_app__organizations') }}
),

findings as (
    select
        org_id,
        'app.organization' as entity_table,
        org_id as entity_id,
        org_id as finding_key,
        case
            when engagement_model_enabled and not renewal_chain_enabled
                then 'engagement model enabled without the renewal chain (flip order: chain → model → writeback).'
            else 'deal group writeback enabled without the engagement model (flip order: chain → model → writeback).'
        end as detail
    from flags
    where org_id is not null
        and (
            (engagement_model_enabled and not renewal_chain_enabled)
            or (deal_group_writeback_enabled and not engagement_model_enabled)
        )
)

{{ audit_final('F4') }}
