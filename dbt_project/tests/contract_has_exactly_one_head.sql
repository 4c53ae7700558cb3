{{ config(meta={'dagster': {'ref': {'name': 'contracts'}}}) }}
-- Invariant 6: every contract has exactly one head (membership 1) and it is
-- the contract's head opportunity.
select contracts.org_id, contracts.contract_id, count(memberships.opportunity_id) as heads
from {{ for_run_orgs(ref('contracts')) }} as contracts
left join {{ for_run_orgs(ref('contract_memberships')) }} as memberships
    on memberships.org_id = contracts.org_id
   and memberships.contract_id = contracts.contract_id
   and memberships.membership_sequence = 1
   and memberships.opportunity_id = contracts.head_opportunity_id
group by contracts.org_id, contracts.contract_id
having count(memberships.opportunity_id) <> 1
