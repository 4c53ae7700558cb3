-- SPEC §3 rule 5, orphan-opportunity: every orphan (an opportunity in no deal
-- group) joins a contract or stays unattached with a reason, decided as
-- `_decide_orphan` in dagster_project/backfill/reference.py decides it.
--
-- "Decisions are made in order, so a contract created by an earlier orphan is
-- visible to later ones." The order is the org's (close_date, id) (D4). A
-- decision reads only three things that earlier decisions change: the
-- contracts of an account, whether a contract has a successor, and the
-- contract an orphan on its pointer's path joined. So the orphans fall into
-- groups that never read each other's decisions (`components`); each group is
-- decided in the org's order, one orphan per step of the recursion, all groups
-- at once. That gives the decisions of one sequence over the whole org.
with recursive

orphans as (
    -- every orphan, with the branches that need no earlier decision already
    -- taken (int_orphans__classified): deleted → DELETED; type OTHER →
    -- UNMAPPED_TYPE; no account_id (new business, or renewal needing the
    -- fallback) → NO_ACCOUNT; NEW_BUSINESS Open → NEW_BUSINESS_OPEN, Lost →
    -- NEW_BUSINESS_LOST; AMENDMENT with a null pointer → AMENDMENT_PRIOR_NOT_FOUND
    select * from {{ for_run_orgs(ref('int_orphans__classified')) }}
),

pointer_walks as (
    -- rule 4's walk from each orphan with a pointer, as it goes before any
    -- orphan is decided: the orphans it passes, in order, and the deal group
    -- whose live member ends it
    select * from {{ for_run_orgs(ref('int_opportunities__pointer_walks')) }}
    where start_deal_group_id is null
),

legacy_contracts as (
    -- rule 2's contracts: what the first orphan sees
    select * from {{ for_run_orgs(ref('int_legacy__contracts')) }}
    where link_state = 'OK'
),

undecided as (
    -- the orphans whose branch reads the contracts: NEW_BUSINESS Won, AMENDMENT
    -- with a pointer, RENEWAL
    select
        orphans.org_id,
        orphans.opportunity_id,
        orphans.opportunity_type,
        orphans.orphan_account_id as account_id,
        orphans.is_lost,
        orphans.close_date,
        orphans.start_date,
        orphans.end_date,
        orphans.last_opportunity_id,
        coalesce(pointer_walks.passed_orphans, array[]::text[]) as passed_orphans,
        -- where the pointer leads while no orphan it passes is in a contract
        walk_end.contract_id as walk_end_contract_id,
        walk_end.account_id as walk_end_account_id,
        -- its home: its account, or itself when it has none
        coalesce('a:' || orphans.orphan_account_id, 'o:' || orphans.opportunity_id) as home
    from orphans
    left join pointer_walks
        on pointer_walks.org_id = orphans.org_id and pointer_walks.opportunity_id = orphans.opportunity_id
    left join legacy_contracts as walk_end
        on walk_end.org_id = pointer_walks.org_id and walk_end.contract_id = pointer_walks.target_deal_group_id
    where orphans.static_reason is null
),

home_links as (
    -- Besides the contracts of its own home, an amendment or a renewal reads
    -- the contract of each orphan on its pointer's path that can open one
    -- (NEW_BUSINESS or RENEWAL), and a renewal the successors of its walk's
    -- end. (An amendment on the path joins such an orphan's contract further
    -- on, which both are linked to, or the walk's end, where the walk ends
    -- anyway.) Each link joins two homes into one component.
    select walker.org_id, walker.home, passed.home as linked_home
    from undecided as walker
    cross join lateral unnest(walker.passed_orphans) as passed_orphan (opportunity_id)
    inner join undecided as passed
        on passed.org_id = walker.org_id and passed.opportunity_id = passed_orphan.opportunity_id
    where walker.opportunity_type in ('AMENDMENT', 'RENEWAL')
      and passed.opportunity_type in ('NEW_BUSINESS', 'RENEWAL')
      and passed.home <> walker.home
    union
    select org_id, home, 'a:' || walk_end_account_id
    from undecided
    where opportunity_type = 'RENEWAL' and 'a:' || walk_end_account_id <> home
),

linked_homes as (
    select org_id, home, linked_home from home_links
    union
    select org_id, linked_home, home from home_links
),

reachable_homes (org_id, home, reached_home) as (
    select org_id, home, home from linked_homes
    union
    select reachable_homes.org_id, reachable_homes.home, linked_homes.linked_home
    from reachable_homes
    inner join linked_homes
        on linked_homes.org_id = reachable_homes.org_id and linked_homes.home = reachable_homes.reached_home
),

components as (
    -- every linked home with its component, named by the component's first
    -- home; a home with no link is a component of its own
    select org_id, home, min({{ by_code_point('reached_home') }}) as component
    from reachable_homes
    group by org_id, home
),

decision_order as (
    -- each undecided orphan with its component, numbered in the org's order
    select
        undecided.*,
        coalesce(components.component, undecided.home) as component,
        row_number() over (
            partition by undecided.org_id, coalesce(components.component, undecided.home)
            order by undecided.close_date, {{ by_code_point('undecided.opportunity_id') }}
        ) as decision_step
    from undecided
    left join components on components.org_id = undecided.org_id and components.home = undecided.home
),

component_accounts as (
    -- the accounts of each component: its orphans' and those its links reach
    select org_id, component, home from decision_order where home like 'a:%'
    union
    select org_id, component, home from components where home like 'a:%'
),

legacy_contracts_of_components as (
    -- the legacy contracts of each component's accounts, in the shape of the
    -- contracts the decisions make
    select
        component_accounts.org_id,
        component_accounts.component,
        jsonb_agg(jsonb_build_object(
            'contract_id', legacy.contract_id,
            'account_id', legacy.account_id,
            'engagement_id', legacy.engagement_id,
            'engagement_sequence', legacy.engagement_sequence,
            'prior_contract_id', legacy.prior_contract_id,
            'start_date', legacy.start_date,
            'end_date', legacy.end_date,
            'head_close_date', legacy.head_close_date,
            'head_opportunity_id', legacy.head_opportunity_id,
            'is_archived', legacy.head_is_closed and not legacy.head_is_won
        )) as contracts
    from component_accounts
    inner join legacy_contracts as legacy
        on legacy.org_id = component_accounts.org_id and 'a:' || legacy.account_id = component_accounts.home
    group by component_accounts.org_id, component_accounts.component
),

-- One row per decided orphan, with its component's state after it: the
-- contracts its orphans made so far (`made_contracts`, jsonb objects with the
-- fields of legacy_contracts_of_components) and the contract each one joined
-- (`members`, orphan id → contract id), as reference.py's `contracts` and
-- `member_of` (less the legacy ones, which never change).
decisions (
    org_id, component, decision_step, opportunity_id, reason, detail, attached_contract_id, created_contract_id,
    account_id, engagement_id, engagement_sequence, prior_contract_id, made_contracts, members
) as (
    select
        org_id, component, 0::bigint, null::text, null::text, null::text, null::text, null::text,
        null::text, null::text, null::integer, null::text, '[]'::jsonb, '{}'::jsonb
    from decision_order
    where decision_step = 1

    union all

    select
        orphan.org_id,
        orphan.component,
        orphan.decision_step,
        orphan.opportunity_id,
        verdict.reason,
        verdict.detail,
        -- the contract it joined: the one it amends or the one it made (the `amended` and `made` laterals below)
        coalesce(amended.contract_id, made.contract_id),
        made.contract_id,
        made.account_id,
        made.engagement_id,
        made.engagement_sequence,
        made.prior_contract_id,
        -- the state after it
        case when made.contract_id is null then state.made_contracts
            else state.made_contracts || jsonb_build_object(
                'contract_id', made.contract_id,
                'account_id', made.account_id,
                'engagement_id', made.engagement_id,
                'engagement_sequence', made.engagement_sequence,
                'prior_contract_id', made.prior_contract_id,
                'start_date', orphan.start_date,
                'end_date', orphan.end_date,
                'head_close_date', orphan.close_date,
                'head_opportunity_id', orphan.opportunity_id,
                'is_archived', false)
        end,
        case when made.contract_id is null and amended.contract_id is null then state.members
            else state.members || jsonb_build_object(
                orphan.opportunity_id, coalesce(amended.contract_id, made.contract_id))
        end
    from decisions as state
    inner join decision_order as orphan
        on orphan.org_id = state.org_id and orphan.component = state.component
       and orphan.decision_step = state.decision_step + 1
    left join legacy_contracts_of_components as legacy
        on legacy.org_id = orphan.org_id and legacy.component = orphan.component
    cross join lateral (
        -- the contracts it sees: the legacy ones and those earlier orphans made
        select coalesce(legacy.contracts, '[]'::jsonb) || state.made_contracts as contracts
    ) as seen
    left join lateral (
        -- NEW_BUSINESS Won: "if a non-archived contract of the account covers
        -- the close date (start ≤ close_date ≤ end) → unattached
        -- ACTIVE_CONTRACT_EXISTS"
        select contract.contract_id
        from jsonb_to_recordset(seen.contracts)
            as contract (contract_id text, account_id text, start_date date, end_date date, is_archived boolean)
        where orphan.opportunity_type = 'NEW_BUSINESS'
          and contract.account_id = orphan.account_id
          and not contract.is_archived
          and orphan.close_date between contract.start_date and contract.end_date
        order by contract.start_date, {{ by_code_point('contract.contract_id') }}
        limit 1
    ) as covering on true
    cross join lateral (
        -- rule 4 now: the walk stops at the first orphan on the pointer's path
        -- that an earlier decision put in a contract, else where it ended
        select coalesce(
            state.members ->> orphan.passed_orphans[min(passed.position)],
            orphan.walk_end_contract_id
        ) as contract_id
        from unnest(orphan.passed_orphans) with ordinality as passed (opportunity_id, position)
        where state.members ? passed.opportunity_id
    ) as pointer_target
    left join lateral (
        -- RENEWAL: "prior = the pointer's target; only when the pointer is
        -- null, the account's latest (by start date, then head (close_date,
        -- id)) non-archived contract that starts before the renewal's start"
        select contract.contract_id, contract.account_id, contract.engagement_id, contract.engagement_sequence
        from jsonb_to_recordset(seen.contracts) as contract (
            contract_id text, account_id text, engagement_id text, engagement_sequence integer,
            start_date date, head_close_date date, head_opportunity_id text, is_archived boolean)
        where orphan.opportunity_type = 'RENEWAL'
          and case
              when orphan.last_opportunity_id is not null then contract.contract_id = pointer_target.contract_id
              else contract.account_id = orphan.account_id
                  and not contract.is_archived
                  and contract.start_date < orphan.start_date
          end
        order by contract.start_date desc, contract.head_close_date desc,
            {{ by_code_point('contract.head_opportunity_id') }} desc
        limit 1
    ) as prior on true
    left join lateral (
        -- RENEWAL: "the prior already has a non-archived successor"
        select successor.contract_id
        from jsonb_to_recordset(seen.contracts)
            as successor (contract_id text, prior_contract_id text, is_archived boolean)
        where orphan.opportunity_type = 'RENEWAL'
          and successor.prior_contract_id = prior.contract_id
          and not successor.is_archived
        limit 1
    ) as successor on true
    cross join lateral (
        -- the first reason that applies, in the SPEC's order: "none → unattached
        -- AMENDMENT_PRIOR_NOT_FOUND"; "none → unattached RENEWAL_PRIOR_NOT_FOUND.
        -- Lost → unattached RENEWAL_LOST. If the prior already has a non-archived
        -- successor → unattached RENEWAL_SUCCESSOR_EXISTS"
        select
            case
                when orphan.opportunity_type = 'NEW_BUSINESS' and covering.contract_id is not null
                    then 'ACTIVE_CONTRACT_EXISTS'
                when orphan.opportunity_type = 'AMENDMENT' and pointer_target.contract_id is null
                    then 'AMENDMENT_PRIOR_NOT_FOUND'
                when orphan.opportunity_type = 'RENEWAL' and prior.contract_id is null
                    then 'RENEWAL_PRIOR_NOT_FOUND'
                when orphan.opportunity_type = 'RENEWAL' and orphan.is_lost
                    then 'RENEWAL_LOST'
                when orphan.opportunity_type = 'RENEWAL' and successor.contract_id is not null
                    then 'RENEWAL_SUCCESSOR_EXISTS'
            end as reason,
            case
                when orphan.opportunity_type = 'NEW_BUSINESS' and covering.contract_id is not null
                    then 'close date within the term of contract ' || covering.contract_id
                when orphan.opportunity_type = 'AMENDMENT' and pointer_target.contract_id is null
                    then 'no contract reached from ' || orphan.last_opportunity_id
                when orphan.opportunity_type = 'RENEWAL' and prior.contract_id is null
                    then coalesce('no contract reached from ' || orphan.last_opportunity_id,
                                  'no earlier contract of the account')
                when orphan.opportunity_type = 'RENEWAL' and orphan.is_lost
                    then 'renewal of contract ' || prior.contract_id || ' is closed lost'
                when orphan.opportunity_type = 'RENEWAL' and successor.contract_id is not null
                    then 'contract ' || prior.contract_id || ' already has a successor'
            end as detail
    ) as verdict
    left join lateral (
        -- AMENDMENT: "the pointer's target (rule 4) → next membership of that contract"
        select pointer_target.contract_id
        where verdict.reason is null and orphan.opportunity_type = 'AMENDMENT'
    ) as amended on true
    left join lateral (
        -- NEW_BUSINESS Won: "a new engagement (first, or win-back) with a
        -- NEW_BUSINESS contract at sequence 1, the opportunity as head";
        -- RENEWAL: "a RENEWAL contract at the prior's sequence + 1 in the
        -- prior's engagement, prior_contract_id = prior, the opportunity as head"
        select
            {{ contract_id_for_head('orphan.org_id', 'orphan.opportunity_id') }} as contract_id,
            case orphan.opportunity_type when 'NEW_BUSINESS' then orphan.account_id else prior.account_id end
                as account_id,
            case orphan.opportunity_type
                when 'NEW_BUSINESS' then {{ engagement_id_for_first_contract(
                    'orphan.org_id', contract_id_for_head('orphan.org_id', 'orphan.opportunity_id')) }}
                else prior.engagement_id
            end as engagement_id,
            case orphan.opportunity_type when 'NEW_BUSINESS' then 1 else prior.engagement_sequence + 1 end
                as engagement_sequence,
            prior.contract_id as prior_contract_id
        where verdict.reason is null and orphan.opportunity_type in ('NEW_BUSINESS', 'RENEWAL')
    ) as made on true
),

final as (
    select
        org_id,
        opportunity_id,
        opportunity_type,
        close_date,
        start_date,
        end_date,
        static_reason as reason,
        static_detail as detail,
        null::text as attached_contract_id,
        null::text as created_contract_id,
        null::text as account_id,
        null::text as engagement_id,
        null::integer as engagement_sequence,
        null::text as prior_contract_id
    from orphans
    where static_reason is not null
    union all
    select
        decisions.org_id,
        decisions.opportunity_id,
        orphan.opportunity_type,
        orphan.close_date,
        orphan.start_date,
        orphan.end_date,
        decisions.reason,
        decisions.detail,
        decisions.attached_contract_id,
        decisions.created_contract_id,
        decisions.account_id,
        decisions.engagement_id,
        decisions.engagement_sequence,
        decisions.prior_contract_id
    from decisions
    inner join decision_order as orphan
        on orphan.org_id = decisions.org_id and orphan.opportunity_id = decisions.opportunity_id
)

select * from final
