-- Rule 0 POINTER_CYCLE: row-valid opportunities whose last_opportunity_c chain
-- (within the org) runs into a loop, on it or leading into it (decision D5:
-- deleted opportunities are part of the chain). Computed backwards: a chain
-- that ends (null or unknown pointer) is loop-free, and so is every
-- opportunity pointing at a loop-free one; whatever is never reached loops.
-- (The recursive step reads the indexed int_opportunities__typed directly.)
with recursive row_valid as (
    select org_id, opportunity_id, last_opportunity_id
    from {{ ref('int_opportunities__typed') }}
    where row_reason is null
),

loop_free (org_id, opportunity_id) as (
    select chain_end.org_id, chain_end.opportunity_id
    from row_valid as chain_end
    where not exists (
        select 1 from {{ ref('int_opportunities__typed') }} as target
        where target.org_id = chain_end.org_id
          and target.opportunity_id = chain_end.last_opportunity_id
          and target.row_reason is null
    )

    union all

    select pointing.org_id, pointing.opportunity_id
    from {{ ref('int_opportunities__typed') }} as pointing
    inner join loop_free
        on loop_free.org_id = pointing.org_id
       and loop_free.opportunity_id = pointing.last_opportunity_id
    where pointing.row_reason is null
),

final as (
    select row_valid.org_id, row_valid.opportunity_id
    from row_valid
    where not exists (
        select 1 from loop_free
        where loop_free.org_id = row_valid.org_id and loop_free.opportunity_id = row_valid.opportunity_id
    )
)

select * from final
