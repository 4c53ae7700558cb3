{{ config(meta={'dagster': {'ref': {'name': 'backfill_reconciliation'}}}) }}
-- Invariant 5, row by row: every opportunity whose id is unique in its org
-- lands in exactly one of the memberships, the unattached list and the
-- quarantine. (Rows sharing an id, or with no id, land only in the
-- quarantine and are counted by backfill_reconciliation.)
with landings as (
    select org_id, opportunity_id, 'attached' as place from {{ ref('contract_memberships') }}
    union all
    select org_id, opportunity_id, 'unattached' from {{ ref('unattached_opportunities') }}
    union all
    select org_id, row_id, 'quarantined' from {{ ref('quarantined_rows') }}
    where source_table = 'opportunity'
),

sources as (
    select org_id, opportunity_id
    from {{ ref('int_opportunities__typed') }}
    where org_id is not null and opportunity_id is not null and id_count = 1
)

select sources.org_id, sources.opportunity_id, count(landings.place) as landings,
    string_agg(landings.place, ', ') as places
from sources
left join landings
    on landings.org_id = sources.org_id and landings.opportunity_id = sources.opportunity_id
group by sources.org_id, sources.opportunity_id
having count(landings.place) <> 1
