{#- The post-hook of every table, seed and incremental model: statistics for
    what was just written. Fresh tables have none, and without them the planner
    picks nested loops over whole tables; a scoped run's new org can hold ten
    times the rows the old statistics say, and plans made for a handful of rows
    are quadratic over thousands. Views have nothing to analyze.

    The sample is 3,000 rows (statistics target 10), not PostgreSQL's 30,000
    (D55): the planner needs each table's size, its orgs and its keys' rough
    distinctness, which a small sample gives cheaply. -#}
{% macro analyze_if_table() -%}
    {%- if config.get('materialized') in ('seed', 'table', 'incremental') -%}
        set local default_statistics_target = 10; analyze {{ this }}
    {%- endif -%}
{%- endmacro %}
