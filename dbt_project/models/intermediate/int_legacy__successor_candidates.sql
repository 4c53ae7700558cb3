{{ config(indexes=[{'columns': ['org_id', 'prior_contract_id']},
                   {'columns': ['org_id', 'contract_id'], 'unique': true}]) }}
-- Rule 2, continuation candidates: a RENEWAL-headed converted contract whose
-- head pointer resolves (rule 4, legacy memberships only) to another contract
-- of the same account whose head comes first (decision D7), ranked among the
-- candidates of that prior by head (close_date, id). The walk itself is
-- int_opportunities__pointer_walks' (from the renewal heads).
with converted as (
    select * from {{ for_run_orgs(ref('int_legacy__deal_group_outcomes')) }} where outcome = 'CONVERTED'
),

walk as (
    select * from {{ for_run_orgs(ref('int_opportunities__pointer_walks')) }} where start_deal_group_id is not null
),

final as (
    select
        successor.org_id,
        successor.deal_group_id as contract_id,
        prior.deal_group_id as prior_contract_id,
        row_number() over (
            partition by successor.org_id, prior.deal_group_id
            order by successor.head_close_date, {{ by_code_point('successor.head_opportunity_id') }}
        ) as successor_rank
    from walk
    -- the walks that start from a converted RENEWAL-headed deal group's head
    inner join converted as successor
        on successor.org_id = walk.org_id and successor.deal_group_id = walk.start_deal_group_id
       and successor.head_opportunity_id = walk.opportunity_id
    -- ending at a member of a converted deal group
    inner join converted as prior
        on prior.org_id = walk.org_id and prior.deal_group_id = walk.target_deal_group_id
    where prior.deal_group_id <> successor.deal_group_id
      and prior.account_id = successor.account_id
      and (prior.head_close_date, {{ by_code_point('prior.head_opportunity_id') }})
        < (successor.head_close_date, {{ by_code_point('successor.head_opportunity_id') }})
)

select * from final
