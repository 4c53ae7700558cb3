-- Every deal group as the application holds it now (legacy, backfill-made and
-- scaffolded rows alike), with its live engagement columns.
{{ config(tags=['audit']) }}

with source as (
    select * from {{ source('app', 'deal_group') }}
),

final as (
    select
        org_id,
        id as deal_group_id,
        name,
        crm_account_id,
        type,
        account_id,
        engagement_id,
        engagement_sequence,
        contract_type,
        status,
        prior_deal_group_id,
        created_by
    from source
)

select * from final
