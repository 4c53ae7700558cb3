{#- Rule 5, in order: each dynamic orphan is decided against the contracts and
    memberships that the legacy backfill and every earlier orphan made. One
    recursive step per orphan, all interaction components of all orgs side by
    side (int_orphans__components); the state carried from step to step is
    what earlier orphans made: `members` (orphan → contract it joined),
    `created` (contract → account, engagement, sequence, term, head) and
    `successors` (priors that now have a renewal). Legacy contracts are read
    from int_legacy__contract_terms. Every relation a step reads is an indexed
    table referenced directly (a CTE would be rescanned whole at every step);
    merge joins are off (they re-sort a whole table at every step; a hash join's
    table over `dynamic` is built once and kept across steps). Each single-row
    lateral ends in `offset 0`: without it PostgreSQL flattens it and copies its
    expressions, subqueries included, into every reference (69 copies of the
    pointer lookup per orphan: 13 s instead of 6 s at 1 M opportunities).

    Expands to the decisions of one part (`part` of `parts`, a power of two) of
    the interaction components: each int_orphans__decisions_part_N model
    decides one part, so that dbt's two threads decide the two halves side by
    side (a recursive query runs on one core), and int_orphans__decisions is
    their union (D47). -#}
{% macro decide_orphans(part, parts) %}
with recursive decisions (
    org_id, component, decision_step, opportunity_id, reason, detail, attached_contract_id, created_contract_id,
    account_id, engagement_id, engagement_sequence, prior_contract_id, members, created, successors
) as (
    select
        org_id, component, 0::bigint, null::text, null::text, null::text, null::text, null::text,
        null::text, null::text, null::integer, null::text, '{}'::jsonb, '{}'::jsonb, '{}'::jsonb
    from (select distinct org_id, component from {{ for_run_orgs(ref('int_orphans__dynamic')) }}) as components
    -- this part's share of the components (they are independent: any split gives the same decisions)
    where (hashtext(org_id || '/' || component) & {{ parts - 1 }}) = {{ part }}

    union all

    select
        orphan.org_id,
        orphan.component,
        orphan.decision_step,
        orphan.opportunity_id,
        verdict.reason,
        verdict.detail,
        outcome.attached_contract_id,
        outcome.created_contract_id,
        outcome.account_id,
        outcome.engagement_id,
        outcome.engagement_sequence,
        outcome.prior_contract_id,
        case when outcome.attached_contract_id is not null
            then state.members || jsonb_build_object(orphan.opportunity_id, outcome.attached_contract_id)
            else state.members
        end,
        case when outcome.created_contract_id is not null
            then state.created || jsonb_build_object(outcome.created_contract_id, jsonb_build_object(
                'a', outcome.account_id, 'e', outcome.engagement_id, 'q', outcome.engagement_sequence,
                's', orphan.start_date, 'n', orphan.end_date,
                'hc', orphan.close_date, 'hi', orphan.opportunity_id))
            else state.created
        end,
        case when outcome.created_contract_id is not null and outcome.prior_contract_id is not null
            then state.successors || jsonb_build_object(outcome.prior_contract_id, true)
            else state.successors
        end
    from decisions as state
    inner join {{ for_run_orgs(ref('int_orphans__dynamic')) }} as orphan
        on orphan.org_id = state.org_id and orphan.component = state.component
       and orphan.decision_step = state.decision_step + 1
    cross join lateral (
        -- rule 4 at decision time: the first passed orphan an earlier decision attached, else the static end
        select coalesce(
            (select state.members ->> passed.opportunity_id
             from unnest(orphan.passed_orphans) with ordinality as passed (opportunity_id, position)
             where state.members ? passed.opportunity_id
             order by passed.position
             limit 1),
            orphan.static_target_contract_id
        ) as contract_id
        offset 0  -- evaluated once per orphan, not copied into every reference
    ) as pointer_target
    left join lateral (
        select candidate.contract_id
        from (
            select legacy.contract_id, legacy.start_date
            from {{ for_run_orgs(ref('int_legacy__contract_terms')) }} as legacy
            where legacy.org_id = orphan.org_id
              and legacy.account_id = orphan.orphan_account_id
              and not legacy.is_archived
              and orphan.close_date between legacy.start_date and legacy.end_date
            union all
            select made.key, (made.value ->> 's')::date
            from jsonb_each(state.created) as made
            where made.value ->> 'a' = orphan.orphan_account_id
              and orphan.close_date between (made.value ->> 's')::date and (made.value ->> 'n')::date
        ) as candidate
        where orphan.opportunity_type = 'NEW_BUSINESS'
        order by candidate.start_date, {{ by_code_point('candidate.contract_id') }}
        limit 1
    ) as covering on true
    left join lateral (
        select candidate.contract_id
        from (
            select legacy.contract_id, legacy.start_date, legacy.head_close_date, legacy.head_opportunity_id
            from {{ for_run_orgs(ref('int_legacy__contract_terms')) }} as legacy
            where legacy.org_id = orphan.org_id
              and legacy.account_id = orphan.orphan_account_id
              and not legacy.is_archived
              and legacy.start_date < orphan.start_date
            union all
            select made.key, (made.value ->> 's')::date, (made.value ->> 'hc')::date, made.value ->> 'hi'
            from jsonb_each(state.created) as made
            where made.value ->> 'a' = orphan.orphan_account_id
              and (made.value ->> 's')::date < orphan.start_date
        ) as candidate
        where orphan.opportunity_type = 'RENEWAL' and orphan.last_opportunity_id is null
        order by candidate.start_date desc, candidate.head_close_date desc,
            {{ by_code_point('candidate.head_opportunity_id') }} desc
        limit 1
    ) as fallback on true
    cross join lateral (
        select case
            when orphan.opportunity_type <> 'RENEWAL' then null
            when orphan.last_opportunity_id is null then fallback.contract_id
            else pointer_target.contract_id
        end as contract_id
        offset 0  -- evaluated once per orphan, not copied into every reference
    ) as prior
    left join lateral (
        -- one index lookup: as a plain join the planner scanned all the org's contracts per orphan
        select terms.account_id, terms.engagement_id, terms.engagement_sequence, terms.has_successor
        from {{ for_run_orgs(ref('int_legacy__contract_terms')) }} as terms
        where terms.org_id = orphan.org_id and terms.contract_id = prior.contract_id
        limit 1  -- the id is unique; the limit keeps this a lookup, never flattened into a join
    ) as legacy_prior on true
    cross join lateral (
        select
            coalesce(legacy_prior.account_id, state.created -> prior.contract_id ->> 'a') as account_id,
            coalesce(legacy_prior.engagement_id, state.created -> prior.contract_id ->> 'e') as engagement_id,
            coalesce(legacy_prior.engagement_sequence, (state.created -> prior.contract_id ->> 'q')::integer)
                as engagement_sequence,
            coalesce(legacy_prior.has_successor, false) or coalesce(state.successors ? prior.contract_id, false)
                as has_successor
        offset 0  -- evaluated once per orphan, not copied into every reference
    ) as prior_facts
    cross join lateral (
        select
            case
                when orphan.opportunity_type = 'NEW_BUSINESS' and covering.contract_id is not null
                    then 'ACTIVE_CONTRACT_EXISTS'
                when orphan.opportunity_type = 'AMENDMENT' and pointer_target.contract_id is null
                    then 'AMENDMENT_PRIOR_NOT_FOUND'
                when orphan.opportunity_type = 'RENEWAL' and prior.contract_id is null
                    then 'RENEWAL_PRIOR_NOT_FOUND'
                when orphan.opportunity_type = 'RENEWAL' and orphan.is_lost then 'RENEWAL_LOST'
                when orphan.opportunity_type = 'RENEWAL' and prior_facts.has_successor
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
                when orphan.opportunity_type = 'RENEWAL' and prior_facts.has_successor
                    then 'contract ' || prior.contract_id || ' already has a successor'
            end as detail
        offset 0  -- evaluated once per orphan, not copied into every reference
    ) as verdict
    cross join lateral (
        select
            case
                when verdict.reason is not null then null
                when orphan.opportunity_type = 'AMENDMENT' then pointer_target.contract_id
                else {{ contract_id_for_head('orphan.org_id', 'orphan.opportunity_id') }}
            end as attached_contract_id,
            case when verdict.reason is null and orphan.opportunity_type <> 'AMENDMENT'
                then {{ contract_id_for_head('orphan.org_id', 'orphan.opportunity_id') }}
            end as created_contract_id,
            case when verdict.reason is null and orphan.opportunity_type = 'NEW_BUSINESS'
                then orphan.orphan_account_id else prior_facts.account_id
            end as account_id,
            case when verdict.reason is null and orphan.opportunity_type = 'NEW_BUSINESS'
                then {{ engagement_id_for_first_contract(
                        'orphan.org_id', contract_id_for_head('orphan.org_id', 'orphan.opportunity_id')) }}
                else prior_facts.engagement_id
            end as engagement_id,
            case when verdict.reason is null and orphan.opportunity_type = 'NEW_BUSINESS' then 1
                else prior_facts.engagement_sequence + 1
            end as engagement_sequence,
            case when verdict.reason is null and orphan.opportunity_type = 'RENEWAL'
                then prior.contract_id
            end as prior_contract_id
        offset 0  -- evaluated once per orphan, not copied into every reference
    ) as outcome
),

final as (
    select
        org_id,
        component,
        decision_step,
        opportunity_id,
        reason,
        detail,
        attached_contract_id,
        created_contract_id,
        case when created_contract_id is not null then account_id end as account_id,
        case when created_contract_id is not null then engagement_id end as engagement_id,
        case when created_contract_id is not null then engagement_sequence end as engagement_sequence,
        prior_contract_id
    from decisions
    where decision_step > 0
)

select * from final
{% endmacro %}
