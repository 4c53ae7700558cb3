-- Charges (services) of inspections; deleted ones are kept and flagged.
select
    charge_id,
    inspection_id,
    service_name,
    amount,
    coalesce(is_deleted, false) as is_deleted,
    {{ canonical_charge('charge_id', 'service_name', 'amount') }} as charge_facts,
    updated_at
from {{ source('app', 'charge') }}
