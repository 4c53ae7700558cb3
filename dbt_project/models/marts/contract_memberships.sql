{{ config(indexes=[{'columns': ['org_id', 'contract_id', 'opportunity_id'], 'unique': true}]) }}
-- Every opportunity's place in a contract (sequence 1 = head, 2+ =
-- amendments): legacy members by (close_date, id), then the amendments orphans
-- attached, in decision order (close_date, id). (Nested loops off: its inputs
-- are read whole, and an org-scoped build must not look each legacy member's
-- contract up by scanning the org's contracts.)
with legacy_members as (
    -- the live members of the deal groups that became contracts (rule 2)
    select members.org_id, members.deal_group_id as contract_id, members.opportunity_id,
        members.member_position as position, members.opportunity_type
    from {{ for_run_orgs(ref('int_legacy__members')) }} as members
    inner join {{ for_run_orgs(ref('int_legacy__contracts')) }} as legacy_contracts
        on legacy_contracts.org_id = members.org_id and legacy_contracts.contract_id = members.deal_group_id
    where not members.is_deleted and legacy_contracts.link_state = 'OK'
),

decisions as (
    -- the orphans that joined a contract (rule 5)
    select org_id, opportunity_id, attached_contract_id, created_contract_id, opportunity_type, close_date
    from {{ for_run_orgs(ref('int_orphans__decisions')) }}
    where attached_contract_id is not null
),

orphan_heads as (
    select org_id, attached_contract_id as contract_id, opportunity_id, 1::bigint as position, opportunity_type
    from decisions
    where created_contract_id is not null
),

base_size as (
    select org_id, contract_id, max(position) as size
    from (select * from legacy_members union all select * from orphan_heads) as heads_and_legacy
    group by org_id, contract_id
),

orphan_amendments as (
    select
        decisions.org_id,
        decisions.attached_contract_id as contract_id,
        decisions.opportunity_id,
        base_size.size + row_number() over (
            partition by decisions.org_id, decisions.attached_contract_id
            order by decisions.close_date, {{ by_code_point('decisions.opportunity_id') }}
        ) as position,
        decisions.opportunity_type
    from decisions
    inner join base_size
        on base_size.org_id = decisions.org_id and base_size.contract_id = decisions.attached_contract_id
    where decisions.created_contract_id is null
),

final as (
    select memberships.org_id, coalesce(adopted.contract_id, memberships.contract_id) as contract_id,
        memberships.opportunity_id, memberships.position::integer as membership_sequence,
        memberships.opportunity_type
    from (
        select * from legacy_members
        union all select * from orphan_heads
        union all select * from orphan_amendments
    ) as memberships
    -- a scaffolded renewal adopted by the opportunity that arrived for its prior (SPEC §4)
    left join {{ for_run_orgs(ref('int_contracts__adopted_scaffolds')) }} as adopted
        on adopted.org_id = memberships.org_id and adopted.computed_contract_id = memberships.contract_id
)

select * from final
-- each org's rows side by side on disk: the apply, the GX check and the
-- org-scoped readers read one org at a time (D48)
order by org_id collate "C"
