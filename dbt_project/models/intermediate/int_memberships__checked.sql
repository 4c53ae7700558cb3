-- Every legacy membership row, MISSING_REFERENCE (rule 0) when it names a
-- deal group or an opportunity with no row of that id in the same org.
with memberships as (
    select * from {{ ref('stg_app__deal_group_opportunities') }}
),

deal_group_ids as (
    select distinct org_id, deal_group_id
    from {{ ref('stg_app__deal_groups') }}
    where deal_group_id is not null
),

opportunity_ids as (
    select distinct org_id, opportunity_id
    from {{ ref('stg_salesforce__opportunities') }}
    where opportunity_id is not null
),

final as (
    select
        memberships.org_id,
        memberships.deal_group_id,
        memberships.opportunity_id,
        coalesce(memberships.deal_group_id, '') || '/' || coalesce(memberships.opportunity_id, '') as row_id,
        case
            when deal_group_ids.deal_group_id is null or opportunity_ids.opportunity_id is null
                then 'MISSING_REFERENCE'
        end as reason,
        case
            when deal_group_ids.deal_group_id is null
                then 'deal group ' || coalesce(memberships.deal_group_id, '(null)') || ' not found in org'
            when opportunity_ids.opportunity_id is null
                then 'opportunity ' || coalesce(memberships.opportunity_id, '(null)') || ' not found in org'
        end as detail
    from memberships
    left join deal_group_ids
        on deal_group_ids.org_id = memberships.org_id
       and deal_group_ids.deal_group_id = memberships.deal_group_id
    left join opportunity_ids
        on opportunity_ids.org_id = memberships.org_id
       and opportunity_ids.opportunity_id = memberships.opportunity_id
)

select * from final
