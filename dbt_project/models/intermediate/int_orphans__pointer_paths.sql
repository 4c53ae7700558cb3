-- Rule 4, the static part, for every dynamic orphan with a pointer: walk
-- last_opportunity_c through the org's valid opportunities. The walk ends at
-- a legacy member (its contract is the static target), or at a missing,
-- deleted or quarantined id (not found). The orphans passed on the way are
-- kept in order: whichever of them an earlier decision attached is the real
-- target (int_orphans__decisions looks them up at decision time).
with recursive dynamic_orphans as (
    select org_id, opportunity_id as start_id, last_opportunity_id as first_pointer
    from {{ ref('int_orphans__classified') }}
    where static_reason is null and last_opportunity_id is not null
),

{{ walk_pointers('dynamic_orphans', ref('int_opportunities__valid'), 'legacy_contract_id', keep_passed=true) }},

final as (
    select org_id, start_id as opportunity_id, passed_orphans, target_contract_id as static_target_contract_id
    from walk
    where is_done
)

select * from final
