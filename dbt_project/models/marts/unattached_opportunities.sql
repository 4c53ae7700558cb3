-- Every valid opportunity that joins no contract, with the rule-2 or rule-5
-- reason: DELETED, UNMAPPED_TYPE, NO_ACCOUNT, NEW_BUSINESS_OPEN,
-- NEW_BUSINESS_LOST, ACTIVE_CONTRACT_EXISTS, AMENDMENT_PRIOR_NOT_FOUND,
-- RENEWAL_PRIOR_NOT_FOUND, RENEWAL_LOST, RENEWAL_SUCCESSOR_EXISTS.
with legacy_deleted as (
    select org_id, opportunity_id, 'DELETED' as reason,
        'deleted member of deal group ' || deal_group_id as detail
    from {{ for_run_orgs(ref('int_legacy__members')) }}
    where is_deleted
),

orphans as (
    select org_id, opportunity_id, reason, detail
    from {{ for_run_orgs(ref('int_orphans__decisions')) }}
    where reason is not null
),

final as (
    select * from legacy_deleted
    union all
    select * from orphans
)

select * from final
