-- Rule 2, continuation: every converted legacy deal group as a contract with
-- its engagement, sequence and prior, or quarantined LEGACY_DUPLICATE_SUCCESSOR.
-- Walking down from the contracts that continue nothing: the first candidate
-- of a prior (int_legacy__successor_candidates) continues its engagement, the
-- others are quarantined, and the candidates of a quarantined contract start
-- engagements of their own.
with recursive converted as (
    select * from {{ for_run_orgs(ref('int_legacy__deal_group_outcomes')) }} where outcome = 'CONVERTED'
),

candidates as (
    select * from {{ for_run_orgs(ref('int_legacy__successor_candidates')) }}
),

first_successors as (
    select * from candidates where successor_rank = 1
),

linked (org_id, contract_id, link_state, first_contract_id, engagement_sequence, prior_contract_id) as (
    select converted.org_id, converted.deal_group_id, 'OK'::text, converted.deal_group_id, 1, null::text
    from converted
    where not exists (
        select 1 from candidates
        where candidates.org_id = converted.org_id and candidates.contract_id = converted.deal_group_id
    )

    union all

    select
        candidates.org_id,
        candidates.contract_id,
        case when linked.link_state = 'OK' and candidates.successor_rank > 1 then 'DUPLICATE' else 'OK' end::text,
        case when linked.link_state = 'OK' then linked.first_contract_id else candidates.contract_id end,
        case when linked.link_state = 'OK' then linked.engagement_sequence + 1 else 1 end,
        case when linked.link_state = 'OK' then linked.contract_id end
    from linked
    inner join {{ for_run_orgs(ref('int_legacy__successor_candidates')) }} as candidates
        on candidates.org_id = linked.org_id and candidates.prior_contract_id = linked.contract_id
),

final as (
    select
        converted.org_id,
        converted.deal_group_id as contract_id,
        converted.account_id,
        converted.crm_account_id,
        converted.name as deal_group_name,
        linked.link_state,
        case when linked.link_state = 'OK'
            then {{ engagement_id_for_first_contract('converted.org_id', 'linked.first_contract_id') }}
        end as engagement_id,
        case when linked.link_state = 'OK' then linked.engagement_sequence end as engagement_sequence,
        case when linked.link_state = 'OK' then linked.prior_contract_id end as prior_contract_id,
        case when linked.link_state = 'DUPLICATE'
            then 'second successor of contract ' || linked.prior_contract_id
                || ' (first: ' || first_successors.contract_id || ')'
        end as duplicate_detail,
        case when linked.link_state = 'DUPLICATE' then linked.prior_contract_id end as duplicated_prior_id,
        converted.contract_type,
        converted.head_opportunity_id,
        converted.head_close_date,
        converted.head_is_closed,
        converted.head_is_won,
        converted.start_date,
        converted.end_date
    from converted
    inner join linked
        on linked.org_id = converted.org_id and linked.contract_id = converted.deal_group_id
    left join first_successors
        on first_successors.org_id = converted.org_id
       and first_successors.prior_contract_id = linked.prior_contract_id
)

select * from final
