{#- Fresh tables have no statistics; without them the planner picks nested
    loops over whole tables. Views have nothing to analyze (an empty hook is skipped). -#}
{% macro analyze_if_table() -%}
    {%- if config.get('materialized') in ('table', 'incremental') -%} analyze {{ this }} {%- endif -%}
{%- endmacro %}
