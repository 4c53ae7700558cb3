-- Every source row the backfill will not use, with the reason and a detail
-- naming what is wrong (rule 0 and rule 2). Rows are counted, not ids: two
-- rows sharing an id are two rows here.
with opportunity_rows as (
    select org_id, 'opportunity' as source_table, opportunity_id as row_id, row_reason as reason,
        row_detail as detail
    from {{ for_run_orgs(ref('int_opportunities__typed')) }}
    where row_reason is not null
),

screened_opportunities as (
    select org_id, 'opportunity', opportunity_id, screen_reason, screen_detail
    from {{ for_run_orgs(ref('int_opportunities__screened')) }}
    where screen_reason is not null
),

deal_group_rows as (
    select org_id, 'deal_group', deal_group_id, row_reason, row_detail
    from {{ for_run_orgs(ref('int_deal_groups__checked')) }}
    where row_reason is not null
),

membership_rows as (
    select org_id, 'deal_group_opportunity', row_id, reason, detail
    from {{ for_run_orgs(ref('int_memberships__checked')) }}
    where reason is not null
),

unconverted_deal_groups as (
    select org_id, 'deal_group', deal_group_id, outcome, detail
    from {{ for_run_orgs(ref('int_legacy__deal_group_outcomes')) }}
    where outcome in ('EMPTY_DEAL_GROUP', 'LEGACY_TYPE_CONFLICT')
),

type_conflict_members as (
    select members.org_id, 'opportunity', members.opportunity_id, outcomes.outcome,
        'deal group ' || outcomes.deal_group_id || ': ' || outcomes.detail
    from {{ for_run_orgs(ref('int_legacy__members')) }} as members
    inner join {{ for_run_orgs(ref('int_legacy__deal_group_outcomes')) }} as outcomes
        on outcomes.org_id = members.org_id and outcomes.deal_group_id = members.deal_group_id
    where outcomes.outcome = 'LEGACY_TYPE_CONFLICT' and not members.is_deleted
),

duplicate_successors as (
    select org_id, 'deal_group', contract_id, 'LEGACY_DUPLICATE_SUCCESSOR', duplicate_detail
    from {{ for_run_orgs(ref('int_legacy__contracts')) }}
    where link_state = 'DUPLICATE'
),

duplicate_successor_members as (
    select members.org_id, 'opportunity', members.opportunity_id, 'LEGACY_DUPLICATE_SUCCESSOR',
        'member of deal group ' || contracts.contract_id || ', second successor of contract '
            || contracts.duplicated_prior_id
    from {{ for_run_orgs(ref('int_legacy__members')) }} as members
    inner join {{ for_run_orgs(ref('int_legacy__contracts')) }} as contracts
        on contracts.org_id = members.org_id and contracts.contract_id = members.deal_group_id
    where contracts.link_state = 'DUPLICATE' and not members.is_deleted
),

final as (
    select * from opportunity_rows
    union all select * from screened_opportunities
    union all select * from deal_group_rows
    union all select * from membership_rows
    union all select * from unconverted_deal_groups
    union all select * from type_conflict_members
    union all select * from duplicate_successors
    union all select * from duplicate_successor_members
)

select * from final
