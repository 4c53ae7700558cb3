-- The mirror's push log (SPEC §5 ledger): one row per record a push sent, 1:1
-- with platform.mirror_push_log.
with source as (
    select * from {{ source('platform', 'mirror_push_log') }}
),

final as (
    select
        push_id,
        org_id,
        contract_id,
        salesforce_id,
        result,
        error_code,
        error_message,
        payload_hash,
        payload,
        fields_sent,
        pushed_at
    from source
)

select * from final
