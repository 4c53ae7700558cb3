-- UNATTACHED_SHARE (platform): an org whose unattached opportunities are more than
-- audit_unattached_share_max (org_settings) of its input opportunities.
with reconciliation as (
    select * from {{ ref('backfill_reconciliation') }}
),

settings as (
    select * from {{ ref('stg_config__org_settings') }}
),

findings as (
    select
        reconciliation.org_id,
        'marts.unattached_opportunities' as entity_table,
        reconciliation.org_id as entity_id,
        reconciliation.org_id as finding_key,
        reconciliation.unattached || ' of ' || reconciliation.input_opportunities
        || ' opportunities are unattached ('
        || round(100.0 * reconciliation.unattached / reconciliation.input_opportunities, 1) || '%), above '
        || round(100.0 * settings.audit_unattached_share_max, 1) || '%.' as detail
    from reconciliation
    inner join settings on settings.org_id = reconciliation.org_id
    where reconciliation.input_opportunities > 0
        and reconciliation.unattached::numeric / reconciliation.input_opportunities
        > settings.audit_unattached_share_max
)

{{ audit_final('UNATTACHED_SHARE') }}
