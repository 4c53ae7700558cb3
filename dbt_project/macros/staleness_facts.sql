{#- The facts an agreement depends on, as canonical text, and the hash of its
    resolved content (SPEC §6). Defined ONCE here; the Python twin is
    dagster_project/staleness/content.py, and tests/test_staleness_content.py
    checks that both give the same text and hash for the same input.

    Encoding: every value is written as `<length>:<value>;` (length in
    characters), a missing value as `~;`, so no two different inputs give the
    same text whatever characters they hold. -#}

{% macro canon(value) -%}
    (case when ({{ value }}) is null then '~' else length({{ value }})::text || ':' || ({{ value }}) end || ';')
{%- endmacro %}

{#- A timestamp as UTC, to the second. -#}
{% macro canonical_timestamp(ts) -%}
    to_char(({{ ts }}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
{%- endmacro %}

{#- A money amount rounded to cents (half away from zero), as text. -#}
{% macro canonical_amount(amount) -%}
    round(({{ amount }})::numeric, 2)::text
{%- endmacro %}

{#- A JSON leaf: strings as themselves, anything else as its JSON text. -#}
{% macro json_leaf_text(value) -%}
    (case when jsonb_typeof({{ value }}) = 'string' then ({{ value }}) #>> '{}' else ({{ value }})::text end)
{%- endmacro %}

{#- Property / address: address, city, postal code. -#}
{% macro canonical_property(address, city, postal_code) -%}
    ({{ canon(address) }} || {{ canon(city) }} || {{ canon(postal_code) }})
{%- endmacro %}

{#- People (role → fields): roles and fields in code-point order. Absent or JSON
    null = '~;'; anything that is not a JSON object = NULL (cannot be compared). -#}
{% macro canonical_people(people) -%}
    (case
        when ({{ people }}) is null or jsonb_typeof({{ people }}) = 'null' then '~;'
        when jsonb_typeof({{ people }}) = 'object' then (
            select coalesce(string_agg(
                {{ canon('role.key') }} || case
                    when jsonb_typeof(role.value) = 'object' then '{' || coalesce((
                        select string_agg({{ canon('field.key') }} || {{ canon(json_leaf_text('field.value')) }}, ''
                                          order by field.key collate "C")
                        from jsonb_each(role.value) as field), '') || '}'
                    else {{ canon(json_leaf_text('role.value')) }}
                end, '' order by role.key collate "C"), '')
            from jsonb_each({{ people }}) as role)
    end)
{%- endmacro %}

{#- One charge line. -#}
{% macro canonical_charge(charge_id, service_name, amount) -%}
    ({{ canon(charge_id) }} || {{ canon(service_name) }} || {{ canon(canonical_amount(amount)) }})
{%- endmacro %}

{#- The template a text was resolved from: version and body hash. -#}
{% macro canonical_template(version, body_sha256) -%}
    ({{ canon(version ~ '::text') }} || {{ canon(body_sha256) }})
{%- endmacro %}

{% macro sha256_hex(text) -%}
    encode(sha256(convert_to({{ text }}, 'UTF8')), 'hex')
{%- endmacro %}

{#- The resolved agreement text: template body merged with the facts and charges. -#}
{% macro resolved_content(body, property, people, datetime, charges) -%}
    ('agreement/v1;' || {{ canon(body) }} || 'property=' || {{ property }} || 'people=' || {{ people }}
     || 'datetime=' || {{ canon(datetime) }} || 'charges=' || {{ charges }})
{%- endmacro %}
