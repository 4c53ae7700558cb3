-- Everything the staleness pipeline could not read, one row per problem, with
-- the table and row it is about: unreadable or unknown change events, unknown
-- policy strings, templates without a version, and every checked agreement
-- whose staleness could not be decided, with the reason (left as it is by the apply).
with events as (
    select * from {{ ref('stg_app__change_events') }}
),

inspections as (
    select inspection_id from {{ ref('stg_app__inspections') }}
),

templates as (
    select template_id, version from {{ ref('stg_app__agreement_templates') }}
)

select 'app.change_event' as source_table, event_id::text as row_id, event_problem as reason,
       'source=' || coalesce(source, 'NULL') || ' op=' || coalesce(op, 'NULL')
       || ' changed_fields=' || coalesce(changed_fields::text, 'NULL') as detail
from events
where event_problem is not null

union all
select 'app.change_event', e.event_id::text, 'UNKNOWN_INSPECTION',
       'inspection ' || coalesce(e.inspection_id, 'NULL') || ' does not exist (source=' || e.source || ')'
from events as e
where e.source in ('inspection', 'charge') and e.op is distinct from 'delete'
  and not exists (select 1 from inspections as i where i.inspection_id = e.inspection_id)

union all
select 'app.change_event', e.event_id::text, 'UNKNOWN_TEMPLATE',
       'template ' || coalesce(e.template_id, 'NULL') || ' does not exist'
from events as e
where e.source = 'template' and e.op is distinct from 'delete'
  and not exists (select 1 from templates as t where t.template_id = e.template_id)

union all
select 'app.company', company_id, 'UNKNOWN_STALE_POLICY', 'stale_policy ' || quote_literal(stale_policy_raw)
from {{ ref('stg_app__companies') }}
where stale_policy is not null and stale_policy not in {{ stale_policies() }}

union all
select 'app.agreement_template', template_id, 'UNKNOWN_STALE_POLICY', 'stale_policy ' || quote_literal(stale_policy_raw)
from {{ ref('stg_app__agreement_templates') }}
where stale_policy is not null and stale_policy not in {{ stale_policies() }}

union all
select 'app.agreement_template', template_id, 'TEMPLATE_WITHOUT_VERSION', 'version is NULL'
from templates
where version is null

union all
select 'app.inspection', inspection_id, 'PEOPLE_NOT_OBJECT', 'people is a JSON ' || people_json_type
from {{ ref('stg_app__inspections') }}
where is_checked_for_staleness and people_json_type not in ('object', 'null')

union all
select 'app.agreement', agreement_id, undetermined_reason,
       'staleness undetermined under policy ' || coalesce(policy, 'unknown')
       || coalesce(' (template ' || template_id || ')', ' (no template)') || '; is_stale left as it is'
from {{ ref('agreement_staleness') }}
where is_stale is null
