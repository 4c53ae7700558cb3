-- Every membership row, the platform's own included; SPEC §2's rows carry no
-- org: they take the org of their deal group when exactly one org has that id
-- (D58; two branches, as in stg_app__deal_group_opportunities).
{{ config(tags=['audit']) }}

with memberships_without_org as (
    select * from {{ source('app', 'deal_group_opportunity') }} where org_id is null
),

deal_group_orgs as (
    {{ org_of_unique_parent_id(
        source('app', 'deal_group'), where='id in (select deal_group_id from memberships_without_org)'
    ) }}
),

final as (
    select org_id, deal_group_id, opportunity_id, sequence
    from {{ source('app', 'deal_group_opportunity') }}
    where org_id is not null

    union all

    select
        deal_group_orgs.org_id,
        memberships.deal_group_id,
        memberships.opportunity_id,
        memberships.sequence
    from memberships_without_org as memberships
    left join deal_group_orgs on deal_group_orgs.id = memberships.deal_group_id
)

select * from final
