{{ config(indexes=[{'columns': ['org_id', 'account_id'], 'unique': true}]) }}
-- One account per (org, CRM account id) that holds a contract, and one per
-- legacy deal group without a CRM account (rule 3). Name from the CRM
-- account, else from the deal group.
-- The accounts holding a contract are known before the orphans are decided:
-- a legacy contract's, and the account of every won new-business orphan with
-- an account (each one either opens a contract of its account or finds one
-- covering its close date: rule 5); a renewal contract stays in its prior's
-- account. So it needs nothing of the decided contracts (D46).
with legacy as (
    select * from {{ for_run_orgs(ref('int_legacy__contracts')) }} where link_state = 'OK'
),

won_new_business_orphans as (
    select org_id, orphan_account_id, account_id
    from {{ for_run_orgs(ref('int_orphans__classified')) }}
    where static_reason is null and opportunity_type = 'NEW_BUSINESS'
),

crm_names as (
    select org_id, crm_account_id, min(name collate "C") as name
    from {{ for_run_orgs(ref('stg_salesforce__accounts')) }}
    where not is_deleted and name is not null and crm_account_id is not null
    group by org_id, crm_account_id
),

keys as (
    select distinct legacy.org_id, legacy.account_id, legacy.crm_account_id,
        case when legacy.crm_account_id is null then legacy.deal_group_name end as deal_group_name
    from legacy
    union
    select org_id, orphan_account_id, account_id, null
    from won_new_business_orphans
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
-- each org's rows side by side on disk: the apply, the GX check and the
-- org-scoped readers read one org at a time (D48)
order by org_id collate "C"
