-- SPEC §4 walker diff, one row per renewal whose two walkers disagree, with both answers:
--   legacy walker      from the renewal's head, follow last_opportunity_c back through
--                      amendments until the first opportunity that is not one (inclusive)
--   engagement walker  the memberships of the prior contract
with recursive renewals as (
    select t.org_id, t.prior_contract_id, t.renewal_contract_id, t.renewal_opportunity_id, o.last_opportunity_id
    from {{ for_run_orgs(ref('renewal_targets')) }} as t
    inner join {{ for_run_orgs(ref('valid_opportunities')) }} as o
        on o.org_id = t.org_id and o.opportunity_id = t.renewal_opportunity_id
),

legacy_walk (org_id, renewal_contract_id, opportunity_id, depth, goes_on) as (
    select r.org_id, r.renewal_contract_id, o.opportunity_id, 1, o.opportunity_type = 'AMENDMENT'
    from renewals as r
    inner join {{ for_run_orgs(ref('valid_opportunities')) }} as o
        on o.org_id = r.org_id and o.opportunity_id = r.last_opportunity_id
    union all
    select w.org_id, w.renewal_contract_id, prev.opportunity_id, w.depth + 1, prev.opportunity_type = 'AMENDMENT'
    from legacy_walk as w
    inner join {{ for_run_orgs(ref('valid_opportunities')) }} as cur
        on cur.org_id = w.org_id and cur.opportunity_id = w.opportunity_id
    inner join {{ for_run_orgs(ref('valid_opportunities')) }} as prev
        on prev.org_id = cur.org_id and prev.opportunity_id = cur.last_opportunity_id
    where w.goes_on and w.depth < 1000
),

legacy as (
    select org_id, renewal_contract_id,
        array_agg(distinct opportunity_id order by opportunity_id) as opportunity_ids
    from legacy_walk
    group by org_id, renewal_contract_id
),

engagement as (
    select r.org_id, r.renewal_contract_id,
        array_agg(m.opportunity_id order by m.opportunity_id) as opportunity_ids
    from renewals as r
    inner join {{ for_run_orgs(ref('contract_memberships')) }} as m
        on m.org_id = r.org_id and m.contract_id = r.prior_contract_id
    group by r.org_id, r.renewal_contract_id
)

select
    r.org_id,
    r.prior_contract_id,
    r.renewal_contract_id,
    r.renewal_opportunity_id,
    coalesce(l.opportunity_ids, '{}') as legacy_walker_opportunity_ids,
    coalesce(e.opportunity_ids, '{}') as engagement_walker_opportunity_ids,
    array(select unnest(coalesce(l.opportunity_ids, '{}')) except select unnest(coalesce(e.opportunity_ids, '{}'))
          order by 1) as only_legacy,
    array(select unnest(coalesce(e.opportunity_ids, '{}')) except select unnest(coalesce(l.opportunity_ids, '{}'))
          order by 1) as only_engagement
from renewals as r
left join legacy as l on l.org_id = r.org_id and l.renewal_contract_id = r.renewal_contract_id
left join engagement as e on e.org_id = r.org_id and e.renewal_contract_id = r.renewal_contract_id
where coalesce(l.opportunity_ids, '{}') <> coalesce(e.opportunity_ids, '{}')
