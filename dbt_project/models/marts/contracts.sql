{{ config(indexes=[{'columns': ['org_id', 'contract_id'], 'unique': true}]) }}
-- One row per contract of the computed hierarchy, every org, with its status
-- as of `as_of` (rule 6, first match wins: head Lost → ARCHIVED; a renewal
-- whose head is Open or Won but not started → PENDING; its Won successor has
-- started, or the term is over → CLOSED; a new-business contract with an
-- Open head → PENDING; otherwise ACTIVE). Engagement sequences are the
-- rules' "prior + 1", numbered 1..n within the engagement by (that sequence,
-- head close_date, head id), so an archived renewal attempt and the renewal
-- that replaced it get consecutive numbers (decision D8).
with contracts as (
    select * from {{ for_run_orgs(ref('int_contracts__unioned')) }}
),

adopted as (
    select * from {{ for_run_orgs(ref('int_contracts__adopted_scaffolds')) }}
),

applied_orgs as (
    select org_id from {{ for_run_orgs(ref('org_flag_states')) }} where is_applied
),

started_successors as (
    select distinct org_id, prior_contract_id
    from contracts
    where prior_contract_id is not null
      and head_is_won
      and start_date <= {{ as_of_date() }}
),

final as (
    select
        contracts.org_id,
        coalesce(adopted.contract_id, contracts.contract_id) as contract_id,
        contracts.account_id,
        contracts.engagement_id,
        row_number() over (
            -- by org in byte order first: the rows come out in the order the table is
            -- written in (D48), so that needs no sort of its own
            partition by contracts.org_id collate "C", contracts.engagement_id
            order by contracts.engagement_sequence, contracts.head_close_date,
                {{ by_code_point('contracts.head_opportunity_id') }}
        )::integer as engagement_sequence,
        contracts.contract_type,
        case
            when contracts.head_is_lost then 'ARCHIVED'
            when contracts.contract_type = 'RENEWAL'
                and (not contracts.head_is_closed
                     or (contracts.head_is_won and contracts.start_date > {{ as_of_date() }}))
                then 'PENDING'
            when started_successors.prior_contract_id is not null
                or contracts.end_date < {{ as_of_date() }}
                then 'CLOSED'
            when contracts.contract_type = 'NEW_BUSINESS' and not contracts.head_is_closed then 'PENDING'
            else 'ACTIVE'
        end as status,
        coalesce(adopted_prior.contract_id, contracts.prior_contract_id) as prior_contract_id,
        contracts.head_opportunity_id,
        contracts.start_date,
        contracts.end_date,
        contracts.legacy_deal_group_id,
        contracts.contract_name,
        contracts.head_is_won,
        contracts.head_close_date,
        applied_orgs.org_id is not null as org_is_applied
    from contracts
    left join applied_orgs on applied_orgs.org_id = contracts.org_id
    left join adopted
        on adopted.org_id = contracts.org_id and adopted.computed_contract_id = contracts.contract_id
    left join adopted as adopted_prior
        on adopted_prior.org_id = contracts.org_id and adopted_prior.computed_contract_id = contracts.prior_contract_id
    left join started_successors
        on started_successors.org_id = contracts.org_id
       and started_successors.prior_contract_id = contracts.contract_id
)

select * from final
-- each org's rows side by side on disk: the apply, the GX check and the
-- org-scoped readers read one org at a time (D48)
order by org_id collate "C"
