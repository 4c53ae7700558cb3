{{ config(pre_hook=["set local enable_mergejoin = off", "set local enable_nestloop = off"]) }}
-- Rule 0 POINTER_CYCLE: row-valid opportunities whose last_opportunity_c chain
-- (within the org) runs into a loop, on it or leading into it (decision D5:
-- deleted opportunities are part of the chain). Computed backwards: a chain
-- that ends (null or unknown pointer) is loop-free, and so is every
-- opportunity pointing at a loop-free one; whatever is never reached loops.
-- Only opportunities that point at another row-valid one can loop, so the walk
-- starts from those whose target points nowhere further and never carries the
-- chain ends themselves (about half the rows).
-- It reads the staging view, not int_opportunities__typed, so that the two run
-- side by side: row-valid is rule 0's row checks (ids and close_date not null,
-- the id not duplicated in its org), as typed's row_reason is null.
-- Every join hashes (merge joins and nested loops are off): the recursive
-- step's hash table over the pointing opportunities is built once and probed by
-- each step's new loop-free ones (a merge join sorted the whole table at every
-- step, an index lookup per row cost twice as much).
with recursive row_valid as (
    select opportunities.org_id, opportunities.opportunity_id, opportunities.last_opportunity_id
    from {{ ref('stg_salesforce__opportunities') }} as opportunities
    where opportunities.org_id is not null
      and opportunities.opportunity_id is not null
      and opportunities.close_date is not null
      and not exists (
          select 1 from {{ ref('int_opportunities__duplicate_ids') }} as duplicated
          where duplicated.org_id = opportunities.org_id and duplicated.opportunity_id = opportunities.opportunity_id
      )
),

pointing as (
    select pointer.org_id, pointer.opportunity_id, pointer.last_opportunity_id
    from row_valid as pointer
    -- a row-valid id is unique in its org: a join, not a semi-join (no dedup)
    inner join row_valid as target
        on target.org_id = pointer.org_id and target.opportunity_id = pointer.last_opportunity_id
),

loop_free (org_id, opportunity_id) as (
    select last_link.org_id, last_link.opportunity_id
    from pointing as last_link
    where not exists (
        select 1 from pointing as target
        where target.org_id = last_link.org_id and target.opportunity_id = last_link.last_opportunity_id
    )

    union all

    select pointer.org_id, pointer.opportunity_id
    from pointing as pointer
    inner join loop_free
        on loop_free.org_id = pointer.org_id
       and loop_free.opportunity_id = pointer.last_opportunity_id
),

final as (
    select pointing.org_id, pointing.opportunity_id
    from pointing
    where not exists (
        select 1 from loop_free
        where loop_free.org_id = pointing.org_id and loop_free.opportunity_id = pointing.opportunity_id
    )
)

select * from final
