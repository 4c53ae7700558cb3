-- What the seed replay could not use, with the row and a reason; the renewal
-- still gets a seed from what is valid, or visibly none (NO_SEED).
--   NO_SIGNED_HEAD_QUOTE            the prior's head has no primary signed quote
--   AMENDMENT_WITHOUT_SIGNED_QUOTE  a Won amendment has no primary signed quote
--   MULTIPLE_PRIMARY_QUOTES         an opportunity of the chain has several primary quotes (the latest signed is used)
--   QUOTE_LINE_NULL_DATES           a line without start or end date (skipped)
--   QUOTE_LINE_INCOMPLETE           a line without SKU or quantity (skipped)
--   NEGATIVE_QUANTITY               a SKU whose deltas net below zero (dropped)
--   NO_SEED                         nothing valid is left: the renewal gets no seed lines
with chain as (
    select * from {{ for_run_orgs(ref('renewal_chain_lines')) }}
),

steps as (
    select distinct org_id, prior_contract_id, renewal_contract_id, opportunity_id, is_head, quote_id from chain
),

primaries as (
    select org_id, opportunity_id, count(*) as primary_quotes,
        string_agg(quote_id, ', ' order by {{ by_code_point('quote_id') }}) as quote_ids
    from {{ for_run_orgs(ref('stg_app__quotes')) }}
    where is_primary and not is_system_draft
    group by org_id, opportunity_id
    having count(*) > 1
),

negative as (
    select org_id, prior_contract_id, renewal_contract_id, product_sku, sum(quantity) as quantity
    from chain
    where is_usable and end_date >= renewal_start_date - 1
    group by org_id, prior_contract_id, renewal_contract_id, product_sku
    having sum(quantity) < 0
)

select org_id, prior_contract_id, renewal_contract_id, 'salesforce.opportunity' as source_table,
       opportunity_id as row_id,
       case when is_head then 'NO_SIGNED_HEAD_QUOTE' else 'AMENDMENT_WITHOUT_SIGNED_QUOTE' end as reason,
       'opportunity ' || opportunity_id || ' has no primary signed quote' as detail
from steps where quote_id is null

union all
select s.org_id, s.prior_contract_id, s.renewal_contract_id, 'app.quote', s.opportunity_id, 'MULTIPLE_PRIMARY_QUOTES',
       p.primary_quotes || ' primary quotes (' || p.quote_ids || '); used ' || coalesce(s.quote_id, 'none')
from steps as s
inner join primaries as p on p.org_id = s.org_id and p.opportunity_id = s.opportunity_id

union all
select org_id, prior_contract_id, renewal_contract_id, 'app.quote_line', quote_line_id,
       case when product_sku is null or quantity is null then 'QUOTE_LINE_INCOMPLETE' else 'QUOTE_LINE_NULL_DATES' end,
       'quote ' || quote_id || ' line ' || quote_line_id || ' skipped'
from chain
where quote_line_id is not null and not is_usable

union all
select org_id, prior_contract_id, renewal_contract_id, 'app.quote_line', product_sku, 'NEGATIVE_QUANTITY',
       'SKU ' || product_sku || ' nets to ' || quantity::text || ' as of the renewal start; dropped'
from negative

union all
select t.org_id, t.prior_contract_id, t.renewal_contract_id, 'marts.renewal_targets', t.renewal_contract_id, 'NO_SEED',
       'no valid line is left for the renewal of ' || t.prior_contract_id
from {{ for_run_orgs(ref('renewal_targets')) }} as t
where t.needs_seed
  and not exists (select 1 from {{ for_run_orgs(ref('renewal_seed_lines')) }} as l
                  where l.org_id = t.org_id and l.renewal_contract_id = t.renewal_contract_id)
