-- CRM accounts, for account names.
with source as (
    select * from {{ source('salesforce', 'account') }}
),

final as (
    select
        org_id,
        id as crm_account_id,
        name,
        coalesce(is_deleted, false) as is_deleted
    from source
)

select * from final
