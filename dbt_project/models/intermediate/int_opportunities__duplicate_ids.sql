-- Rule 0 DUPLICATE_ID, found once for the two readers that run side by side:
-- every (org, opportunity id) with more than one CRM row, and how many. Grouped
-- over the ids only, in the order of the source's index on (org_id, id) (a hash
-- aggregate of a million ids spilled to disk and took twice as long); a few rows.
select org_id, opportunity_id, count(*) as id_count
from {{ for_run_orgs(ref('stg_salesforce__opportunities')) }}
where org_id is not null and opportunity_id is not null
group by org_id, opportunity_id
having count(*) > 1
