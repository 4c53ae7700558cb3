-- Rule 2, continuation: every converted legacy deal group as a contract with
-- its engagement, sequence and prior, or quarantined LEGACY_DUPLICATE_SUCCESSOR.
-- A RENEWAL-headed contract whose head pointer resolves (rule 4, legacy
-- memberships only) to another contract of the same account whose head comes
-- first (decision D7) continues that contract's engagement; of several such
-- successors the first by head (close_date, id) wins and the others are
-- quarantined; the successors of a quarantined contract start anew.
with recursive converted as (
    select * from {{ ref('int_legacy__deal_group_outcomes') }} where outcome = 'CONVERTED'
),

members as (
    select members.*
    from {{ ref('int_legacy__members') }} as members
    inner join converted
        on converted.org_id = members.org_id and converted.deal_group_id = members.deal_group_id
    where not members.is_deleted
),

conflicted_members as (
    select members.org_id, members.opportunity_id
    from {{ ref('int_legacy__members') }} as members
    inner join {{ ref('int_legacy__deal_group_outcomes') }} as outcomes
        on outcomes.org_id = members.org_id and outcomes.deal_group_id = members.deal_group_id
    where outcomes.outcome = 'LEGACY_TYPE_CONFLICT' and not members.is_deleted
),

walkable as (
    select
        screened.org_id,
        screened.opportunity_id,
        screened.last_opportunity_id,
        screened.is_deleted,
        members.deal_group_id as member_of_contract_id
    from {{ ref('int_opportunities__screened') }} as screened
    left join members
        on members.org_id = screened.org_id and members.opportunity_id = screened.opportunity_id
    where screened.screen_reason is null
      and not exists (
          select 1 from conflicted_members
          where conflicted_members.org_id = screened.org_id
            and conflicted_members.opportunity_id = screened.opportunity_id
      )
),

walk (org_id, contract_id, next_id, target_contract_id, is_done) as (
    select org_id, deal_group_id, head_last_opportunity_id, null::text, false
    from converted
    where contract_type = 'RENEWAL' and head_last_opportunity_id is not null

    union all

    select
        walk.org_id,
        walk.contract_id,
        node.last_opportunity_id,
        case when not node.is_deleted then node.member_of_contract_id end,
        node.opportunity_id is null or node.is_deleted or node.member_of_contract_id is not null
    from walk
    left join walkable as node
        on node.org_id = walk.org_id and node.opportunity_id = walk.next_id
    where not walk.is_done
),

candidates as (
    select
        successor.org_id,
        successor.deal_group_id as contract_id,
        prior.deal_group_id as prior_contract_id,
        row_number() over (
            partition by successor.org_id, prior.deal_group_id
            order by successor.head_close_date, {{ by_code_point('successor.head_opportunity_id') }}
        ) as successor_rank
    from walk
    inner join converted as successor
        on successor.org_id = walk.org_id and successor.deal_group_id = walk.contract_id
    inner join converted as prior
        on prior.org_id = walk.org_id and prior.deal_group_id = walk.target_contract_id
    where walk.is_done
      and prior.deal_group_id <> successor.deal_group_id
      and prior.account_id = successor.account_id
      and (prior.head_close_date, {{ by_code_point('prior.head_opportunity_id') }})
        < (successor.head_close_date, {{ by_code_point('successor.head_opportunity_id') }})
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
    inner join candidates
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
