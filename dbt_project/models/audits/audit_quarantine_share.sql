-- QUARANTINE_SHARE (platform): an org whose quarantined opportunities are more than
-- audit_quarantine_share_max (org_settings) of its input opportunities.
with reconciliation as (
    select * from {{ ref('backfill_reconciliation') }}
),

settings as (
    select * from {{ ref('stg_config__org_settings') }}
),

findings as (
    select
        reconciliation.org_id,
        'marts.quarantined_rows' as entity_table,
        reconciliation.org_id as entity_id,
        reconciliation.org_id as finding_key,
        reconciliation.quarantined || ' of ' || reconciliation.input_opportunities
        || ' opportunities are quarantined ('
        || round(100.0 * reconciliation.quarantined / reconciliation.input_opportunities, 1) || '%), above '
        || round(100.0 * settings.audit_quarantine_share_max, 1) || '%.' as detail
    from reconciliation
    inner join settings on settings.org_id = reconciliation.org_id
    where reconciliation.input_opportunities > 0
        and reconciliation.quarantined::numeric / reconciliation.input_opportunities
        > settings.audit_quarantine_share_max
)

{{ audit_final('QUARANTINE_SHARE') }}
