{{ config(materialized='view') }}
-- Every agreement with what decides whether and how it is checked: its
-- inspection (attik or not), its template, the company, the resolved stale
-- policy. A view: the staleness sensor reads it live to skip work a policy
-- makes pointless (a charge-only batch under SELECTIVE).
select
    a.agreement_id,
    a.inspection_id,
    a.template_id,
    a.status,
    a.signed_at,
    a.signed_template_version,
    a.signed_content_hash,
    a.signed_facts,
    a.has_signed_facts,
    a.is_stale,
    a.stale_at,
    i.company_id,
    i.report_id,
    i.inspection_id is not null as has_inspection,
    t.template_id is not null as has_template,
    a.status = 'ACTIVE' and coalesce(i.is_checked_for_staleness, false) as is_checked,
    {{ resolve_stale_policy('t.stale_policy', 'c.stale_policy') }} as policy,
    {{ stale_policy_source('t.stale_policy', 'c.stale_policy') }} as policy_source
from {{ ref('stg_app__agreements') }} as a
left join {{ ref('stg_app__inspections') }} as i on i.inspection_id = a.inspection_id
left join {{ ref('stg_app__agreement_templates') }} as t on t.template_id = a.template_id
left join {{ ref('stg_app__companies') }} as c on c.company_id = i.company_id
