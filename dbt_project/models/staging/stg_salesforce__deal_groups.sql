-- Deal_Group__c records as the CRM sync landed them (the mirror's other side,
-- SPEC §5): 1:1 with the source rows.
with source as (
    select * from {{ source('salesforce', 'deal_group_c') }}
),

final as (
    select
        org_id,
        id,
        deal_group_id_c,
        name,
        account_c,
        status_c,
        group_effective_date_c,
        group_end_date_c,
        renewal_opportunity_c,
        prior_deal_group_c,
        contract_type_c,
        engagement_sequence_c,
        system_modstamp
    from source
)

select * from final
