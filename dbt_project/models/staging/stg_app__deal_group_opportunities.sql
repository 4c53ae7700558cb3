-- Legacy memberships (deal group ↔ opportunity), excluding rows the backfill
-- wrote itself (decision D2). SPEC §2's membership table has no org_id: a row
-- without one takes the org of its deal group, when exactly one org has a deal
-- group of that id (otherwise org_id stays null and the row is quarantined
-- MISSING_REFERENCE, like any membership naming no deal group of its org).
with memberships as (
    select * from {{ source('app', 'deal_group_opportunity') }}
),

deal_group_orgs as (
    {{ org_of_unique_parent_id(source('app', 'deal_group'), where='created_by is null') }}
),

final as (
    select
        coalesce(memberships.org_id, deal_group_orgs.org_id) as org_id,
        memberships.deal_group_id,
        memberships.opportunity_id,
        memberships.sequence as legacy_sequence
    from memberships
    left join deal_group_orgs
        on memberships.org_id is null and deal_group_orgs.id = memberships.deal_group_id
    where memberships.created_by is null
)

select * from final
