-- Per-org settings with the `*` default row applied: one row per org in the
-- sources (an org without its own row inherits the default).
with settings as (
    select * from {{ ref('org_settings') }}
),

orgs as (
    -- each branch distinct on its own: the planner then expects a few dozen orgs,
    -- not one per source row (that estimate made every join to this view a
    -- hash of the other, million-row side)
    select distinct org_id from {{ source('salesforce', 'opportunity') }} where org_id is not null
    union
    select distinct org_id from {{ source('app', 'deal_group') }} where org_id is not null
    union
    select org_id from {{ source('app', 'organization') }}
),

final as (
    select
        orgs.org_id,
        coalesce(own.default_term_months, fallback.default_term_months, 12) as default_term_months,
        coalesce(own.renewal_lead_days, fallback.renewal_lead_days, 120) as renewal_lead_days,
        coalesce(own.renewal_pricing, fallback.renewal_pricing, 'SAME') as renewal_pricing,
        coalesce(own.renewal_uplift_pct, fallback.renewal_uplift_pct, 0) as renewal_uplift_pct,
        coalesce(own.renewal_record_type_id, fallback.renewal_record_type_id) as renewal_record_type_id,
        coalesce(own.audit_quarantine_share_max, fallback.audit_quarantine_share_max, 0.05)
            as audit_quarantine_share_max,
        coalesce(own.audit_unattached_share_max, fallback.audit_unattached_share_max, 0.5)
            as audit_unattached_share_max
    from orgs
    left join settings as own on own.org_id = orgs.org_id
    left join settings as fallback on fallback.org_id = '*'
)

select * from final
