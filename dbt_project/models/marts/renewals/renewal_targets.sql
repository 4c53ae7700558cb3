{{ config(indexes=[
    {'columns': ['org_id', 'prior_contract_id'], 'unique': true},
    {'columns': ['org_id', 'renewal_contract_id']},
]) }}
-- SPEC §4, one row per prior (an ACTIVE contract, head Won, org renewal-enabled):
-- does a PENDING successor exist — computed from a renewal opportunity
-- (COMPUTED, which includes an adopted scaffold) or scaffolded earlier and not
-- yet adopted (SCAFFOLDED) — and if not, must one be scaffolded now: an open
-- renewal opportunity already points at the prior (RENEWAL_OPPORTUNITY), or
-- the org's renewal_lead_days before the prior's end date have come (LEAD_TIME).
-- renewal_contract_id is the successor's id, or the id a scaffold will get.
with priors as (
    select * from {{ for_run_orgs(ref('renewal_priors')) }}
),

computed_successors as (
    select org_id, prior_contract_id, contract_id, head_opportunity_id
    from (
        select org_id, prior_contract_id, contract_id, head_opportunity_id,
            row_number() over (partition by org_id, prior_contract_id
                               order by engagement_sequence, {{ by_code_point('contract_id') }}) as n
        from {{ for_run_orgs(ref('contracts')) }}
        where contract_type = 'RENEWAL' and status = 'PENDING'
    ) as ranked
    where n = 1
),

scaffolded_successors as (
    select org_id, prior_contract_id, contract_id
    from (
        select org_id, prior_contract_id, contract_id,
            row_number() over (partition by org_id, prior_contract_id
                               order by created_at, {{ by_code_point('contract_id') }}) as n
        from {{ for_run_orgs(ref('stg_app__renewal_scaffolds')) }}
        where status = 'PENDING' and not is_adopted
    ) as ranked
    where n = 1
),

pointing_opportunities as (
    -- open renewal opportunities that joined no contract, pointing at a member of the prior
    select m.org_id, m.contract_id as prior_contract_id,
        min({{ by_code_point('o.opportunity_id') }}) as opportunity_id
    from {{ for_run_orgs(ref('unattached_opportunities')) }} as u
    inner join {{ for_run_orgs(ref('valid_opportunities')) }} as o
        on o.org_id = u.org_id and o.opportunity_id = u.opportunity_id
    inner join {{ for_run_orgs(ref('contract_memberships')) }} as m
        on m.org_id = o.org_id and m.opportunity_id = o.last_opportunity_id
    where o.opportunity_type = 'RENEWAL' and not o.is_closed and not o.is_deleted
    group by m.org_id, m.contract_id
),

final as (
    select
        p.org_id,
        p.prior_contract_id,
        p.prior_end_date,
        coalesce(cs.contract_id, ss.contract_id,
                 'R-' || {{ short_digest(['p.org_id', "'renewal'", 'p.prior_contract_id']) }}) as renewal_contract_id,
        case when cs.contract_id is not null then 'COMPUTED'
             when ss.contract_id is not null then 'SCAFFOLDED' end as successor_kind,
        cs.contract_id is not null or ss.contract_id is not null as has_pending_successor,
        coalesce(cs.head_opportunity_id, po.opportunity_id) as renewal_opportunity_id,
        (p.prior_end_date - p.renewal_lead_days) as scaffold_on,
        case
            when cs.contract_id is not null or ss.contract_id is not null then null
            when po.opportunity_id is not null then 'RENEWAL_OPPORTUNITY'
            when {{ as_of_date() }} >= p.prior_end_date - p.renewal_lead_days then 'LEAD_TIME'
        end as scaffold_reason,
        p.renewal_start_date,
        p.renewal_end_date,
        p.account_id,
        p.engagement_id,
        p.prior_engagement_sequence + 1 as renewal_engagement_sequence,
        p.prior_head_opportunity_id,
        p.renewal_pricing,
        p.renewal_uplift_pct,
        'Renewal of ' || coalesce(p.contract_name, p.prior_contract_id) as renewal_name
    from priors as p
    left join computed_successors as cs
        on cs.org_id = p.org_id and cs.prior_contract_id = p.prior_contract_id
    left join scaffolded_successors as ss
        on ss.org_id = p.org_id and ss.prior_contract_id = p.prior_contract_id
    left join pointing_opportunities as po
        on po.org_id = p.org_id and po.prior_contract_id = p.prior_contract_id
)

select
    *,
    scaffold_reason is not null as must_scaffold_now,
    has_pending_successor or scaffold_reason is not null as needs_seed
from final
