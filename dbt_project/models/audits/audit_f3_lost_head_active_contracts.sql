-- F3: a live ACTIVE contract whose head opportunity (membership 1) is Closed Lost,
-- and each Won new-business opportunity in no deal group on that contract's account
-- (stranded: same finding_key as the contract).
with contracts as (
    select org_id, deal_group_id, crm_account_id
    from {{ ref('stg_app__live_deal_groups') }}
    where type = 'CONTRACT' and status = 'ACTIVE'
),

heads as (
    {{ live_heads() }}
),

lost as (
    select
        contracts.org_id,
        contracts.deal_group_id,
        heads.opportunity_id as head_opportunity_id,
        coalesce(heads.account_id, contracts.crm_account_id) as account_id
    from contracts
    inner join heads on heads.org_id = contracts.org_id and heads.deal_group_id = contracts.deal_group_id
    where heads.is_closed and not heads.is_won
),

stranded as (
    select
        lost.org_id,
        lost.deal_group_id,
        opportunities.opportunity_id
    from lost
    inner join {{ ref('stg_salesforce__opportunities') }} as opportunities
        on opportunities.org_id = lost.org_id and opportunities.account_id = lost.account_id
    inner join {{ ref('opportunity_types') }} as types
        on types.org_id = opportunities.org_id and types.opportunity_id = opportunities.opportunity_id
    where types.opportunity_type = 'NEW_BUSINESS'
        and opportunities.is_closed and opportunities.is_won and not opportunities.is_deleted
        and not exists (
            select 1 from {{ ref('stg_app__live_memberships') }} as memberships
            where memberships.org_id = opportunities.org_id
                and memberships.opportunity_id = opportunities.opportunity_id
        )
),

findings as (
    select
        org_id,
        'app.deal_group' as entity_table,
        deal_group_id as entity_id,
        deal_group_id as finding_key,
        'contract ' || deal_group_id || ' is ACTIVE but its head opportunity '
        || head_opportunity_id || ' is Closed Lost.' as detail
    from lost
    union all
    select
        org_id,
        'salesforce.opportunity' as entity_table,
        opportunity_id as entity_id,
        deal_group_id as finding_key,
        'Won new business ' || opportunity_id || ' is in no deal group on the account of contract '
        || deal_group_id || ', ACTIVE with a Closed Lost head (stranded).' as detail
    from stranded
)

{{ audit_final('F3') }}
