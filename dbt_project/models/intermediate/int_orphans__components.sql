-- Rule 5's ordered decisions only interact through shared state: the
-- contracts of an account (NEW_BUSINESS coverage, a renewal's fallback prior),
-- the membership of an orphan a pointer passes, and a prior's successor. This
-- model splits each org's dynamic orphans into connected components of that
-- interaction graph — orphan ↔ its account, orphan ↔ the orphans its pointer
-- passes, renewal ↔ the account of its static prior — so that
-- int_orphans__decisions can run each component's ordered recursion on its
-- own. The order inside a component is the org-wide order (decision D4), so
-- the result is the same as deciding the whole org in one sequence.
with recursive dynamic as (
    select dependence.org_id, dependence.opportunity_id, classified.orphan_account_id
    from {{ ref('int_orphans__path_dependence') }} as dependence
    inner join {{ ref('int_orphans__classified') }} as classified
        on classified.org_id = dependence.org_id and classified.opportunity_id = dependence.opportunity_id
    where not dependence.is_decided_statically
),

-- one traversal per account (and per orphan without one), not per orphan
roots as (
    select distinct org_id, node_a as root
    from {{ ref('int_orphans__interaction_edges') }}
    where node_a like 'a:%'
    union
    select org_id, 'o:' || opportunity_id from dynamic where orphan_account_id is null
),

reach (org_id, root, node) as (
    select org_id, root, root from roots
    union
    select reach.org_id, reach.root, undirected.node_b
    from reach
    inner join {{ ref('int_orphans__interaction_edges') }} as undirected
        on undirected.org_id = reach.org_id and undirected.node_a = reach.node
),

root_labels as (
    select org_id, root, min(node collate "C") as label
    from reach
    group by org_id, root
),

final as (
    select reach.org_id, substr(reach.node, 3) as opportunity_id, min(root_labels.label collate "C") as component
    from reach
    inner join root_labels on root_labels.org_id = reach.org_id and root_labels.root = reach.root
    where reach.node like 'o:%'
    group by reach.org_id, reach.node
)

select * from final
