-- Per inspection with charges: its live (not deleted) charges as one canonical
-- text, in charge-id code-point order. Inspections without charges have none ('' in the facts).
select
    inspection_id,
    string_agg(charge_facts, '' order by charge_id collate "C") as charges_facts,
    count(*) as charge_count
from {{ ref('stg_app__charges') }}
where not is_deleted and inspection_id is not null
group by inspection_id
