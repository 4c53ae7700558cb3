-- MIRROR_DUPLICATE_KEY: two or more Deal_Group__c records of a writeback-enabled
-- org sharing one Deal_Group_Id__c; one finding per key, a row per record. The
-- mirror refuses that contract (marts.mirror_plan) until one record is left.
with synced as (
    select
        org_id,
        id,
        deal_group_id_c,
        count(*) over (partition by org_id, deal_group_id_c) as sharing
    from {{ ref('stg_salesforce__deal_groups') }}
    where nullif(deal_group_id_c, '') is not null
),

mirrored_orgs as (
    select org_id from {{ ref('org_flag_states') }} where deal_group_writeback_enabled
),

findings as (
    select
        synced.org_id,
        'salesforce.deal_group_c' as entity_table,
        synced.id as entity_id,
        synced.deal_group_id_c as finding_key,
        'Deal_Group__c ' || synced.id || ' is one of ' || synced.sharing
        || ' records with Deal_Group_Id__c ' || synced.deal_group_id_c
        || '; the mirror sends nothing for that contract until one is left.' as detail
    from synced
    inner join mirrored_orgs on mirrored_orgs.org_id = synced.org_id
    where synced.sharing > 1
)

{{ audit_final('MIRROR_DUPLICATE_KEY') }}
