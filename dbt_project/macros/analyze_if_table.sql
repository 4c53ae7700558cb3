{#- Fresh tables have no statistics; without them the planner picks nested
    loops over whole tables. Views have nothing to analyze (an empty hook is
    skipped), nor has an org-scoped build: it replaces a few orgs' rows of a
    table the last full build analyzed. Seeds are recreated by every build, so
    they are always analyzed (a 2-row seed without statistics is taken for 600
    rows, and a join to it for a fan-out over a million).

    The sample is 3,000 rows (statistics target 10), not PostgreSQL's 30,000
    (D55): the planner needs each table's size, its orgs and its keys' rough
    distinctness, which a small sample gives; a full build analyzes ~30 tables
    and the default sample read nearly every page of each (~3.5 s of CPU per
    build at 1 M opportunities). -#}
{% macro analyze_if_table() -%}
    {%- set materialized = config.get('materialized') -%}
    {%- if materialized == 'seed'
          or (materialized in ('table', 'incremental', 'org_table') and scoped_orgs() is none) -%}
        set local default_statistics_target = 10; analyze {{ this }}
    {%- endif -%}
{%- endmacro %}
