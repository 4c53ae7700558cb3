{{ config(pre_hook=["set local enable_nestloop = off", "set local enable_mergejoin = off"]) }}
-- Rule 4's walk, once for both of its readers (D50): from the head of every
-- converted RENEWAL-headed legacy deal group (rule 2's continuation,
-- int_legacy__successor_candidates) and from every dynamic orphan with a
-- pointer (rule 5, int_orphans__path_dependence).
--
-- The walk passes `pointer_nodes`: the screened opportunities outside
-- type-conflicted deal groups, each with the converted legacy deal group it is
-- a live member of, if any. It stops at such a member (that deal group is the
-- walk's end), or at a missing, deleted or quarantined id (no end), and keeps
-- the orphans it passed, in order. Whether the deal group at the end is a
-- contract (and not quarantined LEGACY_DUPLICATE_SUCCESSOR) is known only after
-- the continuation, so the orphans' readers check it when they need the target
-- (int_orphans__static_amendments, int_orphans__dynamic,
-- int_orphans__interaction_edges): the walk stops at the same opportunity
-- either way, a duplicate successor's members being quarantined. So the
-- orphans' path analysis waits neither for the continuation nor for
-- int_opportunities__valid.
-- Every join hashes (nested loops and merge joins are off): the walk's hash
-- table over the nodes is built once and probed by each step.
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
            as member_of_deal_group_id
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

starts as (
    -- a legacy renewal head is a member of its deal group, a dynamic orphan of
    -- none: the two kinds of start never share an opportunity
    select org_id, head_opportunity_id as start_id, deal_group_id as start_deal_group_id,
        head_last_opportunity_id as first_pointer
    from converted
    where contract_type = 'RENEWAL' and head_last_opportunity_id is not null
    union all
    select org_id, opportunity_id, null, last_opportunity_id
    from {{ ref('int_orphans__classified') }}
    where static_reason is null and last_opportunity_id is not null
),

{{ walk_pointers('starts', 'pointer_nodes', 'member_of_deal_group_id', keep_passed=true,
                 carry=['start_deal_group_id']) }},

final as (
    select org_id, start_id as opportunity_id, start_deal_group_id, passed_orphans,
        target_contract_id as target_deal_group_id
    from walk
    where is_done
)

select * from final
