{{ config(meta={'dagster': {'ref': {'name': 'contract_memberships'}}}) }}
-- Invariant 5, row by row: every opportunity whose id is unique in its org
-- lands in exactly one of the memberships, the unattached list and the
-- quarantine. (Rows sharing an id, or with no id, land only in the
-- quarantine and are counted by backfill_reconciliation.)
with landings as (
    select org_id, opportunity_id, 'attached' as place from {{ for_run_orgs(ref('contract_memberships')) }}
    union all
    select org_id, opportunity_id, 'unattached' from {{ for_run_orgs(ref('unattached_opportunities')) }}
    union all
    select org_id, row_id, 'quarantined' from {{ for_run_orgs(ref('quarantined_rows')) }}
    where source_table = 'opportunity'
),

sources as (
    select org_id, opportunity_id
    from {{ for_run_orgs(ref('int_opportunities__typed')) }}
    where org_id is not null and opportunity_id is not null and id_count = 1
),

-- counted by hash first: joining every source to its landings and grouping
-- the join sorted a million rows (once per parallel worker)
landing_counts as (
    select org_id, opportunity_id, count(*) as landings
    from landings
    group by org_id, opportunity_id
),

failures as (
    select sources.org_id, sources.opportunity_id, coalesce(landing_counts.landings, 0) as landings
    from sources
    left join landing_counts
        on landing_counts.org_id = sources.org_id and landing_counts.opportunity_id = sources.opportunity_id
    where coalesce(landing_counts.landings, 0) <> 1
),

failure_places as (
    select landings.org_id, landings.opportunity_id, string_agg(landings.place, ', ' order by landings.place) as places
    from landings
    inner join failures
        on failures.org_id = landings.org_id and failures.opportunity_id = landings.opportunity_id
    group by landings.org_id, landings.opportunity_id
)

select failures.org_id, failures.opportunity_id, failures.landings, failure_places.places
from failures
left join failure_places
    on failure_places.org_id = failures.org_id and failure_places.opportunity_id = failures.opportunity_id
