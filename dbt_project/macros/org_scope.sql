{#- Org-scoped builds (D37).

    `dbt build --vars '{orgs: [A, B]}'` (or PLATFORM_DBT_ORGS='["A", "B"]', which
    is how Dagster passes it) recomputes only orgs A and B: every rule
    is a per-org computation (each window, recursion and join is keyed by org),
    so one org's rows depend only on that org's sources.

    - `org_table` is the materialization of the hierarchy and renewal tables. In a
      full build it is dbt's `table`. In a scoped build it deletes the scoped
      orgs' rows and inserts them anew, in one transaction; other orgs' rows stay
      as the last build left them.
    - `ref` and `source`, while an `org_table` model or a test is rendered in a
      scoped build, read only the scoped orgs' rows. Views are compiled unscoped
      (their definitions never change with the scope), and so are refs to seeds
      and to models whose `meta.org_scope` is false (org-independent vocabularies
      such as the `*` CRM type mapping).

    A scoped build never creates a table: the first build, and any build after a
    change of a model's columns, is a full one. -#}

{% macro scoped_orgs() -%}
    {{ return(platform_setting('orgs') or none) }}
{%- endmacro %}

{% macro org_scope_sql_array(orgs) -%}
    array[{%- for org in orgs -%}'{{ org | replace("'", "''") }}'{{ ", " if not loop.last }}{%- endfor -%}]::text[]
{%- endmacro %}

{#- True while rendering a node that reads scoped rows: an org_table model or a test, in a scoped build. -#}
{% macro org_scope_applies() -%}
    {%- if not execute or scoped_orgs() is none -%}{{ return(false) }}{%- endif -%}
    {{ return(config.get('materialized') in ('org_table', 'test')) }}
{%- endmacro %}

{% macro org_scoped(relation, is_org_keyed) -%}
    {%- if is_org_keyed and org_scope_applies() -%}
        {{ return("(select * from " ~ relation ~ " where org_id = any(" ~ org_scope_sql_array(scoped_orgs()) ~ "))") }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}

{% macro ref() -%}
    {%- set relation = builtins.ref(*varargs, **kwargs) -%}
    {%- if not execute -%}{{ return(relation) }}{%- endif -%}
    {%- set name = varargs[-1] -%}
    {%- set keyed = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.name == name -%}
        {%- do keyed.append(node.config.meta.get('org_scope', true)) -%}
    {%- endfor -%}
    {{ return(org_scoped(relation, keyed and keyed[0])) }}
{%- endmacro %}

{% macro source() -%}
    {%- set relation = builtins.source(*varargs, **kwargs) -%}
    {{ return(org_scoped(relation, execute)) }}
{%- endmacro %}

{% materialization org_table, adapter='postgres' %}
    {%- set orgs = scoped_orgs() -%}
    {%- if orgs is none -%}
        {{ return(dbt.materialization_table_default()) }}
    {%- endif -%}
    {%- set existing = load_cached_relation(this) -%}
    {%- if existing is none or existing.type != 'table' -%}
        {{ exceptions.raise_compiler_error(
            "org-scoped build of " ~ this ~ " for orgs " ~ orgs | join(", ") ~
            ": the table does not exist yet; run a full build first") }}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='quoted') | join(', ') -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}
    {% call statement('main') -%}
        delete from {{ this }} where org_id = any({{ org_scope_sql_array(orgs) }});
        insert into {{ this }} ({{ columns }})
        select {{ columns }} from (
            {{ sql }}
        ) as scoped_rows
        -- the same predicate as the delete: a scoped build touches its orgs' rows only
        where org_id = any({{ org_scope_sql_array(orgs) }})
    {%- endcall %}
    {% do refresh_scoped_statistics(this, orgs, load_result('main')['response'].rows_affected) %}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {{ adapter.commit() }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [this]}) }}
{% endmaterialization %}

{#- A scoped build does not analyze what it wrote (the full builds do), but when the
    table's statistics put the scoped orgs at a tenth of the rows just written — an
    org that is new, or that an autovacuum sample missed — every later query over
    them is planned for a handful of rows, and nested loops over thousands of rows
    are quadratic (one such model took 165 s instead of 0.3 s). Then it analyzes. -#}
{% macro refresh_scoped_statistics(relation, orgs, rows_written) %}
    {%- if rows_written is not none and rows_written >= 1000
          and scoped_rows_estimate(relation, orgs) * 10 < rows_written -%}
        {% do run_query("analyze " ~ relation) %}
    {%- endif -%}
{% endmacro %}

{#- Before a build reads the sources: statistics that describe them. A full build
    analyzes each source that was never analyzed, or that changed by a tenth
    (at least 1,000 rows) since its last analyze — autovacuum's own threshold,
    applied now rather than up to a minute later: a freshly loaded table has no
    statistics, and a plan made without them hashed the cycle check's 740 k
    loop-free rows as if they were 21 billion (400 s instead of 4 s). A scoped
    build checks its orgs' rows instead (below). -#}
{% macro refresh_source_statistics() %}
    {%- if not execute -%}{{ return("") }}{%- endif -%}
    {%- if scoped_orgs() is not none -%}{{ return(refresh_scoped_source_statistics()) }}{%- endif -%}
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

{#- The same for the sources, before a scoped build reads them: a new org's rows
    arrive by the CRM sync, and the sensor's run comes before autovacuum's analyze.
    The scoped orgs' rows are counted only up to ten times the estimate (at least
    1,000), so a source the statistics know costs a short index read. -#}
{% macro refresh_scoped_source_statistics() %}
    {%- set orgs = scoped_orgs() -%}
    {%- if not execute or orgs is none -%}{{ return("") }}{%- endif -%}
    {%- for source_node in graph.sources.values() -%}
        {%- set relation = api.Relation.create(database=source_node.database, schema=source_node.schema,
                                               identifier=source_node.identifier) -%}
        {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
        {%- if 'org_id' in columns -%}
            {%- set enough = [1000, (scoped_rows_estimate(relation, orgs) * 10) | int] | max -%}
            {%- set present = run_query("select count(*) from (select 1 from " ~ relation ~ " where org_id = any("
                                        ~ org_scope_sql_array(orgs) ~ ") limit " ~ enough ~ ") as sample"
                                       ).columns[0].values()[0] -%}
            {%- if present >= enough -%}{% do run_query("analyze " ~ relation) %}{%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return("") }}
{% endmacro %}

{#- The planner's estimate of the scoped orgs' rows in a relation. -#}
{% macro scoped_rows_estimate(relation, orgs) %}
    {%- set plan = run_query("explain (format json) select 1 from " ~ relation ~
                             " where org_id = any(" ~ org_scope_sql_array(orgs) ~ ")").columns[0].values()[0] -%}
    {%- if plan is string -%}{%- set plan = fromjson(plan) -%}{%- endif -%}
    {{ return(plan[0]['Plan']['Plan Rows']) }}
{% endmacro %}