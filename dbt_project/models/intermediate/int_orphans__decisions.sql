{{ config(materialized='view') }}
-- Rule 5 decided in order for every dynamic orphan: the union of the two
-- parts of the interaction components, decided side by side
-- (int_orphans__decisions_part_1 and _part_2, macro decide_orphans; D47).
-- Components never interact, so how they are split changes no decision.
select * from {{ ref('int_orphans__decisions_part_1') }}
union all
select * from {{ ref('int_orphans__decisions_part_2') }}
