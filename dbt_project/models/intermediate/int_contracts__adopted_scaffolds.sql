-- SPEC §4: a successor the renewal job scaffolded before any renewal
-- opportunity existed becomes the contract of the renewal opportunity that
-- arrives for its prior — the same contract, not a second successor. For every
-- PENDING scaffold, the first computed RENEWAL contract (not lost) whose prior's
-- head is the scaffold's prior head — by (engagement sequence, head close date,
-- head id) — takes the scaffold's id. Matching on the prior's head opportunity
-- keeps it right however many renewal generations were adopted before. A
-- scaffold the backfill adopted on an earlier run keeps its id (any status):
-- otherwise the next run would compute a second contract for the same renewal.
-- (`renewals` is materialized: right after an apply the statistics of
-- app.deal_group still say "no scaffolds", and a plan that trusts them would
-- otherwise recompute the window below once per scaffold.)
with scaffolds as (
    select org_id, contract_id as scaffold_id, prior_head_opportunity_id
    from {{ for_run_orgs(ref('stg_app__renewal_scaffolds')) }}
    where prior_head_opportunity_id is not null and (status = 'PENDING' or is_adopted)
),

renewals as materialized (
    select
        renewal.org_id,
        renewal.contract_id,
        prior.head_opportunity_id as prior_head_opportunity_id,
        row_number() over (
            partition by renewal.org_id, prior.head_opportunity_id
            order by renewal.engagement_sequence, renewal.head_close_date,
                {{ by_code_point('renewal.head_opportunity_id') }}
        ) as arrival
    from {{ for_run_orgs(ref('int_contracts__unioned')) }} as renewal
    inner join {{ for_run_orgs(ref('int_contracts__unioned')) }} as prior
        on prior.org_id = renewal.org_id and prior.contract_id = renewal.prior_contract_id
    where renewal.contract_type = 'RENEWAL' and not renewal.head_is_lost
)

select
    renewals.org_id,
    renewals.contract_id as computed_contract_id,
    scaffolds.scaffold_id as contract_id
from renewals
inner join scaffolds
    on scaffolds.org_id = renewals.org_id
   and scaffolds.prior_head_opportunity_id = renewals.prior_head_opportunity_id
where renewals.arrival = 1
