-- Agreement templates: body, version, body hash, and the template-level stale policy (normalized).
select
    template_id,
    company_id,
    name,
    body,
    version,
    {{ sha256_hex('body') }} as body_sha256,
    updated_at,
    stale_policy as stale_policy_raw,
    {{ normalize_stale_policy('stale_policy') }} as stale_policy
from {{ source('app', 'agreement_template') }}
