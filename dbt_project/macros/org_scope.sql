{#- Org-scoped runs (D37): recompute only some orgs' rows.

    `dbt build --vars '{orgs: [A, B]}'` recomputes orgs A and B (Dagster passes the
    same list as PLATFORM_DBT_ORGS, read by `platform_setting`: a changed `--vars`
    makes dbt re-parse the whole project). Every rule is a per-org computation,
    so one org's rows depend only on that org's sources:

    - each hierarchy and renewal model is incremental, delete+insert by org_id;
      its pre-hook `delete_run_orgs()` first deletes the run's orgs' rows (an org
      may have no rows left), in the same transaction as the insert; other orgs'
      rows stay as the last run left them;
    - each model reads its per-org inputs through `for_run_orgs(...)`, called in
      the model where it reads them.

    Without orgs (or with --full-refresh, which is what a run over every org uses)
    each model is rebuilt whole, as a table. -#}

{% macro run_orgs() -%}
    {{ return(platform_setting('orgs') or none) }}
{%- endmacro %}

{#- `org_id = any(array[...])` for the run's orgs; `true` in a run over every org. -#}
{% macro in_run_orgs(column='org_id') -%}
    {%- set orgs = run_orgs() -%}
    {%- if orgs is none -%}
        true
    {%- else -%}
        {{ column }} = any(array[{%- for org in orgs -%}'{{ org | replace("'", "''") }}'{{ ", " if not loop.last }}{%- endfor -%}]::text[])
    {%- endif -%}
{%- endmacro %}

{#- A per-org input of a model, limited to the run's orgs. -#}
{% macro for_run_orgs(relation) -%}
    {%- if run_orgs() is none -%}
        {{ relation }}
    {%- else -%}
        (select * from {{ relation }} where {{ in_run_orgs() }})
    {%- endif -%}
{%- endmacro %}

{#- The pre-hook of every incremental model: the run's orgs' rows go before they are
    inserted anew. -#}
{% macro delete_run_orgs() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ in_run_orgs() }}
    {%- endif -%}
{%- endmacro %}

{#- Before a build reads the sources: statistics that describe them. A source that
    was never analyzed, or that changed by a tenth (at least 1,000 rows) since its
    last analyze, is analyzed now — autovacuum's own threshold, applied before the
    build rather than up to a minute later: a freshly loaded table has no
    statistics, and a plan made without them hashed the cycle check's 740 k
    loop-free rows as if they were 21 billion (400 s instead of 4 s). -#}
{% macro refresh_source_statistics() %}
    {%- if not execute -%}{{ return("") }}{%- endif -%}
    {%- set relations = [] -%}
    {%- for source_node in graph.sources.values() -%}
        {%- do relations.append("('" ~ source_node.schema ~ "', '" ~ source_node.identifier ~ "')") -%}
    {%- endfor -%}
    {%- if not relations -%}{{ return("") }}{%- endif -%}
    {%- set stale = run_query(
        "select format('%I.%I', n.nspname, c.relname)
         from pg_class as c
         join pg_namespace as n on n.oid = c.relnamespace
         left join pg_stat_user_tables as s on s.relid = c.oid
         where c.relkind in ('r', 'p') and (n.nspname, c.relname) in (" ~ relations | unique | join(", ") ~ ")
           and (c.reltuples < 0
                or (s.n_mod_since_analyze >= 1000 and s.n_mod_since_analyze * 10 >= greatest(c.reltuples, 1)))"
        ).columns[0].values() -%}
    {%- for relation in stale -%}{% do run_query("analyze " ~ relation) %}{%- endfor -%}
    {{ return("") }}
{% endmacro %}
