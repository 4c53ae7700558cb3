-- F6: a RENEWAL-typed (not deleted) opportunity whose record_type_id differs from the
-- org's renewal record type: renewal_record_type_id in org_settings, else the most
-- common record type among the org's RENEWAL-typed opportunities (ties: the
-- smallest). No finding when the org has neither.
with renewals as (
    select
        opportunities.org_id,
        opportunities.opportunity_id,
        opportunities.record_type_id
    from {{ ref('stg_salesforce__opportunities') }} as opportunities
    inner join {{ ref('opportunity_types') }} as types
        on types.org_id = opportunities.org_id and types.opportunity_id = opportunities.opportunity_id
    where types.opportunity_type = 'RENEWAL' and not opportunities.is_deleted
),

counted as (
    select org_id, record_type_id, count(*) as n
    from renewals
    where record_type_id is not null
    group by org_id, record_type_id
),

most_common as (
    select distinct on (org_id) org_id, record_type_id
    from counted
    order by org_id, n desc, {{ by_code_point('record_type_id') }}
),

expected as (
    select
        orgs.org_id,
        coalesce(orgs.renewal_record_type_id, most_common.record_type_id) as record_type_id,
        orgs.renewal_record_type_id is not null as is_configured
    from {{ ref('stg_config__org_settings') }} as orgs
    left join most_common on most_common.org_id = orgs.org_id
),

findings as (
    select
        renewals.org_id,
        'salesforce.opportunity' as entity_table,
        renewals.opportunity_id as entity_id,
        renewals.opportunity_id as finding_key,
        'renewal opportunity ' || renewals.opportunity_id || ' has record type '
        || coalesce(renewals.record_type_id, '(none)') || ', not the org''s renewal record type '
        || expected.record_type_id
        || case when expected.is_configured then ' (org_settings).' else ' (the most common).' end as detail
    from renewals
    inner join expected on expected.org_id = renewals.org_id
    where expected.record_type_id is not null
        and renewals.record_type_id is distinct from expected.record_type_id
)

{{ audit_final('F6') }}
