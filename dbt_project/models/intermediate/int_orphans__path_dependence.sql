{{ config(indexes=[{'columns': ['org_id', 'opportunity_id'], 'unique': true}]) }}
-- Which orphans really need the ordered decider. A pointer walk's answer can
-- only change with time through a passed orphan that opens a contract (a
-- NEW_BUSINESS or RENEWAL orphan whose outcome is not already known). So each
-- passed list is cut after its last such orphan — the amendments beyond it
-- end where the static walk ends, attached or not — and an amendment whose
-- cut list is empty is decided here and now: it joins the static end of its
-- walk, or is AMENDMENT_PRIOR_NOT_FOUND.
with candidates as (
    select * from {{ for_run_orgs(ref('int_orphans__classified')) }} where static_reason is null
),

paths as (
    -- rule 4's static walk of each dynamic orphan with a pointer: the orphans it
    -- passed, in order, and the deal group whose live member ends it (the
    -- walk's static target if the legacy conversion and continuation keep it
    -- as a contract; the readers check that, D50)
    select * from {{ for_run_orgs(ref('int_opportunities__pointer_walks')) }} where start_deal_group_id is null
),

passed as materialized (
    -- every passed orphan with its position, unnested first so that the openers
    -- are found by one hash join, not one index lookup per passed orphan
    select paths.org_id, paths.opportunity_id, passed.opportunity_id as passed_opportunity_id, passed.position
    from paths
    cross join lateral unnest(paths.passed_orphans) with ordinality as passed (opportunity_id, position)
),

last_openers as (
    select passed.org_id, passed.opportunity_id, max(passed.position) as position
    from passed
    inner join {{ for_run_orgs(ref('int_orphans__classified')) }} as opener
        on opener.org_id = passed.org_id and opener.opportunity_id = passed.passed_opportunity_id
    where opener.static_reason is null and opener.opportunity_type in ('NEW_BUSINESS', 'RENEWAL')
    group by passed.org_id, passed.opportunity_id
),

cut as (
    select
        paths.org_id,
        paths.opportunity_id,
        paths.target_deal_group_id,
        coalesce(paths.passed_orphans[1:last_openers.position], array[]::text[]) as passed_openers
    from paths
    left join last_openers
        on last_openers.org_id = paths.org_id and last_openers.opportunity_id = paths.opportunity_id
),

final as (
    select
        candidates.org_id,
        candidates.opportunity_id,
        candidates.opportunity_type,
        candidates.last_opportunity_id,
        coalesce(cut.passed_openers, array[]::text[]) as passed_orphans,
        cut.target_deal_group_id as walk_end_deal_group_id,
        candidates.opportunity_type = 'AMENDMENT' and cardinality(coalesce(cut.passed_openers, array[]::text[])) = 0
            as is_decided_statically
    from candidates
    left join cut on cut.org_id = candidates.org_id and cut.opportunity_id = candidates.opportunity_id
)

select * from final
