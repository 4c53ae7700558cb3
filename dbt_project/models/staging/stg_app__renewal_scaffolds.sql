-- Renewal successors the renewal job scaffolded (created_by = 'renewal_scaffold'), as the application holds them now.
select
    org_id,
    id as contract_id,
    prior_deal_group_id as prior_contract_id,
    prior_head_opportunity_id,
    status,
    created_at
from {{ source('app', 'deal_group') }}
where created_by = 'renewal_scaffold'
