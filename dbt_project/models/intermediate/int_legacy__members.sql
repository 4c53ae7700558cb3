-- Rule 2, first step: the members of each valid legacy deal group (the
-- screened opportunities whose one deal group it is). Deleted members are
-- dropped (unattached DELETED); the rest are numbered by (close_date, id).
-- (Nested loops off: int_opportunities__typed is indexed by org only, and in an
-- org-scoped build the planner looked each member up by scanning its org's
-- opportunities — 36 s for one org instead of 0.2 s.)
with screened as (
    -- a screened opportunity with no reason and a deal group is a member of a
    -- valid deal group: a membership naming no deal group of its org is
    -- MISSING_REFERENCE, and the members of a duplicated one are quarantined
    select opportunities.*, screening.deal_group_id
    from {{ for_run_orgs(ref('int_opportunities__screened')) }} as screening
    inner join {{ for_run_orgs(ref('int_opportunities__typed')) }} as opportunities
        on opportunities.org_id = screening.org_id and opportunities.opportunity_id = screening.opportunity_id
    where screening.screen_reason is null and screening.deal_group_id is not null
      and opportunities.row_reason is null
),

final as (
    select
        screened.org_id,
        screened.deal_group_id,
        screened.opportunity_id,
        screened.opportunity_type,
        screened.is_deleted,
        screened.close_date,
        case when not screened.is_deleted then
            row_number() over (
                partition by screened.org_id, screened.deal_group_id, screened.is_deleted
                order by screened.close_date, {{ by_code_point('screened.opportunity_id') }}
            )
        end as member_position
    from screened
)

select * from final
