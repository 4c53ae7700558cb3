-- Every (audit, org): the severity in force and whether the audit runs there (the
-- org's row of the audit_settings seed, else the `*` row). The history records
-- one run row per enabled pair.
with settings as (
    select * from {{ ref('audit_settings') }}
),

orgs as (
    select org_id from {{ ref('stg_config__org_settings') }}
),

audits as (
    select audit_id, severity, enabled, protects from settings where org_id = '*'
),

final as (
    select
        audits.audit_id,
        orgs.org_id,
        coalesce(own.severity, audits.severity) as severity,
        coalesce(own.enabled, audits.enabled, true) as enabled,
        audits.protects
    from audits
    cross join orgs
    left join settings as own on own.audit_id = audits.audit_id and own.org_id = orgs.org_id
)

select * from final
