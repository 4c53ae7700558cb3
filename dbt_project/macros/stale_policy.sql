{#- SPEC §6 policies. A template's policy overrides its company's; null
    everywhere = FULL (today's behaviour). A policy string that is not one of
    these resolves to NULL — reported in marts.staleness_problems, never guessed. -#}

{#- A policy string as matched: trimmed, upper-cased, empty = not set
    (the Python twin is rules.normalize_policy). -#}
{% macro normalize_stale_policy(column) -%}
    nullif(upper(btrim({{ column }})), '')
{%- endmacro %}

{% macro stale_policies() -%}
    ('FULL', 'SELECTIVE', 'TEMPLATE_VERSION_ONLY')
{%- endmacro %}

{% macro resolve_stale_policy(template_policy, company_policy) -%}
    (case
        when ({{ template_policy }}) is not null then
            case when ({{ template_policy }}) in {{ stale_policies() }} then ({{ template_policy }}) end
        when ({{ company_policy }}) is not null then
            case when ({{ company_policy }}) in {{ stale_policies() }} then ({{ company_policy }}) end
        else 'FULL'
    end)
{%- endmacro %}

{% macro stale_policy_source(template_policy, company_policy) -%}
    (case when ({{ template_policy }}) is not null then 'template'
          when ({{ company_policy }}) is not null then 'company'
          else 'default' end)
{%- endmacro %}

{#- Report lock (SPEC §6), the SQL side of ONE definition; the Python side is
    dagster_project.staleness.rules.report_lock_state, and
    tests/test_staleness_rules.py checks them against each other on every fixture.
    Over an inspection's agreements: present = any ACTIVE one; signed = any
    ACTIVE one that is signed and not stale; locked = present and not signed. -#}
{% macro report_lock_columns(status, signed_at, is_stale) -%}
    coalesce(bool_or(({{ status }}) = 'ACTIVE'), false) as agreement_present,
    coalesce(bool_or(({{ status }}) = 'ACTIVE' and ({{ signed_at }}) is not null and not coalesce({{ is_stale }}, false)), false)
        as agreement_signed,
    coalesce(bool_or(({{ status }}) = 'ACTIVE'), false)
        and not coalesce(bool_or(({{ status }}) = 'ACTIVE' and ({{ signed_at }}) is not null
                                 and not coalesce({{ is_stale }}, false)), false) as is_locked
{%- endmacro %}
