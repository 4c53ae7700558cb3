-- F8: a contract's head opportunity whose opportunity_replaced_by_c is set and is not
-- the head of the contract's computed non-archived successor (none counts as different).
with contracts as (
    select * from {{ ref('contracts') }}
),

successors as (
    select org_id, prior_contract_id, head_opportunity_id
    from contracts
    where prior_contract_id is not null and status <> 'ARCHIVED'
),

findings as (
    select
        contracts.org_id,
        'salesforce.opportunity' as entity_table,
        opportunities.opportunity_id as entity_id,
        contracts.contract_id as finding_key,
        'head ' || opportunities.opportunity_id || ' of contract ' || contracts.contract_id
        || ' is replaced by ' || opportunities.replaced_by_opportunity_id
        || ' in the CRM, but the computed successor''s head is '
        || coalesce((
            select string_agg(successors.head_opportunity_id, ', ' order by successors.head_opportunity_id)
            from successors
            where successors.org_id = contracts.org_id and successors.prior_contract_id = contracts.contract_id
        ), 'none') || '.' as detail
    from contracts
    inner join {{ ref('stg_salesforce__opportunities') }} as opportunities
        on opportunities.org_id = contracts.org_id and opportunities.opportunity_id = contracts.head_opportunity_id
    where opportunities.replaced_by_opportunity_id is not null
        and not exists (
            select 1 from successors
            where successors.org_id = contracts.org_id
                and successors.prior_contract_id = contracts.contract_id
                and successors.head_opportunity_id = opportunities.replaced_by_opportunity_id
        )
)

{{ audit_final('F8') }}
