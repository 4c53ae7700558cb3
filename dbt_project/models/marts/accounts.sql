{{ config(indexes=[{'columns': ['org_id', 'account_id'], 'unique': true}]) }}
-- One account per (org, CRM account id) that holds a contract, and one per
-- legacy deal group without a CRM account (rule 3). Name from the CRM
-- account, else from the deal group.
with contracts as (
    select * from {{ ref('int_contracts__unioned') }}
),

legacy as (
    select * from {{ ref('int_legacy__contracts') }} where link_state = 'OK'
),

opportunities as (
    select * from {{ ref('int_opportunities__valid') }}
),

crm_names as (
    select org_id, crm_account_id, min(name collate "C") as name
    from {{ ref('stg_salesforce__accounts') }}
    where not is_deleted and name is not null and crm_account_id is not null
    group by org_id, crm_account_id
),

keys as (
    select distinct legacy.org_id, legacy.account_id, legacy.crm_account_id,
        case when legacy.crm_account_id is null then legacy.deal_group_name end as deal_group_name
    from legacy
    union
    select contracts.org_id, contracts.account_id, opportunities.account_id, null
    from contracts
    inner join opportunities
        on opportunities.org_id = contracts.org_id
       and opportunities.opportunity_id = contracts.head_opportunity_id
    where contracts.legacy_deal_group_id is null and contracts.contract_type = 'NEW_BUSINESS'
),

final as (
    select
        keys.org_id,
        keys.account_id,
        keys.crm_account_id,
        coalesce(crm_names.name, keys.deal_group_name) as name
    from keys
    left join crm_names
        on crm_names.org_id = keys.org_id and crm_names.crm_account_id = keys.crm_account_id
)

select * from final
