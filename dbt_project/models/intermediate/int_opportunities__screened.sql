{{ config(pre_hook=["set local enable_mergejoin = off"]) }}
-- Row-valid opportunities after the membership rules of rule 0: each with its
-- quarantine reason when it has one (POINTER_CYCLE, IN_MULTIPLE_DEAL_GROUPS,
-- or DUPLICATE_ID for the member of a duplicated deal group, decision D6),
-- and the one deal group it belongs to otherwise.
with opportunities as (
    select * from {{ ref('int_opportunities__typed') }} where row_reason is null
),

cycles as (
    select * from {{ ref('int_opportunities__pointer_cycles') }}
),

memberships as (
    select distinct org_id, deal_group_id, opportunity_id
    from {{ ref('int_memberships__checked') }}
    where reason is null
),

deal_group_counts as (
    select org_id, deal_group_id, max(id_count) as id_count
    from {{ ref('int_deal_groups__checked') }}
    where row_reason is null or row_reason = 'DUPLICATE_ID'
    group by org_id, deal_group_id
),

groups_per_opportunity as (
    select
        org_id,
        opportunity_id,
        count(*) as group_count,
        min(deal_group_id) as deal_group_id
    from memberships
    group by org_id, opportunity_id
),

group_lists as (
    -- the ordered list only for the few opportunities in several groups (an
    -- ordered aggregate over every membership sorts them all)
    select
        memberships.org_id,
        memberships.opportunity_id,
        string_agg(memberships.deal_group_id, ', ' order by {{ by_code_point('memberships.deal_group_id') }})
            as group_list
    from memberships
    inner join groups_per_opportunity as groups
        on groups.org_id = memberships.org_id and groups.opportunity_id = memberships.opportunity_id
    where groups.group_count > 1
    group by memberships.org_id, memberships.opportunity_id
),

final as (
    select
        opportunities.*,
        case when groups.group_count = 1 then groups.deal_group_id end as deal_group_id,
        case
            when cycles.opportunity_id is not null then 'POINTER_CYCLE'
            when groups.group_count > 1 then 'IN_MULTIPLE_DEAL_GROUPS'
            when groups.group_count = 1 and deal_group_counts.id_count > 1 then 'DUPLICATE_ID'
        end as screen_reason,
        case
            when cycles.opportunity_id is not null then 'last_opportunity_c chain reaches a loop'
            when groups.group_count > 1
                then 'member of ' || groups.group_count || ' deal groups: ' || group_lists.group_list
            when groups.group_count = 1 and deal_group_counts.id_count > 1
                then 'member of deal group ' || groups.deal_group_id || ' whose id is duplicated'
        end as screen_detail
    from opportunities
    left join cycles
        on cycles.org_id = opportunities.org_id and cycles.opportunity_id = opportunities.opportunity_id
    left join groups_per_opportunity as groups
        on groups.org_id = opportunities.org_id and groups.opportunity_id = opportunities.opportunity_id
    left join group_lists
        on group_lists.org_id = groups.org_id and group_lists.opportunity_id = groups.opportunity_id
    left join deal_group_counts
        on deal_group_counts.org_id = groups.org_id and deal_group_counts.deal_group_id = groups.deal_group_id
)

select * from final
