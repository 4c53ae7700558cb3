{{ config(meta={'dagster': {'ref': {'name': 'report_lock'}}}, tags=['staleness']) }}
-- A report counts as signed exactly when one of its inspection's ACTIVE
-- agreements is signed and (as this run computed it) not stale — written with
-- EXISTS, independently of the macro the model uses.
select r.inspection_id, r.agreement_signed
from {{ ref('report_lock') }} as r
where r.agreement_signed <> exists (
    select 1
    from {{ ref('stg_app__agreements') }} as a
    left join {{ ref('agreement_staleness') }} as s on s.agreement_id = a.agreement_id
    where a.inspection_id = r.inspection_id and a.status = 'ACTIVE' and a.signed_at is not null
      and not coalesce(s.is_stale, a.is_stale, false))
