{{ config(meta={'dagster': {'ref': {'name': 'agreement_staleness'}}}, tags=['staleness']) }}
-- Every ACTIVE agreement of an attik job has exactly one staleness row, and
-- nothing else has one.
select a.agreement_id, count(s.agreement_id) as staleness_rows
from {{ ref('stg_app__agreements') }} as a
join {{ ref('stg_app__inspections') }} as i on i.inspection_id = a.inspection_id
left join {{ ref('agreement_staleness') }} as s on s.agreement_id = a.agreement_id
where a.status = 'ACTIVE' and i.job_creation_type = 'attik'
group by a.agreement_id
having count(s.agreement_id) <> 1
union all
select s.agreement_id, 1
from {{ ref('agreement_staleness') }} as s
where not exists (
    select 1 from {{ ref('stg_app__agreements') }} as a
    join {{ ref('stg_app__inspections') }} as i on i.inspection_id = a.inspection_id
    where a.agreement_id = s.agreement_id and a.status = 'ACTIVE' and i.job_creation_type = 'attik')
