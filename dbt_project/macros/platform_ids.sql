{#- Deterministic identifiers (decision D3). The Python reference
    (dagster_project/backfill/reference.py) builds the same strings. -#}
{% macro short_digest(parts) -%}
    left(md5({{ parts | join(" || '|' || ") }}), 16)
{%- endmacro %}

{% macro account_id_for_crm(org_id, crm_account_id) -%}
    'A-' || {{ short_digest([org_id, "'crm'", crm_account_id]) }}
{%- endmacro %}

{% macro account_id_for_deal_group(org_id, deal_group_id) -%}
    'A-' || {{ short_digest([org_id, "'deal_group'", deal_group_id]) }}
{%- endmacro %}

{% macro contract_id_for_head(org_id, head_opportunity_id) -%}
    'C-' || {{ short_digest([org_id, head_opportunity_id]) }}
{%- endmacro %}

{% macro engagement_id_for_first_contract(org_id, contract_id) -%}
    'E-' || {{ short_digest([org_id, contract_id]) }}
{%- endmacro %}
