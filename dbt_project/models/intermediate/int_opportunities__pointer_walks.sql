-- Rule 4's walk, once for both of its readers (D50): from the RENEWAL-typed
-- members of legacy deal groups (among them every converted RENEWAL-headed
-- deal group's head: rule 2's continuation, int_legacy__successor_candidates)
-- and from every dynamic orphan with a pointer (rule 5,
-- int_orphans__decisions).
--
-- The walk passes the screened opportunities, each with the deal group it is
-- a member of, if any. It stops at a live member (that deal group is the
-- walk's end), or at a missing, deleted or quarantined id (no end), and keeps
-- the orphans it passed, in order. Whether the deal group at the end is a
-- contract is known only after the legacy conversion and continuation (it may
-- be quarantined LEGACY_TYPE_CONFLICT or LEGACY_DUPLICATE_SUCCESSOR), so the
-- readers check it when they need the target. The walk stops at the same
-- opportunity either way (a quarantined deal group's members are quarantined,
-- and a quarantined id ends a walk), so it needs nothing of the conversion and
-- runs beside it.
-- The walk's nodes are materialized once and each step probes them.
with recursive pointer_nodes as materialized (
    select
        opportunities.org_id,
        opportunities.opportunity_id,
        opportunities.last_opportunity_id,
        opportunities.is_deleted,
        opportunities.opportunity_type,
        -- a screened opportunity with no reason is in one valid deal group, or in none
        screening.deal_group_id
    from {{ for_run_orgs(ref('int_opportunities__typed')) }} as opportunities
    left join {{ for_run_orgs(ref('int_opportunities__screened')) }} as screening
        on screening.org_id = opportunities.org_id and screening.opportunity_id = opportunities.opportunity_id
    where opportunities.row_reason is null
      and screening.screen_reason is null
),

starts as (
    -- a legacy member is in a deal group, a dynamic orphan in none: the two
    -- kinds of start never share an opportunity
    select org_id, opportunity_id as start_id, deal_group_id as start_deal_group_id,
        last_opportunity_id as first_pointer
    from pointer_nodes
    where deal_group_id is not null and not is_deleted
      and opportunity_type = 'RENEWAL' and last_opportunity_id is not null
    union all
    select org_id, opportunity_id, null, last_opportunity_id
    from {{ for_run_orgs(ref('int_orphans__classified')) }}
    where static_reason is null and last_opportunity_id is not null
),

{{ walk_pointers('starts', 'pointer_nodes', 'deal_group_id', keep_passed=true,
                 carry=['start_deal_group_id']) }},

final as (
    select org_id, start_id as opportunity_id, start_deal_group_id, passed_orphans,
        target_contract_id as target_deal_group_id
    from walk
    where is_done
)

select * from final
