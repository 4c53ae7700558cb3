-- Every checked agreement's staleness under its policy (int_staleness__decisions, materialized).
select * from {{ ref('int_staleness__decisions') }}
