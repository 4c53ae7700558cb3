-- The renewal link of every synced Deal_Group__c as this run saw it. The renewal
-- sensor compares the live rows against it, so only a changed
-- renewal_opportunity_c — not an edit of any other field (F2's cause) — starts a run.
select distinct on (org_id, id) org_id, id, renewal_opportunity_c as renewal_opportunity_id
from {{ for_run_orgs(ref('stg_salesforce__deal_groups')) }}
where org_id is not null and id is not null
order by org_id, id, system_modstamp desc nulls last
