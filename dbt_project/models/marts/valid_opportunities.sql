{{ config(indexes=[{'columns': ['org_id', 'opportunity_id'], 'unique': true}]) }}
-- The opportunities that survive every quarantine rule (rule 0, and rule 2's
-- LEGACY_TYPE_CONFLICT and LEGACY_DUPLICATE_SUCCESSOR), with the few columns
-- their readers need: the renewal pipeline's models and the renewal sensor,
-- which compares the CRM's rows with what the last build computed from. One
-- row per (org_id, opportunity_id), enforced by the unique index the sensor
-- and the org-scoped renewal builds look rows up by. The hierarchy itself
-- reads int_opportunities__typed and int_legacy__members instead, so this
-- builds beside the orphans' chain (D51). It is the row-valid opportunities
-- less those marts.quarantined_rows lists: the renewal side's model, it reads
-- the mart as the renewal models do. (Nested loops off:
-- int_opportunities__typed is indexed by org only; see int_legacy__members.)
with quarantined as (
    -- every opportunity row rule 0 or rule 2 quarantined, as the mart lists them
    -- (one definition of "quarantined"; a few hundred rows)
    select org_id, row_id as opportunity_id
    from {{ for_run_orgs(ref('quarantined_rows')) }}
    where source_table = 'opportunity'
),

final as (
    select
        opportunities.org_id,
        opportunities.opportunity_id,
        opportunities.opportunity_type,
        opportunities.is_closed,
        opportunities.is_won,
        opportunities.is_deleted,
        opportunities.close_date,
        opportunities.last_opportunity_id
    from {{ for_run_orgs(ref('int_opportunities__typed')) }} as opportunities
    where opportunities.row_reason is null
      and not exists (
          select 1 from quarantined
          where quarantined.org_id = opportunities.org_id and quarantined.opportunity_id = opportunities.opportunity_id
      )
)

select * from final
