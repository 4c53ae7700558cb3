{{ config(indexes=[{'columns': ['org_id', 'node_a']}],
          pre_hook=["set local enable_nestloop = off", "set local enable_mergejoin = off"]) }}
-- The interaction graph of the dynamic orphans (see int_orphans__components),
-- both directions of every edge: orphan ↔ its account ('a:' ids), orphan ↔
-- each dynamic orphan its pointer passes ('o:' ids), renewal ↔ the account of
-- its static legacy prior. Only the edges that leave a node of a tangled home
-- are kept (a home is an orphan's account node, or an account-less orphan's own
-- node; it is tangled when one of its edges leads to another home): every
-- other home is its own component, and the traversal never reaches it. The
-- tangled homes are found from the edges that cross homes (a few thousand),
-- and only then are the kept edges' node ids built. (Nested loops are off:
-- `dynamic` is read several times, so it is materialized, and in an
-- org-scoped build the planner expects a few dozen of its thousands of rows
-- and joined it to every pointer path of the org by org alone: 34 s instead
-- of 0.1 s.)
with dynamic as materialized (
    select
        classified.org_id,
        classified.opportunity_id,
        classified.opportunity_type,
        classified.orphan_account_id,
        -- the orphan's home: its account node, or its own node when it has no account
        coalesce('a:' || classified.orphan_account_id, 'o:' || classified.opportunity_id) as home,
        dependence.passed_orphans,
        dependence.walk_end_deal_group_id
    from {{ for_run_orgs(ref('int_orphans__classified')) }} as classified
    inner join {{ for_run_orgs(ref('int_orphans__path_dependence')) }} as dependence
        on dependence.org_id = classified.org_id and dependence.opportunity_id = classified.opportunity_id
    where classified.static_reason is null and not dependence.is_decided_statically
),

legacy as (
    -- the converted deal groups, read before the legacy continuation: one it
    -- quarantines as a duplicate successor adds an edge that joins two
    -- components, which never changes a decision (only what is decided together)
    select org_id, deal_group_id as contract_id, account_id
    from {{ for_run_orgs(ref('int_legacy__deal_group_outcomes')) }}
    where outcome = 'CONVERTED'
),

passed_pairs as materialized (
    -- computed first, so the planner cannot join the walkers to the passed
    -- orphans by org alone and unnest afterwards (that plan is quadratic in the
    -- org's orphans)
    select walker.org_id, walker.opportunity_id, walker.home, passed.opportunity_id as passed_opportunity_id
    from dynamic as walker
    cross join lateral unnest(walker.passed_orphans) as passed (opportunity_id)
),

-- every orphan → dynamic orphan its pointer passes, with the home of each end
passed_edges as materialized (
    select passed_pairs.org_id, passed_pairs.opportunity_id, passed_pairs.passed_opportunity_id,
        passed_pairs.home as home_a, passed.home as home_b
    from passed_pairs
    inner join dynamic as passed
        on passed.org_id = passed_pairs.org_id and passed.opportunity_id = passed_pairs.passed_opportunity_id
),

-- every renewal → the account of its static legacy prior
prior_edges as materialized (
    select dynamic.org_id, dynamic.opportunity_id, legacy.account_id, dynamic.home as home_a
    from dynamic
    inner join legacy
        on legacy.org_id = dynamic.org_id and legacy.contract_id = dynamic.walk_end_deal_group_id
    where dynamic.opportunity_type = 'RENEWAL'
),

-- homes with an edge out of them: only their nodes need a traversal (an
-- orphan's edge to its own account never leaves its home)
tangled_homes as (
    select org_id, home_a as home from passed_edges where home_a <> home_b
    union
    select org_id, home_b from passed_edges where home_a <> home_b
    union
    select org_id, home_a from prior_edges where home_a <> 'a:' || account_id
    union
    select org_id, 'a:' || account_id from prior_edges where home_a <> 'a:' || account_id
),

-- both directions of every edge, each with the home it leaves (node ids are
-- built below, for the kept edges only)
directed_edges as (
    -- orphan ↔ its account (both ends in the orphan's home)
    select org_id, 'o' as from_kind, opportunity_id as from_id, 'a' as to_kind, orphan_account_id as to_id,
        home as from_home
    from dynamic where orphan_account_id is not null
    union all
    select org_id, 'a', orphan_account_id, 'o', opportunity_id, home from dynamic where orphan_account_id is not null
    union all
    -- orphan ↔ each dynamic orphan its pointer passes
    select org_id, 'o', opportunity_id, 'o', passed_opportunity_id, home_a from passed_edges
    union all
    select org_id, 'o', passed_opportunity_id, 'o', opportunity_id, home_b from passed_edges
    union all
    -- renewal ↔ the account of its static legacy prior
    select org_id, 'o', opportunity_id, 'a', account_id, home_a from prior_edges
    union all
    select org_id, 'a', account_id, 'o', opportunity_id, 'a:' || account_id from prior_edges
),

-- every edge out of a node of a tangled home
final as (
    select distinct
        directed_edges.org_id,
        directed_edges.from_kind || ':' || directed_edges.from_id as node_a,
        directed_edges.to_kind || ':' || directed_edges.to_id as node_b
    from directed_edges
    inner join tangled_homes
        on tangled_homes.org_id = directed_edges.org_id and tangled_homes.home = directed_edges.from_home
)

select * from final
