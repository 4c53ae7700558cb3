-- Rule 1: the canonical type of every opportunity with a usable id (non-null,
-- unique in its org), with the CRM string it came from.
with typed as (
    select * from {{ for_run_orgs(ref('int_opportunities__typed')) }}
),

final as (
    select org_id, opportunity_id, crm_type, opportunity_type
    from typed
    where opportunity_id is not null and org_id is not null and id_count = 1
)

select * from final
