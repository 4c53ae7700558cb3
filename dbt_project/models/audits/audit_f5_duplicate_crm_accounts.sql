-- F5: two or more app.account rows of one org sharing a non-null crm_account_id;
-- one finding per CRM id, a row per account.
with accounts as (
    select
        org_id,
        account_id,
        crm_account_id,
        count(*) over (partition by org_id, crm_account_id) as sharing
    from {{ ref('stg_app__accounts') }}
    where crm_account_id is not null
),

findings as (
    select
        org_id,
        'app.account' as entity_table,
        account_id as entity_id,
        crm_account_id as finding_key,
        'account ' || account_id || ' is one of ' || sharing || ' accounts with CRM account id '
        || crm_account_id || '.' as detail
    from accounts
    where sharing > 1
)

{{ audit_final('F5') }}
