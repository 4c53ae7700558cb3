{{ config(materialized='view') }}
-- Per inspection: its facts as canonical text per class — property, people,
-- datetime, and its live charges in charge-id code-point order ('' when none).
-- A view with a per-inspection lateral read of charges, so a query scoped to a
-- few inspections (the staleness sensor's runs) reads only their rows.
select
    i.inspection_id,
    i.company_id,
    i.report_id,
    i.is_checked_for_staleness,
    i.property_facts,
    i.people_facts,
    i.people_json_type,
    {{ canon('i.datetime_facts') }} as datetime_facts,
    i.datetime_facts as scheduled_at_utc,
    coalesce(ch.charges_facts, '') as charges_facts
from {{ ref('stg_app__inspections') }} as i
left join lateral (
    select string_agg(c.charge_facts, '' order by c.charge_id collate "C") as charges_facts
    from {{ ref('stg_app__charges') }} as c
    where c.inspection_id = i.inspection_id and not c.is_deleted
) as ch on true
