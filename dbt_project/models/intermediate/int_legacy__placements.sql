-- Rule 2's verdict on each member of a valid legacy deal group, ids only: the
-- legacy contract it is placed in and its position there (its deal group
-- converted and continues its engagement, rule 2, and the member is not
-- deleted); whether it is deleted (unattached DELETED); and whether it is left
-- out of the hierarchy because its deal group is quarantined
-- (LEGACY_TYPE_CONFLICT, LEGACY_DUPLICATE_SUCCESSOR) or converted to nothing.
-- A legacy contract exists only for a converted deal group, so its link state
-- says all. Read by int_opportunities__valid and by the orphans' pointer walk,
-- which then need not wait for each other.
with members as (
    select * from {{ ref('int_legacy__members') }}
),

legacy_contracts as (
    select org_id, contract_id, link_state from {{ ref('int_legacy__contracts') }}
),

final as (
    select
        members.org_id,
        members.opportunity_id,
        members.deal_group_id,
        case when legacy_contracts.link_state = 'OK' and not members.is_deleted
            then legacy_contracts.contract_id end as legacy_contract_id,
        case when legacy_contracts.link_state = 'OK' and not members.is_deleted
            then members.member_position end as legacy_member_position,
        members.is_deleted,
        not members.is_deleted and legacy_contracts.link_state is distinct from 'OK' as is_left_out
    from members
    left join legacy_contracts
        on legacy_contracts.org_id = members.org_id and legacy_contracts.contract_id = members.deal_group_id
)

select * from final
