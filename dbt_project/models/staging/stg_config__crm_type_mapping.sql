-- The CRM type vocabulary seed with its normalized matching key (rule 1).
with source as (
    select * from {{ ref('crm_type_mapping') }}
),

final as (
    select
        org_id,
        crm_type,
        {{ normalize_crm_type('crm_type') }} as crm_type_key,
        opportunity_type
    from source
)

select * from final
