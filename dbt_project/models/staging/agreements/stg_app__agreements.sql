-- Agreements as the application holds them, with the signed snapshot split into its fact classes.
select
    agreement_id,
    inspection_id,
    template_id,
    status,
    signed_at,
    signed_template_version,
    signed_content_hash,
    signed_facts,
    is_stale,
    stale_at,
    coalesce(jsonb_typeof(signed_facts) = 'object', false) as has_signed_facts
from {{ source('app', 'agreement') }}
