{{ config(indexes=[{'columns': ['org_id', 'opportunity_id'], 'unique': true}]) }}
-- The opportunities a legacy head's pointer walk (rule 4, legacy memberships
-- only) can pass through: screened opportunities outside type-conflicted deal
-- groups, each with the converted legacy contract it is a member of, if any.
with converted_members as (
    select members.org_id, members.opportunity_id, members.deal_group_id
    from {{ ref('int_legacy__members') }} as members
    inner join {{ ref('int_legacy__deal_group_outcomes') }} as outcomes
        on outcomes.org_id = members.org_id and outcomes.deal_group_id = members.deal_group_id
    where outcomes.outcome = 'CONVERTED' and not members.is_deleted
),

conflicted_members as (
    select members.org_id, members.opportunity_id
    from {{ ref('int_legacy__members') }} as members
    inner join {{ ref('int_legacy__deal_group_outcomes') }} as outcomes
        on outcomes.org_id = members.org_id and outcomes.deal_group_id = members.deal_group_id
    where outcomes.outcome = 'LEGACY_TYPE_CONFLICT' and not members.is_deleted
),

final as (
    select
        screened.org_id,
        screened.opportunity_id,
        screened.last_opportunity_id,
        screened.is_deleted,
        converted_members.deal_group_id as member_of_contract_id
    from {{ ref('int_opportunities__screened') }} as screened
    left join converted_members
        on converted_members.org_id = screened.org_id
       and converted_members.opportunity_id = screened.opportunity_id
    where screened.screen_reason is null
      and not exists (
          select 1 from conflicted_members
          where conflicted_members.org_id = screened.org_id
            and conflicted_members.opportunity_id = screened.opportunity_id
      )
)

select * from final
