{{ config(indexes=[{'columns': ['org_id', 'component', 'decision_step'], 'unique': true}]) }}
-- The orphans whose rule-5 outcome depends on what earlier orphans made, each
-- with its interaction component, numbered within it in the org-wide decision
-- order (close_date, id) (decision D4), with what the static pointer walk
-- found (passed orphans kept only when their own decision is dynamic).
with classified as (
    select * from {{ ref('int_orphans__classified') }} where static_reason is null
),

paths as (
    select * from {{ ref('int_orphans__pointer_paths') }}
),

components as (
    select * from {{ ref('int_orphans__components') }}
),

final as (
    select
        classified.org_id,
        classified.opportunity_id,
        classified.opportunity_type,
        classified.orphan_account_id,
        classified.is_lost,
        classified.close_date,
        classified.start_date,
        classified.end_date,
        classified.last_opportunity_id,
        coalesce(
            array(
                select passed.opportunity_id
                from unnest(paths.passed_orphans) with ordinality as passed (opportunity_id, position)
                where exists (select 1 from {{ ref('int_orphans__classified') }} as other
                              where other.org_id = classified.org_id
                                and other.opportunity_id = passed.opportunity_id
                                and other.static_reason is null)
                order by passed.position
            ),
            array[]::text[]
        ) as passed_orphans,
        paths.static_target_contract_id,
        components.component,
        row_number() over (
            partition by classified.org_id, components.component
            order by classified.close_date, {{ by_code_point('classified.opportunity_id') }}
        ) as decision_step
    from classified
    inner join components
        on components.org_id = classified.org_id and components.opportunity_id = classified.opportunity_id
    left join paths
        on paths.org_id = classified.org_id and paths.opportunity_id = classified.opportunity_id
)

select * from final
