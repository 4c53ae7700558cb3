-- Rule 0 POINTER_CYCLE: row-valid opportunities whose last_opportunity_c chain
-- (within the org) runs into a loop, on it or leading into it (decision D5:
-- deleted opportunities are part of the chain).
--
-- Order the opportunities by (close_date, id). Following a loop all the way
-- round cannot go back in that order at every step, so every loop has a
-- "forward" pointer: one whose target does not come before the pointing
-- opportunity. CRM pointers go back in time (an amendment points at what it
-- amends), so forward pointers are rare (50 of 740 k in the benchmark's
-- data), and only their sources are walked (D52):
-- 1. each forward source walks its chain up to the next forward source, or
--    to the chain's end (a null or unknown pointer, or a row that is not
--    row-valid);
-- 2. among the forward sources, those that reach a chain end (directly or
--    through other forward sources) are loop-free; the others run into a loop;
-- 3. every opportunity whose chain reaches one of those runs into a loop: the
--    pointers are followed backwards from them.
-- Row-valid is typed's verdict: no row reason of rule 0 (NULL_ID, DUPLICATE_ID,
-- NULL_CLOSE_DATE). Each walk's opportunities are materialized once and probed
-- by every step.
with recursive row_valid as materialized (
    select org_id, opportunity_id, last_opportunity_id, close_date
    from {{ for_run_orgs(ref('int_opportunities__typed')) }}
    where row_reason is null
),

forward_sources as materialized (
    select pointer.org_id, pointer.opportunity_id, pointer.last_opportunity_id
    from row_valid as pointer
    -- a row-valid id is unique in its org: a join, not a semi-join (no dedup)
    inner join row_valid as target
        on target.org_id = pointer.org_id and target.opportunity_id = pointer.last_opportunity_id
    where (target.close_date, target.opportunity_id collate "C")
       >= (pointer.close_date, pointer.opportunity_id collate "C")
),

-- 1. from each forward source along its chain, up to the next forward source
-- or the chain's end (the walk goes on from a row-valid node that is no
-- forward source and points somewhere; every loop holds a forward source, so
-- every walk ends)
walk (org_id, source_id, node_id) as (
    select org_id, opportunity_id, last_opportunity_id
    from forward_sources
    union all
    select walk.org_id, walk.source_id, node.last_opportunity_id
    from walk
    inner join row_valid as node
        on node.org_id = walk.org_id and node.opportunity_id = walk.node_id
    where node.last_opportunity_id is not null
      and not exists (
          select 1 from forward_sources
          where forward_sources.org_id = walk.org_id and forward_sources.opportunity_id = walk.node_id
      )
),

next_sources as (
    select walk.org_id, walk.source_id, walk.node_id as next_source_id
    from walk
    inner join forward_sources
        on forward_sources.org_id = walk.org_id and forward_sources.opportunity_id = walk.node_id
),

-- 2. the forward sources whose chain reaches an end
loop_free_sources (org_id, opportunity_id) as (
    select forward_sources.org_id, forward_sources.opportunity_id
    from forward_sources
    where not exists (
        select 1 from next_sources
        where next_sources.org_id = forward_sources.org_id and next_sources.source_id = forward_sources.opportunity_id
    )
    union
    select next_sources.org_id, next_sources.source_id
    from next_sources
    inner join loop_free_sources
        on loop_free_sources.org_id = next_sources.org_id
       and loop_free_sources.opportunity_id = next_sources.next_source_id
),

-- 3. the others run into a loop, and so does every opportunity whose chain
-- reaches one of them (a union: a loop's members are reached again)
looping (org_id, opportunity_id) as (
    select forward_sources.org_id, forward_sources.opportunity_id
    from forward_sources
    where not exists (
        select 1 from loop_free_sources
        where loop_free_sources.org_id = forward_sources.org_id
          and loop_free_sources.opportunity_id = forward_sources.opportunity_id
    )
    union
    select pointer.org_id, pointer.opportunity_id
    from row_valid as pointer
    inner join looping
        on looping.org_id = pointer.org_id and looping.opportunity_id = pointer.last_opportunity_id
)

select org_id, opportunity_id from looping
