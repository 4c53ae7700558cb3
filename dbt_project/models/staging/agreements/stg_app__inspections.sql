-- Inspections with their facts in canonical form (macros/staleness_facts.sql).
select
    inspection_id,
    company_id,
    report_id,
    job_creation_type,
    job_creation_type = 'attik' as is_checked_for_staleness,
    scheduled_at,
    property_address,
    property_city,
    property_postal_code,
    people,
    jsonb_typeof(people) as people_json_type,
    {{ canonical_property('property_address', 'property_city', 'property_postal_code') }} as property_facts,
    {{ canonical_people('people') }} as people_facts,
    {{ canonical_timestamp('scheduled_at') }} as datetime_facts,
    updated_at
from {{ source('app', 'inspection') }}
