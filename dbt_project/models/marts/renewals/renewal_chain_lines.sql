-- Every quote line the seed replay reads, in replay order: for each prior that
-- has (or now gets) a successor, the head's primary signed quote (step 0), then
-- each Closed Won amendment's primary signed quote, by (close_date, id). When an
-- opportunity has several primary signed quotes the latest signed is used (and
-- the duplicate is listed in renewal_seed_problems). `is_usable` is false for a
-- line without dates, SKU or quantity (listed too, never guessed).
with targets as (
    select * from {{ for_run_orgs(ref('renewal_targets')) }} where needs_seed
),

steps as (
    select
        t.org_id, t.prior_contract_id, t.renewal_contract_id, t.renewal_start_date,
        m.opportunity_id,
        m.membership_sequence = 1 as is_head,
        case when m.membership_sequence = 1 then 0 else row_number() over (
            partition by t.org_id, t.prior_contract_id, m.membership_sequence = 1
            order by o.close_date, {{ by_code_point('o.opportunity_id') }}) end as step
    from targets as t
    inner join {{ for_run_orgs(ref('contract_memberships')) }} as m
        on m.org_id = t.org_id and m.contract_id = t.prior_contract_id
    inner join {{ for_run_orgs(ref('valid_opportunities')) }} as o
        on o.org_id = m.org_id and o.opportunity_id = m.opportunity_id
    where m.membership_sequence = 1 or (m.opportunity_type = 'AMENDMENT' and o.is_won)
),

chosen_quotes as (
    select distinct on (org_id, opportunity_id) org_id, opportunity_id, quote_id
    from {{ for_run_orgs(ref('stg_app__quotes')) }}
    where is_primary and status = 'SIGNED' and not is_system_draft
    order by org_id, opportunity_id, signed_at desc nulls last, {{ by_code_point('quote_id') }} desc
)

select
    s.org_id, s.prior_contract_id, s.renewal_contract_id, s.renewal_start_date,
    s.opportunity_id, s.is_head, s.step,
    q.quote_id,
    l.quote_line_id, l.product_sku, l.quantity, l.unit_price, l.start_date, l.end_date,
    l.quote_line_id is not null and l.start_date is not null and l.end_date is not null
        and l.product_sku is not null and l.quantity is not null as is_usable
from steps as s
left join chosen_quotes as q on q.org_id = s.org_id and q.opportunity_id = s.opportunity_id
left join {{ for_run_orgs(ref('stg_app__quote_lines')) }} as l on l.org_id = q.org_id and l.quote_id = q.quote_id
