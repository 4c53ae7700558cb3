{{ config(pre_hook=["set local enable_mergejoin = off", "set local enable_nestloop = off"]) }}
-- Rule 4, the static part, for every dynamic orphan with a pointer: walk
-- last_opportunity_c through the org's row-valid, screened opportunities. The
-- walk ends at a member of a deal group (int_orphans__path_dependence looks up
-- the legacy contract it is placed in: the static target, if any), or at a
-- missing, deleted or quarantined id (not found). The orphans passed on the
-- way are kept in order: whichever of them an earlier decision attached is the
-- real target (int_orphans__decisions looks them up at decision time).
-- The walk needs nothing of the legacy conversion (a member ends it whatever
-- became of its deal group), so it runs beside the conversion.
with recursive dynamic_orphans as (
    select org_id, opportunity_id as start_id, last_opportunity_id as first_pointer
    from {{ ref('int_orphans__classified') }}
    where static_reason is null and last_opportunity_id is not null
),

-- the opportunities a walk can pass, narrow, hashed once for every step (merge
-- joins and nested loops are off: a merge join re-read the million sorted nodes
-- at each of the ~17 steps); a member of a deal group carries its own id as the
-- walk's end
nodes as materialized (
    select
        opportunities.org_id,
        opportunities.opportunity_id,
        opportunities.last_opportunity_id,
        opportunities.is_deleted,
        case when screening.deal_group_id is not null then opportunities.opportunity_id end as member_id
    from {{ ref('int_opportunities__typed') }} as opportunities
    left join {{ ref('int_opportunities__screened') }} as screening
        on screening.org_id = opportunities.org_id and screening.opportunity_id = opportunities.opportunity_id
    where opportunities.row_reason is null and screening.screen_reason is null
),

{{ walk_pointers('dynamic_orphans', 'nodes', 'member_id', keep_passed=true) }},

final as (
    select org_id, start_id as opportunity_id, passed_orphans, target_contract_id as end_member_id
    from walk
    where is_done
)

select * from final
