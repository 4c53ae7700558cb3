-- Companies and their default stale policy, normalized (trimmed, upper-case); the raw text kept for reports.
select
    company_id,
    name,
    stale_policy as stale_policy_raw,
    {{ normalize_stale_policy('stale_policy') }} as stale_policy
from {{ source('app', 'company') }}
