{{ config(indexes=[{'columns': ['org_id', 'component', 'decision_step'], 'unique': true}],
          pre_hook=["set local enable_nestloop = off"]) }}
-- The orphans whose rule-5 outcome depends on what earlier orphans made (not
-- the amendments int_orphans__static_amendments decides), each
-- with its interaction component, numbered within it in the org-wide decision
-- order (close_date, id) (decision D4), with what the static pointer walk
-- found (passed orphans cut as int_orphans__path_dependence explains).
-- (Nested loops off: int_legacy__contracts has no index, and an org-scoped
-- build looked each orphan's legacy contract up by scanning the org's
-- contracts: 240 s for one org instead of 0.2 s.)
with classified as (
    select classified.*, dependence.passed_orphans as passed_openers,
        -- the deal group at the walk's end is its static target if it is a legacy
        -- contract (not quarantined by the conversion or the continuation)
        legacy_contracts.contract_id as static_target_contract_id
    from {{ for_run_orgs(ref('int_orphans__classified')) }} as classified
    inner join {{ for_run_orgs(ref('int_orphans__path_dependence')) }} as dependence
        on dependence.org_id = classified.org_id and dependence.opportunity_id = classified.opportunity_id
    left join {{ for_run_orgs(ref('int_legacy__contracts')) }} as legacy_contracts
        on legacy_contracts.org_id = dependence.org_id
       and legacy_contracts.contract_id = dependence.walk_end_deal_group_id
       and legacy_contracts.link_state = 'OK'
    where classified.static_reason is null and not dependence.is_decided_statically
),

components as (
    select * from {{ for_run_orgs(ref('int_orphans__components')) }}
),

final as (
    select
        classified.org_id,
        classified.opportunity_id,
        classified.opportunity_type,
        classified.orphan_account_id,
        classified.is_lost,
        classified.close_date,
        classified.start_date,
        classified.end_date,
        classified.last_opportunity_id,
        classified.passed_openers as passed_orphans,
        classified.static_target_contract_id,
        components.component,
        row_number() over (
            partition by classified.org_id, components.component
            order by classified.close_date, {{ by_code_point('classified.opportunity_id') }}
        ) as decision_step
    from classified
    inner join components
        on components.org_id = classified.org_id and components.opportunity_id = classified.opportunity_id

)

select * from final
