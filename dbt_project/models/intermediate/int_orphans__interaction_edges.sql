{{ config(indexes=[{'columns': ['org_id', 'node_a']}], pre_hook=["set local enable_nestloop = off", "set local enable_mergejoin = off"]) }}
-- The interaction graph of the dynamic orphans (see int_orphans__components),
-- both directions of every edge: orphan ↔ its account ('a:' ids), orphan ↔
-- each dynamic orphan its pointer passes ('o:' ids), renewal ↔ the account of
-- its static legacy prior. Only the edges that leave a node of a tangled home
-- are kept (a home is an orphan's account node, or an account-less orphan's own
-- node; it is tangled when one of its edges leads to another home): every
-- other home is its own component, and the traversal never reaches it. (An
-- edge out of a node without a home, an orphan a pointer passes that is
-- decided statically, is kept too.) (Nested loops are off: `dynamic` is read four
-- times, so it is materialized, and in an org-scoped build the planner expects
-- a few dozen of its thousands of rows and joined it to every pointer path of
-- the org by org alone: 34 s instead of 0.1 s.)
with dynamic as (
    select
        classified.org_id,
        classified.opportunity_id,
        classified.opportunity_type,
        classified.orphan_account_id,
        -- the orphan's home: its account node, or its own node when it has no account
        coalesce('a:' || classified.orphan_account_id, 'o:' || classified.opportunity_id) as home
    from {{ ref('int_orphans__classified') }} as classified
    inner join {{ ref('int_orphans__path_dependence') }} as dependence
        on dependence.org_id = classified.org_id and dependence.opportunity_id = classified.opportunity_id
    where classified.static_reason is null and not dependence.is_decided_statically
),

paths as (
    select * from {{ ref('int_orphans__path_dependence') }} where not is_decided_statically
),

legacy as (
    -- the converted deal groups, read before the legacy continuation: one it
    -- quarantines as a duplicate successor adds an edge that joins two
    -- components, which never changes a decision (only what is decided together)
    select org_id, deal_group_id as contract_id, account_id
    from {{ ref('int_legacy__deal_group_outcomes') }}
    where outcome = 'CONVERTED'
),

passed_pairs as materialized (
    -- computed first, so the planner cannot join paths to dynamic by org alone
    -- and unnest afterwards (that plan is quadratic in the org's orphans)
    select paths.org_id, paths.opportunity_id, passed.opportunity_id as passed_opportunity_id
    from paths
    cross join lateral unnest(paths.passed_orphans) as passed (opportunity_id)
),

-- every edge once per direction it was found, with the home of each end (an
-- account node is its own home; an orphan a pointer passes that is decided
-- statically has none); duplicates are dropped once, by the union in `final`
edges as materialized (
    -- orphan → its account (never leaves the orphan's home)
    select org_id, 'o:' || opportunity_id as node_a, 'a:' || orphan_account_id as node_b,
        home as home_a, 'a:' || orphan_account_id as home_b
    from dynamic
    where orphan_account_id is not null
    union all
    -- orphan → each dynamic orphan its pointer passes
    select passed_pairs.org_id, 'o:' || passed_pairs.opportunity_id, 'o:' || passed_pairs.passed_opportunity_id,
        walker.home, passed.home
    from passed_pairs
    inner join dynamic as passed
        on passed.org_id = passed_pairs.org_id and passed.opportunity_id = passed_pairs.passed_opportunity_id
    left join dynamic as walker
        on walker.org_id = passed_pairs.org_id and walker.opportunity_id = passed_pairs.opportunity_id
    union all
    -- renewal → the account of its static legacy prior
    select paths.org_id, 'o:' || paths.opportunity_id, 'a:' || legacy.account_id,
        dynamic.home, 'a:' || legacy.account_id
    from paths
    inner join dynamic
        on dynamic.org_id = paths.org_id and dynamic.opportunity_id = paths.opportunity_id
    inner join legacy
        on legacy.org_id = paths.org_id and legacy.contract_id = paths.walk_end_deal_group_id
    where dynamic.opportunity_type = 'RENEWAL'
),

-- homes with an edge out of them: only their nodes need a traversal
tangled_homes as (
    select org_id, home_a as home from edges where home_a <> home_b
    union
    select org_id, home_b from edges where home_a <> home_b
),

final as (
    select edges.org_id, edges.node_a, edges.node_b
    from edges
    left join tangled_homes on tangled_homes.org_id = edges.org_id and tangled_homes.home = edges.home_a
    where edges.home_a is null or tangled_homes.home is not null
    union
    select edges.org_id, edges.node_b, edges.node_a
    from edges
    left join tangled_homes on tangled_homes.org_id = edges.org_id and tangled_homes.home = edges.home_b
    where edges.home_b is null or tangled_homes.home is not null
)

select * from final
