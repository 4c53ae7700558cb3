-- Every contract of the backfill, before the lifecycle: the converted legacy
-- deal groups (rule 2) and the contracts orphans opened (rule 5), each with
-- its head opportunity's closed/won state and its term. (Nested loops off:
-- int_opportunities__typed is indexed by org only; see int_legacy__members.)
with legacy as (
    select * from {{ for_run_orgs(ref('int_legacy__contracts')) }} where link_state = 'OK'
),

made_by_orphans as (
    select * from {{ for_run_orgs(ref('int_orphans__decisions')) }} where created_contract_id is not null
),

heads as (
    -- every head is a valid opportunity (a legacy head or a deciding orphan)
    select * from {{ for_run_orgs(ref('int_opportunities__typed')) }}
),

unioned as (
    select
        org_id, contract_id, account_id, engagement_id, engagement_sequence, contract_type,
        prior_contract_id, head_opportunity_id, start_date, end_date, contract_id as legacy_deal_group_id,
        deal_group_name as contract_name
    from legacy
    union all
    select
        org_id, created_contract_id, account_id, engagement_id, engagement_sequence, opportunity_type,
        prior_contract_id, opportunity_id, start_date, end_date, null, null
    from made_by_orphans
),

final as (
    select
        unioned.org_id, unioned.contract_id, unioned.account_id, unioned.engagement_id,
        unioned.engagement_sequence, unioned.contract_type, unioned.prior_contract_id,
        unioned.head_opportunity_id, unioned.start_date, unioned.end_date, unioned.legacy_deal_group_id,
        coalesce(unioned.contract_name, head.opportunity_name) as contract_name,
        head.is_closed as head_is_closed,
        head.is_won_closed as head_is_won,
        head.is_lost as head_is_lost,
        head.close_date as head_close_date
    from unioned
    inner join heads as head
        on head.org_id = unioned.org_id and head.opportunity_id = unioned.head_opportunity_id
)

select * from final
