{{ config(indexes=[{'columns': ['org_id', 'opportunity_id'], 'unique': true}],
          pre_hook=["set local enable_nestloop = off"]) }}
-- The opportunities that survive every quarantine rule (rule 0, and rule 2's
-- LEGACY_TYPE_CONFLICT and LEGACY_DUPLICATE_SUCCESSOR), with the few columns
-- their readers need: the renewal pipeline's models and the renewal sensor,
-- which compares the CRM's rows with what the last build computed from. One
-- row per (org_id, opportunity_id), enforced by the unique index the sensor
-- and the org-scoped renewal builds look rows up by. The hierarchy itself
-- reads int_opportunities__typed and int_legacy__members instead, so this
-- builds beside the orphans' chain (D51). (Nested loops off:
-- int_opportunities__typed is indexed by org only; see int_legacy__members.)
with screened as (
    -- row-valid and not quarantined by the membership rules
    select opportunities.*
    from {{ ref('int_opportunities__typed') }} as opportunities
    left join {{ ref('int_opportunities__screened') }} as screening
        on screening.org_id = opportunities.org_id and screening.opportunity_id = opportunities.opportunity_id
    where opportunities.row_reason is null and screening.screen_reason is null
),

quarantined_deal_groups as (
    -- the deal groups rule 2 quarantines with their live members (an empty one has none)
    select org_id, deal_group_id from {{ ref('int_legacy__deal_group_outcomes') }}
    where outcome = 'LEGACY_TYPE_CONFLICT'
    union all
    select org_id, contract_id from {{ ref('int_legacy__contracts') }}
    where link_state = 'DUPLICATE'
),

quarantined_members as (
    -- a few thousand: the deal groups are hashed, the members scanned once
    select members.org_id, members.opportunity_id
    from {{ ref('int_legacy__members') }} as members
    inner join quarantined_deal_groups
        on quarantined_deal_groups.org_id = members.org_id
       and quarantined_deal_groups.deal_group_id = members.deal_group_id
    where not members.is_deleted
),

final as (
    select
        screened.org_id,
        screened.opportunity_id,
        screened.opportunity_type,
        screened.is_closed,
        screened.is_won,
        screened.is_deleted,
        screened.close_date,
        screened.last_opportunity_id
    from screened
    where not exists (
        select 1 from quarantined_members
        where quarantined_members.org_id = screened.org_id
          and quarantined_members.opportunity_id = screened.opportunity_id
    )
)

select * from final
