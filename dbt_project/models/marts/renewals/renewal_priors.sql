-- SPEC §4: the contracts a renewal is kept ahead of — ACTIVE, head Closed Won,
-- in an org whose flags are legal with the engagement model applied and
-- renewal_chain_enabled — with the renewal's dates and the org's renewal settings.
-- The renewal starts the day after the prior ends and runs the org's default term.
select
    c.org_id,
    c.contract_id as prior_contract_id,
    c.account_id,
    c.engagement_id,
    c.engagement_sequence as prior_engagement_sequence,
    c.head_opportunity_id as prior_head_opportunity_id,
    c.start_date as prior_start_date,
    c.end_date as prior_end_date,
    (c.end_date + 1) as renewal_start_date,
    ((c.end_date + 1) + make_interval(months => s.default_term_months) - interval '1 day')::date
        as renewal_end_date,
    s.renewal_lead_days,
    s.renewal_pricing,
    s.renewal_uplift_pct,
    c.contract_name
from {{ for_run_orgs(ref('contracts')) }} as c
inner join {{ for_run_orgs(ref('org_flag_states')) }} as f
    on f.org_id = c.org_id and f.is_applied and f.renewal_chain_enabled
inner join {{ for_run_orgs(ref('stg_config__org_settings')) }} as s on s.org_id = c.org_id
where c.status = 'ACTIVE' and c.head_is_won and c.end_date is not null
