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

{#- The platform's share audits: an org whose `rows_column` (quarantined, unattached) opportunities
    are more than `share_setting` (org_settings) of its input opportunities; one finding per org,
    on `entity_table`. -#}
{% macro share_audit(audit_id, rows_column, share_setting, entity_table) %}
with reconciliation as (
    select * from {{ ref('backfill_reconciliation') }}
),

settings as (
    select * from {{ ref('stg_config__org_settings') }}
),

findings as (
    select
        reconciliation.org_id,
        '{{ entity_table }}' as entity_table,
        reconciliation.org_id as entity_id,
        reconciliation.org_id as finding_key,
        reconciliation.{{ rows_column }} || ' of ' || reconciliation.input_opportunities
        || ' opportunities are {{ rows_column }} ('
        || round(100.0 * reconciliation.{{ rows_column }} / reconciliation.input_opportunities, 1)
        || '%), above ' || round(100.0 * settings.{{ share_setting }}, 1) || '%.' as detail
    from reconciliation
    inner join settings on settings.org_id = reconciliation.org_id
    where reconciliation.input_opportunities > 0
        and reconciliation.{{ rows_column }}::numeric / reconciliation.input_opportunities
        > settings.{{ share_setting }}
)

{{ audit_final(audit_id) }}
{% endmacro %}
