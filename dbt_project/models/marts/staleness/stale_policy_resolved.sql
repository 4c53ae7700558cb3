-- The stale policy in force per (template, company): the template's own policy,
-- else the company's, else FULL. Rows: every template with its own company,
-- every company on its own (template_id NULL = the company default), and every
-- (template, inspection company) pair an agreement uses. `policy` is NULL when
-- a policy string on the path is not a known policy (listed in staleness_problems).
with pairs as (
    select template_id, company_id from {{ ref('stg_app__agreement_templates') }}
    union
    select null, company_id from {{ ref('stg_app__companies') }}
    union
    select template_id, company_id from {{ ref('int_staleness__checked_agreements') }}
    where template_id is not null and company_id is not null
)

select
    p.template_id,
    p.company_id,
    {{ resolve_stale_policy('t.stale_policy', 'c.stale_policy') }} as policy,
    {{ stale_policy_source('t.stale_policy', 'c.stale_policy') }} as policy_source,
    t.stale_policy_raw as template_policy_raw,
    c.stale_policy_raw as company_policy_raw
from pairs as p
left join {{ ref('stg_app__agreement_templates') }} as t on t.template_id = p.template_id
left join {{ ref('stg_app__companies') }} as c on c.company_id = p.company_id
