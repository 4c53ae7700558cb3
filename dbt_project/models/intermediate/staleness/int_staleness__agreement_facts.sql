{{ config(materialized='view') }}
-- (A view: the staleness sensor's runs read it for a few inspections; marts.agreement_facts
-- is the full table.) For every checked agreement (ACTIVE, attik job): the facts it depends on, now
-- and as signed, one canonical text per class of SPEC §6 (property, people,
-- datetime, charges, template), and the hash of the resolved content.
-- NULL in a *_signed column = the signed snapshot does not hold that class in a
-- readable form; NULL in people_facts = people is not a JSON object.
-- One SELECT, no CTE: a filter on inspection_id reaches the base tables' indexes.
select
    a.agreement_id,
    a.inspection_id,
    a.template_id,
    a.company_id,
    a.report_id,
    a.policy,
    a.policy_source,
    a.signed_at,
    a.has_template,
    t.version as template_version,
    t.body_sha256 as template_body_sha256,
    i.property_facts,
    i.people_facts,
    i.datetime_facts,
    i.charges_facts,
    a.signed_template_version,
    a.signed_content_hash,
    a.has_signed_facts,
    case when jsonb_typeof(a.signed_facts -> 'property') = 'object' then {{ canonical_property(
        "a.signed_facts -> 'property' ->> 'address'",
        "a.signed_facts -> 'property' ->> 'city'",
        "a.signed_facts -> 'property' ->> 'postal_code'") }} end as property_signed,
    case when a.signed_facts ? 'people' then {{ canonical_people("a.signed_facts -> 'people'") }} end as people_signed,
    case
        when not coalesce(a.signed_facts ? 'scheduled_at', false) then null
        when jsonb_typeof(a.signed_facts -> 'scheduled_at') = 'null' then '~;'
        when config.iso_timestamptz(a.signed_facts ->> 'scheduled_at') is not null then
            {{ canon(canonical_timestamp("config.iso_timestamptz(a.signed_facts ->> 'scheduled_at')")) }}
    end as datetime_signed,
    case when jsonb_typeof(a.signed_facts -> 'charges') = 'array' then (
        select case when coalesce(bool_and(line.is_readable), true)
                    then coalesce(string_agg(line.charge_facts, '' order by line.charge_id collate "C",
                                             line.charge_facts collate "C"), '') end
        from (
            select
                charge ->> 'charge_id' as charge_id,
                readable.is_readable,
                {{ canonical_charge("charge ->> 'charge_id'", "charge ->> 'service_name'",
                                    "case when readable.is_readable then charge ->> 'amount' end") }} as charge_facts
            from jsonb_array_elements(a.signed_facts -> 'charges') as charge
            cross join lateral (select
                jsonb_typeof(charge) = 'object' and (
                    coalesce(jsonb_typeof(charge -> 'amount'), 'null') in ('number', 'null')
                    or (jsonb_typeof(charge -> 'amount') = 'string'
                        and charge ->> 'amount' ~ '^-?[0-9]+(\.[0-9]+)?$')) as is_readable) as readable
        ) as line) end as charges_signed,
    a.signed_facts -> 'template' ->> 'body_sha256' as template_body_sha256_signed,
    i.people_json_type,
    case when a.has_template then {{ sha256_hex(resolved_content(
        't.body', 'i.property_facts', 'i.people_facts', 'i.scheduled_at_utc', 'i.charges_facts')) }}
    end as content_hash
from {{ ref('int_staleness__checked_agreements') }} as a
join {{ ref('int_staleness__inspection_facts') }} as i on i.inspection_id = a.inspection_id
left join {{ ref('stg_app__agreement_templates') }} as t on t.template_id = a.template_id
where a.is_checked
