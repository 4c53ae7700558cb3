{#- Small pieces of SPEC §3 used by several models. -#}

{#- Rule 1: trim, fold inner runs of white space, lower-case. -#}
{% macro normalize_crm_type(column) -%}
    lower(regexp_replace(regexp_replace({{ column }}, '^[ \t\n\r\f\v]+|[ \t\n\r\f\v]+$', '', 'g'), '[ \t\n\r\f\v]+', ' ', 'g'))
{%- endmacro %}

{#- The date the lifecycle is computed as of (dbt var `as_of`, default today). -#}
{% macro as_of_date() -%}
    {%- if var('as_of', none) -%} date '{{ var("as_of") }}' {%- else -%} current_date {%- endif -%}
{%- endmacro %}

{#- Text ids order by code point, as the Python reference orders them. -#}
{% macro by_code_point(column) -%}
    {{ column }} collate "C"
{%- endmacro %}
