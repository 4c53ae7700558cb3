-- F7: a live PENDING renewal whose start date (its head's contract start date, else
-- close date) is on or before today while its prior is still ACTIVE: supersession
-- did not happen. (A scaffold with no head yet has no start date to judge.)
with deal_groups as (
    select * from {{ ref('stg_app__live_deal_groups') }}
),

heads as (
    {{ live_heads() }}
),

findings as (
    select
        renewals.org_id,
        'app.deal_group' as entity_table,
        renewals.deal_group_id as entity_id,
        renewals.deal_group_id as finding_key,
        'PENDING renewal ' || renewals.deal_group_id || ' started on ' || heads.start_date
        || ' but its prior ' || priors.deal_group_id || ' is still ACTIVE.' as detail
    from deal_groups as renewals
    inner join heads on heads.org_id = renewals.org_id and heads.deal_group_id = renewals.deal_group_id
    inner join deal_groups as priors
        on priors.org_id = renewals.org_id and priors.deal_group_id = renewals.prior_deal_group_id
    where renewals.type = 'CONTRACT' and renewals.contract_type = 'RENEWAL' and renewals.status = 'PENDING'
        and heads.start_date <= current_date
        and priors.status = 'ACTIVE'
)

{{ audit_final('F7') }}
