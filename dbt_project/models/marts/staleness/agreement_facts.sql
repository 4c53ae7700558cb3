-- For every checked agreement (ACTIVE, attik job): the facts it depends on, now
-- and as signed, one canonical text per class of SPEC §6 (property, people,
-- datetime, charges, template), and the hash of the resolved content.
-- NULL in a *_signed column = the signed snapshot does not hold that class in a
-- readable form; NULL in people_facts = people is not a JSON object.
with agreements as (
    select * from {{ ref('int_staleness__checked_agreements') }} where is_checked
),

signed as (
    select
        a.agreement_id,
        a.signed_content_hash,
        a.signed_template_version,
        a.has_signed_facts,
        case when jsonb_typeof(a.signed_facts -> 'property') = 'object' then {{ canonical_property(
            "a.signed_facts -> 'property' ->> 'address'",
            "a.signed_facts -> 'property' ->> 'city'",
            "a.signed_facts -> 'property' ->> 'postal_code'") }} end as property_signed,
        case when a.signed_facts ? 'people' then {{ canonical_people("a.signed_facts -> 'people'") }} end as people_signed,
        case
            when not coalesce(a.signed_facts ? 'scheduled_at', false) then null
            when jsonb_typeof(a.signed_facts -> 'scheduled_at') = 'null' then '~;'
            when config.try_timestamptz(a.signed_facts ->> 'scheduled_at') is not null then
                {{ canon(canonical_timestamp("config.try_timestamptz(a.signed_facts ->> 'scheduled_at')")) }}
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
        a.signed_facts -> 'template' ->> 'body_sha256' as template_body_sha256_signed
    from agreements as agreement_rows
    join {{ ref('stg_app__agreements') }} as a using (agreement_id)
)

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
    {{ canon('i.datetime_facts') }} as datetime_facts,
    coalesce(ch.charges_facts, '') as charges_facts,
    s.property_signed,
    s.people_signed,
    s.datetime_signed,
    s.charges_signed,
    s.signed_template_version,
    s.template_body_sha256_signed,
    s.signed_content_hash,
    s.has_signed_facts,
    i.people_json_type,
    case when a.has_template then {{ sha256_hex(resolved_content(
        't.body', 'i.property_facts', 'i.people_facts', 'i.datetime_facts', "coalesce(ch.charges_facts, '')")) }}
    end as content_hash
from agreements as a
join signed as s on s.agreement_id = a.agreement_id
join {{ ref('stg_app__inspections') }} as i on i.inspection_id = a.inspection_id
left join {{ ref('stg_app__agreement_templates') }} as t on t.template_id = a.template_id
left join {{ ref('int_staleness__inspection_charges') }} as ch on ch.inspection_id = a.inspection_id
