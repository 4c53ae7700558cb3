{#- Generic tests for the hierarchy invariants (SPEC §3). Each returns the
    failing rows, so a failure shows exactly which org and rows break it. -#}

{#- Rows where the combination of `columns` is not unique. -#}
{% test unique_combination(model, columns) %}
    select {{ columns | join(', ') }}, count(*) as row_count
    from {{ for_run_orgs(model) }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}

{#- Groups with more than `n` rows matching `where` (invariants 1 and 4). -#}
{% test at_most_n_per_group(model, group_by, condition, n=1) %}
    select {{ group_by | join(', ') }}, count(*) as row_count
    from {{ for_run_orgs(model) }}
    where {{ condition }}
    group by {{ group_by | join(', ') }}
    having count(*) > {{ n }}
{% endtest %}

{#- Groups whose `sequence_column` is not exactly 1..n: duplicates, gaps, or
    not starting at 1 (invariant 2, and membership order). -#}
{% test contiguous_sequence(model, group_by, sequence_column) %}
    select {{ group_by | join(', ') }},
        count(*) as row_count,
        count(distinct {{ sequence_column }}) as distinct_count,
        min({{ sequence_column }}) as min_sequence,
        max({{ sequence_column }}) as max_sequence
    from {{ for_run_orgs(model) }}
    group by {{ group_by | join(', ') }}
    having count(*) <> count(distinct {{ sequence_column }})
        or min({{ sequence_column }}) <> 1
        or max({{ sequence_column }}) <> count(*)
{% endtest %}

{#- Rows for which `expression` is not true. -#}
{% test expression_is_true(model, expression) %}
    select * from {{ for_run_orgs(model) }} where not coalesce(({{ expression }}), false)
{% endtest %}

{#- dbt's own not_null, unique and accepted_values, reading only the run's orgs'
    rows as the tests above do: in an org-scoped run the other orgs' rows are as
    the last run left them, and checking them again cost a one-org run seconds.
    A generic test of the project overrides dbt's of the same name; each calls
    dbt's own SQL on the filtered relation. -#}
{% test not_null(model, column_name) %}
    {{ dbt.default__test_not_null(for_run_orgs(model), column_name) }}
{% endtest %}

{% test unique(model, column_name) %}
    {{ dbt.default__test_unique(for_run_orgs(model), column_name) }}
{% endtest %}

{% test accepted_values(model, column_name, values, quote=True) %}
    {{ dbt.default__test_accepted_values(for_run_orgs(model), column_name, values, quote) }}
{% endtest %}
