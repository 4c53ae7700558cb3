-- Every checked agreement's facts, now and as signed (int_staleness__agreement_facts, materialized).
select * from {{ ref('int_staleness__agreement_facts') }}
