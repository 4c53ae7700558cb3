{{ config(meta={'dagster': {'ref': {'name': 'engagements'}}}) }}
-- Invariant 6: every engagement of a contract exists and has at least one
-- contract; every contract's account exists.
select contracts.org_id, contracts.contract_id, contracts.engagement_id, contracts.account_id
from {{ for_run_orgs(ref('contracts')) }} as contracts
left join {{ for_run_orgs(ref('engagements')) }} as engagements
    on engagements.org_id = contracts.org_id and engagements.engagement_id = contracts.engagement_id
left join {{ for_run_orgs(ref('accounts')) }} as accounts
    on accounts.org_id = contracts.org_id and accounts.account_id = contracts.account_id
where engagements.engagement_id is null or accounts.account_id is null or engagements.contract_count < 1
