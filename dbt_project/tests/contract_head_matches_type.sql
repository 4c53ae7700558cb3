{{ config(meta={'dagster': {'ref': {'name': 'contract_memberships'}}}) }}
-- Invariant 3: membership 1 is NEW_BUSINESS for a new-business contract and
-- RENEWAL for a renewal; memberships 2+ are AMENDMENT.
select memberships.org_id, memberships.contract_id, memberships.opportunity_id,
    memberships.membership_sequence, memberships.opportunity_type, contracts.contract_type
from {{ for_run_orgs(ref('contract_memberships')) }} as memberships
inner join {{ for_run_orgs(ref('contracts')) }} as contracts
    on contracts.org_id = memberships.org_id and contracts.contract_id = memberships.contract_id
where (memberships.membership_sequence = 1 and memberships.opportunity_type <> contracts.contract_type)
   or (memberships.membership_sequence > 1 and memberships.opportunity_type <> 'AMENDMENT')
