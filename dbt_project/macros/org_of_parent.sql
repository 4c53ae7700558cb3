{#- SPEC §2's memberships and quote lines carry no org_id: such a row takes the
    org of its parent row (deal group, quote). This is the parent ids with
    their org, for ids that exactly one org has (an id several orgs share
    names no parent unambiguously: the child keeps a null org, D58). -#}
{% macro org_of_unique_parent_id(parents, where='true') %}
    select
        id,
        min(org_id) as org_id
    from {{ parents }}
    where id is not null and org_id is not null and ({{ where }})
    group by id
    having count(distinct org_id) = 1
{% endmacro %}
