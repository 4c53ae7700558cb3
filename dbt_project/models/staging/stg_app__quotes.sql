-- Quotes 1:1 with the source rows: what the renewal seeding and the F2 audit read
-- (a view the backfill builds, as it builds the other shared staging views).
select
    org_id,
    id as quote_id,
    opportunity_id,
    deal_group_id,
    coalesce(is_primary, false) as is_primary,
    status,
    created_at,
    signed_at,
    coalesce(is_system_draft, false) as is_system_draft,
    seed_hash
from {{ source('app', 'quote') }}
