{{ config(pre_hook=["set local enable_nestloop = off"]) }}
-- Orphan amendments whose pointer walk passes no orphan that could open a
-- contract (int_orphans__path_dependence): they join the contract the walk
-- reaches, or stay unattached AMENDMENT_PRIOR_NOT_FOUND — whatever the order.
-- (Nested loops off: int_legacy__contracts has no index; see int_orphans__dynamic.)
with dependence as (
    select * from {{ for_run_orgs(ref('int_orphans__path_dependence')) }} where is_decided_statically
),

legacy_contracts as (
    select org_id, contract_id from {{ for_run_orgs(ref('int_legacy__contracts')) }} where link_state = 'OK'
),

final as (
    select
        dependence.org_id,
        dependence.opportunity_id,
        classified.close_date,
        legacy_contracts.contract_id as attached_contract_id,
        case when legacy_contracts.contract_id is null then 'AMENDMENT_PRIOR_NOT_FOUND' end as reason,
        case when legacy_contracts.contract_id is null
            then 'no contract reached from ' || dependence.last_opportunity_id
        end as detail
    from dependence
    inner join {{ for_run_orgs(ref('int_orphans__classified')) }} as classified
        on classified.org_id = dependence.org_id and classified.opportunity_id = dependence.opportunity_id
    -- the walk's end is a contract unless the legacy conversion or continuation
    -- quarantined it
    left join legacy_contracts
        on legacy_contracts.org_id = dependence.org_id
       and legacy_contracts.contract_id = dependence.walk_end_deal_group_id
)

select * from final
