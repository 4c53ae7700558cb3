{#- Fresh tables have no statistics; without them the planner picks nested
    loops over whole tables. Views have nothing to analyze (an empty hook is
    skipped), nor has an org-scoped build: it replaces a few orgs' rows of a
    table the last full build analyzed. Seeds are recreated by every build, so
    they are always analyzed (a 2-row seed without statistics is taken for 600
    rows, and a join to it for a fan-out over a million). -#}
{% macro analyze_if_table() -%}
    {%- set materialized = config.get('materialized') -%}
    {%- if materialized == 'seed'
          or (materialized in ('table', 'incremental', 'org_table') and scoped_orgs() is none) -%}
        analyze {{ this }}
    {%- endif -%}
{%- endmacro %}
