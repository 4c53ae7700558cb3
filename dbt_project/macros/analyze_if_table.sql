{#- Fresh tables have no statistics; without them the planner picks nested
    loops over whole tables. Views have nothing to analyze (an empty hook is
    skipped), nor has an org-scoped build: it replaces a few orgs' rows of a
    table the last full build analyzed. -#}
{% macro analyze_if_table() -%}
    {%- if config.get('materialized') in ('table', 'incremental', 'org_table') and scoped_orgs() is none -%}
        analyze {{ this }}
    {%- endif -%}
{%- endmacro %}
