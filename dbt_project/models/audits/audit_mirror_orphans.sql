-- MIRROR_ORPHAN: a Deal_Group__c record of a writeback-enabled org whose
-- Deal_Group_Id__c names no computed contract (the mirror never deletes: SPEC §5).
with synced as (
    select * from {{ ref('stg_salesforce__deal_groups') }}
),

mirrored_orgs as (
    select org_id from {{ ref('org_flag_states') }} where deal_group_writeback_enabled
),

contracts as (
    select org_id, contract_id from {{ ref('contracts') }}
),

findings as (
    select
        synced.org_id,
        'salesforce.deal_group_c' as entity_table,
        synced.id as entity_id,
        synced.id as finding_key,
        'Deal_Group__c ' || synced.id || ' carries Deal_Group_Id__c '
        || coalesce(nullif(synced.deal_group_id_c, ''), '(none)')
        || ', which names no contract; the mirror never deletes it.' as detail
    from synced
    inner join mirrored_orgs on mirrored_orgs.org_id = synced.org_id
    left join contracts
        on contracts.org_id = synced.org_id and contracts.contract_id = synced.deal_group_id_c
    where contracts.contract_id is null
)

{{ audit_final('MIRROR_ORPHAN') }}
