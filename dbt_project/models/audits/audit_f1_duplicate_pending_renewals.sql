-- F1: two or more PENDING renewals of one prior. Live: app.deal_group as it is now
-- (an adopted database may hold them: init-db then could not create the unique
-- index); computed: marts.contracts. One finding per prior, a row per successor.
with live as (
    select
        org_id,
        deal_group_id,
        prior_deal_group_id,
        count(*) over (partition by org_id, prior_deal_group_id) as successors
    from {{ ref('stg_app__live_deal_groups') }}
    where type = 'CONTRACT' and contract_type = 'RENEWAL' and status = 'PENDING'
        and prior_deal_group_id is not null
),

computed as (
    select
        org_id,
        contract_id,
        prior_contract_id,
        count(*) over (partition by org_id, prior_contract_id) as successors
    from {{ ref('contracts') }}
    where contract_type = 'RENEWAL' and status = 'PENDING' and prior_contract_id is not null
),

findings as (
    select
        org_id,
        'app.deal_group' as entity_table,
        deal_group_id as entity_id,
        prior_deal_group_id as finding_key,
        'live: ' || successors || ' PENDING renewals name prior ' || prior_deal_group_id
        || '; ' || deal_group_id || ' is one of them.' as detail
    from live
    where successors > 1
    union all
    select
        org_id,
        'marts.contracts' as entity_table,
        contract_id as entity_id,
        'computed:' || prior_contract_id as finding_key,
        'computed: ' || successors || ' PENDING renewals name prior ' || prior_contract_id
        || '; ' || contract_id || ' is one of them.' as detail
    from computed
    where successors > 1
)

{{ audit_final('F1') }}
