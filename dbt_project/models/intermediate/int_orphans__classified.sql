{{ config(indexes=[{'columns': ['org_id', 'opportunity_id'], 'unique': true}]) }}
-- Rule 5, the part that needs no history: every orphan (a valid opportunity
-- in no legacy contract) either gets its unattached reason here, or is
-- DYNAMIC — a won new business, an amendment with a pointer, or a renewal —
-- and is decided in order by int_orphans__decisions.
with valid as (
    select * from {{ ref('int_opportunities__valid') }}
),

orphans as (
    select * from valid where legacy_contract_id is null and not is_legacy_deleted
),

final as (
    select
        orphans.*,
        case when orphans.account_id is not null
            then {{ account_id_for_crm('orphans.org_id', 'orphans.account_id') }}
        end as orphan_account_id,
        case
            when is_deleted then 'DELETED'
            when opportunity_type = 'OTHER' then 'UNMAPPED_TYPE'
            when account_id is null
                and (opportunity_type = 'NEW_BUSINESS'
                     or (opportunity_type = 'RENEWAL' and last_opportunity_id is null))
                then 'NO_ACCOUNT'
            when opportunity_type = 'NEW_BUSINESS' and not is_closed then 'NEW_BUSINESS_OPEN'
            when opportunity_type = 'NEW_BUSINESS' and is_lost then 'NEW_BUSINESS_LOST'
            when opportunity_type = 'AMENDMENT' and last_opportunity_id is null
                then 'AMENDMENT_PRIOR_NOT_FOUND'
        end as static_reason,
        case
            when is_deleted then 'opportunity is deleted'
            when opportunity_type = 'OTHER' and crm_type is null then 'crm type is null'
            when opportunity_type = 'OTHER' then 'crm type ''' || crm_type || ''' is not mapped'
            when account_id is null
                and (opportunity_type = 'NEW_BUSINESS'
                     or (opportunity_type = 'RENEWAL' and last_opportunity_id is null))
                then 'account_id is null'
            when opportunity_type = 'NEW_BUSINESS' and not is_closed then 'new business is not closed'
            when opportunity_type = 'NEW_BUSINESS' and is_lost then 'new business is closed lost'
            when opportunity_type = 'AMENDMENT' and last_opportunity_id is null
                then 'last_opportunity_c is null'
        end as static_detail
    from orphans
)

select * from final
