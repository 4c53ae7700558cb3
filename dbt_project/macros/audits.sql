{#- The final select of every audit model (SPEC §7): its `findings` CTE (org_id,
    entity_table, entity_id, finding_key, detail) with the audit's id and the
    severity in force for the finding's org (audit_scope: the org's row of the
    audit_settings seed, else the `*` row). An audit turned off for an org
    reports nothing there. -#}
{% macro audit_final(audit_id, findings='findings') %}
    select
        '{{ audit_id }}'::text as audit_id,
        {{ findings }}.org_id::text as org_id,
        scope.severity::text as severity,
        {{ findings }}.entity_table::text as entity_table,
        {{ findings }}.entity_id::text as entity_id,
        {{ findings }}.finding_key::text as finding_key,
        {{ findings }}.detail::text as detail
    from {{ findings }}
    inner join {{ ref('audit_scope') }} as scope
        on scope.audit_id = '{{ audit_id }}' and scope.org_id = {{ findings }}.org_id
    where scope.enabled
{% endmacro %}

{#- A live contract's head: its membership 1 and that opportunity's row. -#}
{% macro live_heads() %}
    select
        memberships.org_id,
        memberships.deal_group_id,
        opportunities.opportunity_id,
        opportunities.account_id,
        opportunities.is_closed,
        opportunities.is_won,
        coalesce(opportunities.contract_start_date, opportunities.close_date) as start_date
    from {{ ref('stg_app__live_memberships') }} as memberships
    inner join {{ ref('stg_salesforce__opportunities') }} as opportunities
        on opportunities.org_id = memberships.org_id
        and opportunities.opportunity_id = memberships.opportunity_id
    where memberships.sequence = 1
{% endmacro %}
