{#- The one place the platform steers PostgreSQL's planner (D39): the pre-hook
    of every intermediate and mart model (dbt_project.yml), so every model is
    planned the same way and none carries a hint of its own.

    Nested loops and merge joins are off: every join is a hash join unless it
    has no other plan (a `lateral` still loops). A build's relations are fresh
    and its CTEs recursive or read twice, so the planner's row estimates are
    often far off, and with them it picks a nested loop over thousands of rows
    on each side (quadratic) or sorts millions of rows to merge-join a few.
    Measured (docs/benchmarks.md, "Planner settings"): with merge joins off
    alone, one org's rule-5 decider took 112-122 s instead of 1.5 s (a nested
    loop); with neither setting the plans are fine today but nothing stops the
    next bad estimate; both off cost the 1 M full build about 7 % against the
    per-model hints they replace. -#}
{% macro planner_settings() -%}
    set local enable_nestloop = off; set local enable_mergejoin = off
{%- endmacro %}
