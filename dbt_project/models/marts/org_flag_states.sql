-- Every org's rollout flags and whether they form a legal state (flip order
-- chain → model → writeback; F4). Orgs present in the sources but not in
-- app.organization have every flag off. Only model-enabled orgs in a legal
-- state are applied.
with orgs as (
    select org_id from {{ for_run_orgs(ref('stg_salesforce__opportunities')) }} where org_id is not null
    union select org_id from {{ for_run_orgs(ref('stg_app__deal_groups')) }} where org_id is not null
    union select org_id from {{ for_run_orgs(ref('stg_app__organizations')) }}
),

flags as (
    select
        orgs.org_id,
        coalesce(organizations.engagement_model_enabled, false) as engagement_model_enabled,
        coalesce(organizations.renewal_chain_enabled, false) as renewal_chain_enabled,
        coalesce(organizations.deal_group_writeback_enabled, false) as deal_group_writeback_enabled
    from orgs
    left join {{ for_run_orgs(ref('stg_app__organizations')) }} as organizations on organizations.org_id = orgs.org_id
),

checked as (
    select
        flags.*,
        case
            when engagement_model_enabled and not renewal_chain_enabled
                then 'engagement model enabled without the renewal chain (flip order: chain → model → writeback)'
            when deal_group_writeback_enabled and not engagement_model_enabled
                then 'deal group writeback enabled without the engagement model (flip order: chain → model → writeback)'
        end as problem
    from flags
),

final as (
    select
        org_id,
        engagement_model_enabled,
        renewal_chain_enabled,
        deal_group_writeback_enabled,
        problem is null as is_legal,
        problem,
        engagement_model_enabled and problem is null as is_applied
    from checked
)

select * from final
