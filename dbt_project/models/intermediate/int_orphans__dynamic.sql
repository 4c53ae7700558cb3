{{ config(indexes=[{'columns': ['org_id', 'decision_step'], 'unique': true}]) }}
-- The orphans whose rule-5 outcome depends on what earlier orphans made,
-- numbered in the org-wide decision order (close_date, id) (decision D4),
-- with what the static pointer walk found.
with classified as (
    select * from {{ ref('int_orphans__classified') }} where static_reason is null
),

paths as (
    select * from {{ ref('int_orphans__pointer_paths') }}
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
        coalesce(paths.passed_orphans, array[]::text[]) as passed_orphans,
        paths.static_target_contract_id,
        row_number() over (
            partition by classified.org_id
            order by classified.close_date, {{ by_code_point('classified.opportunity_id') }}
        ) as decision_step
    from classified
    left join paths
        on paths.org_id = classified.org_id and paths.opportunity_id = classified.opportunity_id
)

select * from final
