-- Quotes 1:1 with the source rows, as the F2 audit reads them.
{{ config(tags=['audit']) }}

select
    org_id,
    id as quote_id,
    opportunity_id,
    deal_group_id,
    coalesce(is_primary, false) as is_primary,
    status,
    created_at,
    coalesce(is_system_draft, false) as is_system_draft
from {{ source('app', 'quote') }}
