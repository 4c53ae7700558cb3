-- Rule 2, per valid legacy deal group: CONVERTED (it becomes a contract whose
-- type is its head's), EMPTY_DEAL_GROUP (no members left), or
-- LEGACY_TYPE_CONFLICT (head not NEW_BUSINESS/RENEWAL, or a later member not
-- AMENDMENT; detail names the first offender). Head and term come along.
with deal_groups as (
    select * from {{ for_run_orgs(ref('int_deal_groups__checked')) }} where row_reason is null
),

kept as (
    select * from {{ for_run_orgs(ref('int_legacy__members')) }} where not is_deleted
),

opportunities as (
    select * from {{ for_run_orgs(ref('int_opportunities__typed')) }} where row_reason is null
),

offenders as (
    select distinct on (org_id, deal_group_id)
        org_id,
        deal_group_id,
        'opportunity ' || opportunity_id || ' is ' || opportunity_type
            || ' at position ' || member_position as detail
    from kept
    where (member_position = 1 and opportunity_type not in ('NEW_BUSINESS', 'RENEWAL'))
       or (member_position > 1 and opportunity_type <> 'AMENDMENT')
    order by org_id, deal_group_id, member_position
),

heads as (
    select * from kept where member_position = 1
),

final as (
    select
        deal_groups.org_id,
        deal_groups.deal_group_id,
        deal_groups.name,
        deal_groups.crm_account_id,
        case
            when deal_groups.crm_account_id is not null
                then {{ account_id_for_crm('deal_groups.org_id', 'deal_groups.crm_account_id') }}
            else {{ account_id_for_deal_group('deal_groups.org_id', 'deal_groups.deal_group_id') }}
        end as account_id,
        case
            when heads.opportunity_id is null then 'EMPTY_DEAL_GROUP'
            when offenders.deal_group_id is not null then 'LEGACY_TYPE_CONFLICT'
            else 'CONVERTED'
        end as outcome,
        case
            when heads.opportunity_id is null then 'no members left'
            else offenders.detail
        end as detail,
        heads.opportunity_id as head_opportunity_id,
        heads.opportunity_type as contract_type,
        head.close_date as head_close_date,
        head.last_opportunity_id as head_last_opportunity_id,
        head.is_closed as head_is_closed,
        head.is_won as head_is_won,
        head.start_date,
        head.end_date
    from deal_groups
    left join heads
        on heads.org_id = deal_groups.org_id and heads.deal_group_id = deal_groups.deal_group_id
    left join offenders
        on offenders.org_id = deal_groups.org_id and offenders.deal_group_id = deal_groups.deal_group_id
    left join opportunities as head
        on head.org_id = heads.org_id and head.opportunity_id = heads.opportunity_id
)

select * from final
