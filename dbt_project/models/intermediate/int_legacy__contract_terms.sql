{{ config(indexes=[{'columns': ['org_id', 'account_id']}, {'columns': ['org_id', 'contract_id'], 'unique': true}]) }}
-- The legacy contracts the orphan decider sees from the start (rule 5): term,
-- account, engagement position, whether it is archived (head Lost), and
-- whether it already has a non-archived legacy successor.
-- Only the ordered decider reads it.
with contracts as (
    select * from {{ for_run_orgs(ref('int_legacy__contracts')) }} where link_state = 'OK'
),

priors_with_a_successor as (
    select org_id, prior_contract_id
    from contracts
    where prior_contract_id is not null and not (head_is_closed and not head_is_won)
    group by org_id, prior_contract_id
),

final as (
    select
        contracts.org_id,
        contracts.contract_id,
        contracts.account_id,
        contracts.engagement_id,
        contracts.engagement_sequence,
        contracts.start_date,
        contracts.end_date,
        contracts.head_close_date,
        contracts.head_opportunity_id,
        contracts.head_is_closed and not contracts.head_is_won as is_archived,
        priors_with_a_successor.prior_contract_id is not null as has_successor
    from contracts
    left join priors_with_a_successor
        on priors_with_a_successor.org_id = contracts.org_id
       and priors_with_a_successor.prior_contract_id = contracts.contract_id
)

select * from final
