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
