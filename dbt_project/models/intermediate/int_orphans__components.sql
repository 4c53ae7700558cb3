-- Rule 5's ordered decisions only interact through shared state: the
-- contracts of an account (NEW_BUSINESS coverage, a renewal's fallback prior),
-- the membership of an orphan a pointer passes, and a prior's successor. This
-- model splits each org's dynamic orphans into connected components of that
-- interaction graph (int_orphans__interaction_edges) so that
-- int_orphans__decisions can run each component's ordered recursion on its
-- own. The order inside a component is the org-wide order (decision D4), so
-- the result is the same as deciding the whole org in one sequence.
--
-- Most accounts interact with nothing outside themselves: every edge of their
-- orphans stays inside the account, and their component is the account. Only
-- the nodes of accounts (and account-less orphans) that an edge crosses out of
-- are traversed: int_orphans__interaction_edges keeps only their edges.
with recursive dynamic as (
    select dependence.org_id, dependence.opportunity_id, classified.orphan_account_id
    from {{ for_run_orgs(ref('int_orphans__path_dependence')) }} as dependence
    inner join {{ for_run_orgs(ref('int_orphans__classified')) }} as classified
        on classified.org_id = dependence.org_id and classified.opportunity_id = dependence.opportunity_id
    where not dependence.is_decided_statically
),

edges as (
    select * from {{ for_run_orgs(ref('int_orphans__interaction_edges')) }}
),

-- the nodes of tangled homes: every one is the start of a kept edge
tangled_nodes as (
    select distinct org_id, node_a as node from edges
),

reach (org_id, root, node) as (
    select org_id, node, node from tangled_nodes where node like 'a:%'
    union
    select tangled_nodes.org_id, tangled_nodes.node, tangled_nodes.node
    from tangled_nodes
    inner join dynamic
        on dynamic.org_id = tangled_nodes.org_id and 'o:' || dynamic.opportunity_id = tangled_nodes.node
    where dynamic.orphan_account_id is null
    union
    select reach.org_id, reach.root, edges.node_b
    from reach
    inner join {{ for_run_orgs(ref('int_orphans__interaction_edges')) }} as edges
        on edges.org_id = reach.org_id and edges.node_a = reach.node
),

root_labels as (
    select org_id, root, min(node collate "C") as label
    from reach
    group by org_id, root
),

tangled_components as (
    select reach.org_id, substr(reach.node, 3) as opportunity_id, min(root_labels.label collate "C") as component
    from reach
    inner join root_labels on root_labels.org_id = reach.org_id and root_labels.root = reach.root
    where reach.node like 'o:%'
    group by reach.org_id, reach.node
),

final as (
    select dynamic.org_id, dynamic.opportunity_id,
        coalesce(tangled_components.component,
                 coalesce('a:' || dynamic.orphan_account_id, 'o:' || dynamic.opportunity_id)) as component
    from dynamic
    left join tangled_components
        on tangled_components.org_id = dynamic.org_id and tangled_components.opportunity_id = dynamic.opportunity_id
)

select * from final
