{#- Rule 4, the walk: follow last_opportunity_c from each start, within the
    org, through `nodes` (org_id, opportunity_id, last_opportunity_id,
    is_deleted, and `member_column` = the contract an opportunity is a member
    of, or null). The walk stops at a member (its contract is the target) or
    at a missing, deleted or quarantined id (no target). With keep_passed, the
    non-member opportunities passed on the way are kept, in order.

    `starts` has (org_id, start_id, first_pointer) and the `carry` columns,
    which every row of the walk keeps as they are. Expands to a recursive CTE
    named `walk`; read its finished rows with `where is_done`. -#}
{% macro walk_pointers(starts, nodes, member_column, keep_passed=false, carry=[]) %}
walk (org_id, start_id, {% for c in carry %}{{ c }}, {% endfor %}next_id, passed_orphans, target_contract_id, is_done) as (
    select org_id, start_id, {% for c in carry %}{{ c }}, {% endfor %}first_pointer, array[]::text[], null::text,
        first_pointer is null
    from {{ starts }}

    union all

    select
        walk.org_id,
        walk.start_id,
        {% for c in carry %}walk.{{ c }}, {% endfor %}
        node.last_opportunity_id,
        {% if keep_passed -%}
        case
            when node.opportunity_id is not null and not node.is_deleted and node.{{ member_column }} is null
                then walk.passed_orphans || node.opportunity_id
            else walk.passed_orphans
        end,
        {%- else -%}
        walk.passed_orphans,
        {%- endif %}
        case when not node.is_deleted then node.{{ member_column }} end,
        node.opportunity_id is null or node.is_deleted or node.{{ member_column }} is not null
    from walk
    left join {{ nodes }} as node
        on node.org_id = walk.org_id and node.opportunity_id = walk.next_id
    where not walk.is_done
)
{% endmacro %}
