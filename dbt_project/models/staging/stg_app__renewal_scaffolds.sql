-- Renewal successors the renewal job scaffolded (created_by = 'renewal_scaffold'),
-- as the application holds them now, and the ones the backfill already adopted
-- (created_by = 'engagement_backfill', still carrying the head of their prior):
-- an adopted scaffold keeps its id on every later run (D29).
select
    org_id,
    id as contract_id,
    prior_deal_group_id as prior_contract_id,
    prior_head_opportunity_id,
    status,
    created_at,
    created_by = 'engagement_backfill' as is_adopted
from {{ source('app', 'deal_group') }}
where created_by = 'renewal_scaffold'
   or (created_by = 'engagement_backfill' and prior_head_opportunity_id is not null)
