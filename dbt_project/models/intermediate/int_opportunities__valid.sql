{{ config(indexes=[{'columns': ['org_id', 'opportunity_id'], 'unique': true}]) }}
-- The opportunities that survive every quarantine rule (rule 0, and rule 2's
-- LEGACY_TYPE_CONFLICT and LEGACY_DUPLICATE_SUCCESSOR), each with its place
-- in a legacy contract when it has one, and whether it is a deleted member
-- of a legacy deal group (unattached DELETED by rule 2). One row per
-- (org_id, opportunity_id), enforced by the unique index.
select
    opportunities.org_id,
    opportunities.opportunity_id,
    opportunities.account_id,
    opportunities.opportunity_name,
    opportunities.crm_type,
    opportunities.opportunity_type,
    opportunities.is_closed,
    opportunities.is_won,
    opportunities.is_won_closed,
    opportunities.is_lost,
    opportunities.is_deleted,
    opportunities.close_date,
    opportunities.last_opportunity_id,
    opportunities.start_date,
    opportunities.end_date,
    placements.deal_group_id as legacy_deal_group_id,
    placements.legacy_contract_id,
    placements.legacy_member_position,
    coalesce(placements.is_deleted, false) as is_legacy_deleted
from {{ ref('int_opportunities__typed') }} as opportunities
left join {{ ref('int_opportunities__screened') }} as screening
    on screening.org_id = opportunities.org_id and screening.opportunity_id = opportunities.opportunity_id
left join {{ ref('int_legacy__placements') }} as placements
    on placements.org_id = opportunities.org_id and placements.opportunity_id = opportunities.opportunity_id
where opportunities.row_reason is null
  and screening.screen_reason is null
  and placements.is_left_out is not true
