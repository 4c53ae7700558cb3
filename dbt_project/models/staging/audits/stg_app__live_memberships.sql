-- Every membership row, the platform's own included; SPEC §2's rows carry no
-- org: they take the org of their deal group when exactly one org has that id.
{{ config(tags=['audit']) }}

with memberships as (
    select * from {{ source('app', 'deal_group_opportunity') }}
),

deal_group_orgs as (
    {{ org_of_unique_parent_id(source('app', 'deal_group')) }}
),

final as (
    select
        coalesce(memberships.org_id, deal_group_orgs.org_id) as org_id,
        memberships.deal_group_id,
        memberships.opportunity_id,
        memberships.sequence
    from memberships
    left join deal_group_orgs
        on memberships.org_id is null and deal_group_orgs.id = memberships.deal_group_id
)

select * from final
