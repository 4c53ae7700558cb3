{{ config(indexes=[{'columns': ['org_id', 'node_a']}], pre_hook=["set local enable_nestloop = off"]) }}
-- The interaction graph of the dynamic orphans (see int_orphans__components),
-- both directions of every edge: orphan ↔ its account ('a:' ids), orphan ↔
-- each dynamic orphan its pointer passes ('o:' ids), renewal ↔ the account of
-- its static legacy prior. (Nested loops are off: `dynamic` is read three
-- times, so it is materialized, and in an org-scoped build the planner expects
-- a few dozen of its thousands of rows and joined it to every pointer path of
-- the org by org alone: 34 s instead of 0.1 s.)
with dynamic as (
    select classified.org_id, classified.opportunity_id, classified.opportunity_type, classified.orphan_account_id
    from {{ ref('int_orphans__classified') }} as classified
    inner join {{ ref('int_orphans__path_dependence') }} as dependence
        on dependence.org_id = classified.org_id and dependence.opportunity_id = classified.opportunity_id
    where classified.static_reason is null and not dependence.is_decided_statically
),

paths as (
    select * from {{ ref('int_orphans__path_dependence') }} where not is_decided_statically
),

legacy as (
    select org_id, contract_id, account_id from {{ ref('int_legacy__contract_terms') }}
),

passed_pairs as materialized (
    -- computed first, so the planner cannot join paths to dynamic by org alone
    -- and unnest afterwards (that plan is quadratic in the org's orphans)
    select paths.org_id, paths.opportunity_id, passed.opportunity_id as passed_opportunity_id
    from paths
    cross join lateral unnest(paths.passed_orphans) as passed (opportunity_id)
),

edges as (
    select org_id, 'o:' || opportunity_id as node_a, 'a:' || orphan_account_id as node_b
    from dynamic
    where orphan_account_id is not null
    union
    select passed_pairs.org_id, 'o:' || passed_pairs.opportunity_id, 'o:' || passed_pairs.passed_opportunity_id
    from passed_pairs
    inner join dynamic
        on dynamic.org_id = passed_pairs.org_id and dynamic.opportunity_id = passed_pairs.passed_opportunity_id
    union
    select paths.org_id, 'o:' || paths.opportunity_id, 'a:' || legacy.account_id
    from paths
    inner join dynamic
        on dynamic.org_id = paths.org_id and dynamic.opportunity_id = paths.opportunity_id
    inner join legacy
        on legacy.org_id = paths.org_id and legacy.contract_id = paths.static_target_contract_id
    where dynamic.opportunity_type = 'RENEWAL'
),

final as (
    select org_id, node_a, node_b from edges
    union
    select org_id, node_b, node_a from edges
)

select * from final
