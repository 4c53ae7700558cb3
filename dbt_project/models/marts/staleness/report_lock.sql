-- Report lock per inspection's report (SPEC §6), from the staleness this run
-- computed (or, where it could not decide or does not check, the flag the
-- application holds). The lock rule itself is the macro report_lock_columns,
-- the SQL side of the one definition the Python API report_lock_state shares.
with agreements as (
    select
        a.inspection_id,
        a.status,
        a.signed_at,
        coalesce(s.is_stale, a.is_stale) as is_stale
    from {{ ref('stg_app__agreements') }} as a
    left join {{ ref('agreement_staleness') }} as s on s.agreement_id = a.agreement_id
)

select
    i.report_id,
    i.inspection_id,
    {{ report_lock_columns('a.status', 'a.signed_at', 'a.is_stale') }}
from {{ ref('stg_app__inspections') }} as i
left join agreements as a on a.inspection_id = i.inspection_id
group by i.report_id, i.inspection_id
