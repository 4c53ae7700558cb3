{{ config(indexes=[{'columns': ['org_id', 'prior_contract_id']}, {'columns': ['org_id', 'contract_id'], 'unique': true}],
          pre_hook=["set local enable_nestloop = off", "set local enable_mergejoin = off"]) }}
-- Rule 2, continuation candidates: a RENEWAL-headed converted contract whose
-- head pointer resolves (rule 4, legacy memberships only) to another contract
-- of the same account whose head comes first (decision D7), ranked among the
-- candidates of that prior by head (close_date, id).
--
-- The walk passes `pointer_nodes`: screened opportunities outside
-- type-conflicted deal groups, each with the converted legacy contract it is a
-- member of, if any. Every join hashes (nested loops and merge joins are off):
-- the walk's hash table over the nodes is built once and probed by each step.
with recursive converted as (
    select * from {{ ref('int_legacy__deal_group_outcomes') }} where outcome = 'CONVERTED'
),

-- each live (not deleted) member with its deal group's outcome; an opportunity
-- belongs to one deal group at most, so to one row at most
member_outcomes as (
    select members.org_id, members.opportunity_id, members.deal_group_id, outcomes.outcome
    from {{ ref('int_legacy__members') }} as members
    inner join {{ ref('int_legacy__deal_group_outcomes') }} as outcomes
        on outcomes.org_id = members.org_id and outcomes.deal_group_id = members.deal_group_id
    where not members.is_deleted
),

pointer_nodes as materialized (
    select
        opportunities.org_id,
        opportunities.opportunity_id,
        opportunities.last_opportunity_id,
        opportunities.is_deleted,
        case when member_outcomes.outcome = 'CONVERTED' then member_outcomes.deal_group_id end
            as member_of_contract_id
    from {{ ref('int_opportunities__typed') }} as opportunities
    left join {{ ref('int_opportunities__screened') }} as screening
        on screening.org_id = opportunities.org_id and screening.opportunity_id = opportunities.opportunity_id
    left join member_outcomes
        on member_outcomes.org_id = opportunities.org_id
       and member_outcomes.opportunity_id = opportunities.opportunity_id
    where opportunities.row_reason is null
      and screening.screen_reason is null
      and member_outcomes.outcome is distinct from 'LEGACY_TYPE_CONFLICT'
),

renewal_heads as (
    select org_id, deal_group_id as start_id, head_last_opportunity_id as first_pointer
    from converted
    where contract_type = 'RENEWAL' and head_last_opportunity_id is not null
),

{{ walk_pointers('renewal_heads', 'pointer_nodes', 'member_of_contract_id') }},

final as (
    select
        successor.org_id,
        successor.deal_group_id as contract_id,
        prior.deal_group_id as prior_contract_id,
        row_number() over (
            partition by successor.org_id, prior.deal_group_id
            order by successor.head_close_date, {{ by_code_point('successor.head_opportunity_id') }}
        ) as successor_rank
    from walk
    inner join converted as successor
        on successor.org_id = walk.org_id and successor.deal_group_id = walk.start_id
    inner join converted as prior
        on prior.org_id = walk.org_id and prior.deal_group_id = walk.target_contract_id
    where walk.is_done
      and prior.deal_group_id <> successor.deal_group_id
      and prior.account_id = successor.account_id
      and (prior.head_close_date, {{ by_code_point('prior.head_opportunity_id') }})
        < (successor.head_close_date, {{ by_code_point('successor.head_opportunity_id') }})
)

select * from final
