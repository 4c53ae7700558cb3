-- One row per CRM opportunity row, as synced: duplicates and nulls are kept
-- here and judged in intermediate/. Extra source columns are ignored.
with source as (
    select * from {{ source('salesforce', 'opportunity') }}
),

final as (
    select
        org_id,
        id as opportunity_id,
        account_id,
        name,
        type as crm_type,
        stage_name,
        coalesce(is_closed, false) as is_closed,
        coalesce(is_won, false) as is_won,
        close_date,
        amount,
        record_type_id,
        coalesce(is_deleted, false) as is_deleted,
        system_modstamp,
        last_opportunity_c as last_opportunity_id,
        opportunity_replaced_by_c as replaced_by_opportunity_id,
        contract_start_date_c as contract_start_date,
        contract_end_date_c as contract_end_date
    from source
)

select * from final
