-- Rule 4, the static part, for every dynamic orphan with a pointer: walk
-- last_opportunity_c through the org's valid opportunities. The walk ends at
-- a legacy member (its contract is the static target), or at a missing,
-- deleted or quarantined id (not found). The orphans passed on the way are
-- kept in order: whichever of them an earlier decision attached is the real
-- target (int_orphans__decisions looks them up at decision time).
with recursive dynamic_orphans as (
    select org_id, opportunity_id, last_opportunity_id
    from {{ ref('int_orphans__classified') }}
    where static_reason is null and last_opportunity_id is not null
),

walk (org_id, opportunity_id, next_id, passed_orphans, static_target_contract_id, is_done) as (
    select org_id, opportunity_id, last_opportunity_id, array[]::text[], null::text, false
    from dynamic_orphans

    union all

    select
        walk.org_id,
        walk.opportunity_id,
        node.last_opportunity_id,
        case
            when node.opportunity_id is not null and not node.is_deleted and node.legacy_contract_id is null
                then walk.passed_orphans || node.opportunity_id
            else walk.passed_orphans
        end,
        case when not node.is_deleted then node.legacy_contract_id end,
        node.opportunity_id is null or node.is_deleted or node.legacy_contract_id is not null
    from walk
    left join {{ ref('int_opportunities__valid') }} as node
        on node.org_id = walk.org_id and node.opportunity_id = walk.next_id
    where not walk.is_done
),

final as (
    select org_id, opportunity_id, passed_orphans, static_target_contract_id
    from walk
    where is_done
)

select * from final
