-- RECONCILIATION (platform): an org whose opportunities do not reconcile: input ≠
-- attached + unattached + quarantined (SPEC §3 invariant 5), from the last build.
with reconciliation as (
    select * from {{ ref('backfill_reconciliation') }}
),

findings as (
    select
        org_id,
        'marts.backfill_reconciliation' as entity_table,
        org_id as entity_id,
        org_id as finding_key,
        input_opportunities || ' input opportunities but ' || attached || ' attached + ' || unattached
        || ' unattached + ' || quarantined || ' quarantined.' as detail
    from reconciliation
    where org_id is not null and not is_balanced
)

{{ audit_final('RECONCILIATION') }}
