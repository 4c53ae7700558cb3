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
    select org_id, opportunity_id, opportunity_type, orphan_account_id
    from {{ ref('int_orphans__classified') }}
    where static_reason is null
),

reach (org_id, root, node) as (
    select org_id, 'o:' || opportunity_id, 'o:' || opportunity_id from dynamic
    union
    select reach.org_id, reach.root, undirected.node_b
    from reach
    inner join {{ ref('int_orphans__interaction_edges') }} as undirected
        on undirected.org_id = reach.org_id and undirected.node_a = reach.node
),

final as (
    select org_id, substr(root, 3) as opportunity_id, min(node collate "C") as component
    from reach
    group by org_id, root
)

select * from final
