-- The membership rules of rule 0, for the row-valid opportunities they
-- concern: every row-valid opportunity that is a member of a deal group or
-- whose pointer chain runs into a loop, with its quarantine reason when it has
-- one (POINTER_CYCLE, IN_MULTIPLE_DEAL_GROUPS, or DUPLICATE_ID for the member
-- of a duplicated deal group, decision D6) and otherwise the one deal group it
-- belongs to. A row-valid opportunity not listed here passes: it is in no deal
-- group. Ids and reasons only: readers take the opportunity's own columns from
-- int_opportunities__typed (a wide copy of every opportunity cost a million-row
-- pass of its own).
with row_quarantined as (
    -- the few opportunity ids rule 0 quarantined row by row (a membership names an
    -- existing id, so a member is row-valid unless its id is one of these)
    select distinct org_id, opportunity_id
    from {{ for_run_orgs(ref('int_opportunities__typed')) }}
    where row_reason is not null
),

cycles as (
    select * from {{ for_run_orgs(ref('int_opportunities__pointer_cycles')) }}
),

memberships as (
    select org_id, deal_group_id, opportunity_id
    from {{ for_run_orgs(ref('int_memberships__checked')) }}
    where reason is null
),

duplicated_deal_groups as (
    select distinct org_id, deal_group_id
    from {{ for_run_orgs(ref('int_deal_groups__checked')) }}
    where row_reason = 'DUPLICATE_ID'
),

groups_per_opportunity as (
    -- one aggregate over the memberships as they are (a repeated membership row
    -- names the same group twice): in several groups when the first and the last differ
    select
        org_id,
        opportunity_id,
        min(deal_group_id) as deal_group_id,
        min(deal_group_id) <> max(deal_group_id) as is_in_several
    from memberships
    group by org_id, opportunity_id
),

group_lists as (
    -- the distinct, ordered list only for the few opportunities in several groups
    select
        several.org_id,
        several.opportunity_id,
        count(*) as group_count,
        string_agg(several.deal_group_id, ', ' order by {{ by_code_point('several.deal_group_id') }})
            as group_list
    from (
        select distinct memberships.org_id, memberships.opportunity_id, memberships.deal_group_id
        from memberships
        inner join groups_per_opportunity as groups
            on groups.org_id = memberships.org_id and groups.opportunity_id = memberships.opportunity_id
        where groups.is_in_several
    ) as several
    group by several.org_id, several.opportunity_id
),

concerned as (
    select
        coalesce(groups.org_id, cycles.org_id) as org_id,
        coalesce(groups.opportunity_id, cycles.opportunity_id) as opportunity_id,
        groups.deal_group_id,
        coalesce(groups.is_in_several, false) as is_in_several,
        groups.opportunity_id is not null as is_member,
        cycles.opportunity_id is not null as is_in_cycle
    from groups_per_opportunity as groups
    full join cycles
        on cycles.org_id = groups.org_id and cycles.opportunity_id = groups.opportunity_id
),

final as (
    select
        concerned.org_id,
        concerned.opportunity_id,
        case when concerned.is_member and not concerned.is_in_several then concerned.deal_group_id end
            as deal_group_id,
        case
            when concerned.is_in_cycle then 'POINTER_CYCLE'
            when concerned.is_in_several then 'IN_MULTIPLE_DEAL_GROUPS'
            when duplicated_deal_groups.deal_group_id is not null then 'DUPLICATE_ID'
        end as screen_reason,
        case
            when concerned.is_in_cycle then 'last_opportunity_c chain reaches a loop'
            when concerned.is_in_several
                then 'member of ' || group_lists.group_count || ' deal groups: ' || group_lists.group_list
            when duplicated_deal_groups.deal_group_id is not null
                then 'member of deal group ' || concerned.deal_group_id || ' whose id is duplicated'
        end as screen_detail
    from concerned
    left join group_lists
        on group_lists.org_id = concerned.org_id and group_lists.opportunity_id = concerned.opportunity_id
    left join duplicated_deal_groups
        on duplicated_deal_groups.org_id = concerned.org_id
       and duplicated_deal_groups.deal_group_id = concerned.deal_group_id
       and not concerned.is_in_several
    where not exists (
        select 1 from row_quarantined
        where row_quarantined.org_id = concerned.org_id and row_quarantined.opportunity_id = concerned.opportunity_id
    )
)

select * from final
