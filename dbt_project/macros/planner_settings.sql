{#- The one place the platform steers PostgreSQL's planner (D39): the pre-hook
    of every intermediate and mart model (dbt_project.yml), so every model is
    planned the same way and none carries a hint of its own.

    Merge joins are off. A build's relations are fresh and its CTEs recursive
    or read twice, so the planner's row estimates for them are often far off;
    with them it sorts millions of rows to merge-join a few. Hash joins are
    right for a batch build over whole orgs. Measured on the 1 M-opportunity
    build (docs/benchmarks.md, "Planner settings"): the rule-5 decider takes
    15 s with this setting and 21 s without; turning nested loops off as well
    made the build 10 % slower, so they stay on. -#}
{% macro planner_settings() -%}
    set local enable_mergejoin = off
{%- endmacro %}
