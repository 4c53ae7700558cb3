-- One row per org in the sources: every opportunity row lands exactly once,
-- attached + unattached + quarantined = input (invariant 5).
with orgs as (
    select org_id from {{ for_run_orgs(ref('stg_salesforce__opportunities')) }}
    union select org_id from {{ for_run_orgs(ref('stg_app__deal_groups')) }}
    union select org_id from {{ for_run_orgs(ref('stg_app__deal_group_opportunities')) }}
    union select org_id from {{ for_run_orgs(ref('stg_app__organizations')) }}
),

inputs as (
    select org_id, count(*) as n from {{ for_run_orgs(ref('stg_salesforce__opportunities')) }} group by org_id
),

attached as (
    select org_id, count(*) as n from {{ for_run_orgs(ref('contract_memberships')) }} group by org_id
),

unattached as (
    select org_id, count(*) as n from {{ for_run_orgs(ref('unattached_opportunities')) }} group by org_id
),

quarantined as (
    select org_id, count(*) as n from {{ for_run_orgs(ref('quarantined_rows')) }}
    where source_table = 'opportunity'
    group by org_id
),

final as (
    select
        orgs.org_id,
        coalesce(inputs.n, 0) as input_opportunities,
        coalesce(attached.n, 0) as attached,
        coalesce(unattached.n, 0) as unattached,
        coalesce(quarantined.n, 0) as quarantined,
        coalesce(inputs.n, 0) = coalesce(attached.n, 0) + coalesce(unattached.n, 0) + coalesce(quarantined.n, 0)
            as is_balanced
    from orgs
    left join inputs on inputs.org_id is not distinct from orgs.org_id
    left join attached on attached.org_id is not distinct from orgs.org_id
    left join unattached on unattached.org_id is not distinct from orgs.org_id
    left join quarantined on quarantined.org_id is not distinct from orgs.org_id
)

select * from final
