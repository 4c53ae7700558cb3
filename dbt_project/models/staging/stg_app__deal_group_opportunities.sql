-- Legacy memberships (deal group ↔ opportunity), excluding rows the backfill
-- wrote itself (decision D2). SPEC §2's membership table has no org_id: a row
-- without one takes the org of its deal group, when exactly one org has a deal
-- group of that id (otherwise org_id stays null and the row is quarantined
-- MISSING_REFERENCE, like any membership naming no deal group of its org).
--
-- Two branches, rows with their own org and rows without, so that an org filter
-- on this view reaches the source's (org_id, deal_group_id) index: one org's
-- memberships are read without resolving every deal group's org first.
with memberships_without_org as (
    select * from {{ source('app', 'deal_group_opportunity') }}
    where org_id is null and created_by is null
),

deal_group_orgs as (
    {{ org_of_unique_parent_id(
        source('app', 'deal_group'),
        where='created_by is null and id in (select deal_group_id from memberships_without_org)'
    ) }}
),

final as (
    select org_id, deal_group_id, opportunity_id, sequence as legacy_sequence
    from {{ source('app', 'deal_group_opportunity') }}
    where org_id is not null and created_by is null

    union all

    select
        deal_group_orgs.org_id,
        memberships.deal_group_id,
        memberships.opportunity_id,
        memberships.sequence as legacy_sequence
    from memberships_without_org as memberships
    left join deal_group_orgs on deal_group_orgs.id = memberships.deal_group_id
)

select * from final
