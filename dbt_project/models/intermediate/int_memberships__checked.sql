-- Every legacy membership row, MISSING_REFERENCE (rule 0) when it names a
-- deal group or an opportunity with no row of that id in the same org.
with memberships as materialized (
    select
        memberships.*,
        -- each `exists` is one hashed subplan over the ids (no dedup of 1 M ids
        -- first); materialized, so that each is evaluated once per row
        exists (
            select 1 from {{ for_run_orgs(ref('stg_app__deal_groups')) }} as deal_groups
            where deal_groups.org_id = memberships.org_id and deal_groups.deal_group_id = memberships.deal_group_id
        ) as has_deal_group,
        exists (
            select 1 from {{ for_run_orgs(ref('stg_salesforce__opportunities')) }} as opportunities
            where opportunities.org_id = memberships.org_id
              and opportunities.opportunity_id = memberships.opportunity_id
        ) as has_opportunity
    from {{ for_run_orgs(ref('stg_app__deal_group_opportunities')) }} as memberships
),

final as (
    select
        org_id,
        deal_group_id,
        opportunity_id,
        coalesce(deal_group_id, '') || '/' || coalesce(opportunity_id, '') as row_id,
        case when not has_deal_group or not has_opportunity then 'MISSING_REFERENCE' end as reason,
        case
            when not has_deal_group
                then 'deal group ' || coalesce(deal_group_id, '(null)') || ' not found in org'
            when not has_opportunity
                then 'opportunity ' || coalesce(opportunity_id, '(null)') || ' not found in org'
        end as detail
    from memberships
)

select * from final
