{#- Small pieces of SPEC §3 used by several models. -#}

{#- Rule 1: trim, fold inner runs of white space, lower-case. -#}
{% macro normalize_crm_type(column) -%}
    lower(regexp_replace(regexp_replace({{ column }}, '^[ \t\n\r\f\v]+|[ \t\n\r\f\v]+$', '', 'g'), '[ \t\n\r\f\v]+', ' ', 'g'))
{%- endmacro %}

{#- A run setting: the dbt var `name`, else the environment variable
    PLATFORM_DBT_<NAME> (JSON), which is how Dagster passes them: a changed
    `--vars` makes dbt re-parse the whole project (~5 s), an environment variable
    read only while executing does not. -#}
{% macro platform_setting(name) -%}
    {%- set value = var(name, none) -%}
    {%- if value is none and execute -%}
        {%- set raw = env_var('PLATFORM_DBT_' ~ (name | upper), '') -%}
        {%- if raw -%}{%- set value = fromjson(raw) -%}{%- endif -%}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}

{#- The date the lifecycle is computed as of (setting `as_of`, default today). -#}
{% macro as_of_date() -%}
    {%- set as_of = platform_setting('as_of') -%}
    {%- if as_of -%} date '{{ as_of }}' {%- else -%} current_date {%- endif -%}
{%- endmacro %}

{#- Text ids order by code point, as the Python reference orders them. -#}
{% macro by_code_point(column) -%}
    {{ column }} collate "C"
{%- endmacro %}
