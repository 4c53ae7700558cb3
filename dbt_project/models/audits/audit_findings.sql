-- Every finding of every audit (SPEC §7), one row per offending entity; the
-- rows of one finding share its finding_key. Lands in marts (the output contract).
{{ config(schema='marts') }}

{% set audits = [
    'audit_f1_duplicate_pending_renewals', 'audit_f2_reseed_targets_rep_quote',
    'audit_f3_lost_head_active_contracts', 'audit_f4_illegal_flag_states',
    'audit_f5_duplicate_crm_accounts', 'audit_f6_renewal_record_type',
    'audit_f7_supersession_overdue', 'audit_f8_replaced_by_disagrees', 'audit_drift',
    'audit_reconciliation', 'audit_quarantine_share', 'audit_unattached_share',
    'audit_mirror_orphans', 'audit_mirror_duplicate_keys',
] %}

{% for audit in audits %}
    select audit_id, org_id, severity, entity_table, entity_id, finding_key, detail
    from {{ ref(audit) }}
    {% if not loop.last %}union all{% endif %}
{% endfor %}
