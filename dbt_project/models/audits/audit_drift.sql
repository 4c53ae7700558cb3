-- DRIFT: for orgs the backfill applies (model enabled, flags legal), each (deal group,
-- field) where a live engagement column of app.deal_group differs from the computed
-- value (null against a value included). Legacy rows are compared with the contract
-- they became (all null when not converted), backfill-made rows with their contract;
-- scaffolds the renewal job still owns are its to keep.
with applied as (
    select org_id from {{ ref('org_flag_states') }} where is_applied
),

deal_groups as (
    select live.*
    from {{ ref('stg_app__live_deal_groups') }} as live
    inner join applied on applied.org_id = live.org_id
    where live.created_by is null or live.created_by = 'engagement_backfill'
),

contracts as (
    -- each contract under the deal group id it is written to: a legacy deal group's own id, or
    -- the id of the deal group the backfill made for it
    select
        *,
        coalesce(legacy_deal_group_id, contract_id) as deal_group_id,
        legacy_deal_group_id is not null as is_legacy
    from {{ ref('contracts') }}
),

desired as (
    -- legacy rows against the contract they became (all null when not converted), rows the
    -- backfill made against their contract
    select
        deal_groups.*,
        case when contracts.contract_id is not null then 'CONTRACT' end as want_type,
        contracts.account_id as want_account_id,
        contracts.engagement_id as want_engagement_id,
        contracts.engagement_sequence as want_engagement_sequence,
        contracts.contract_type as want_contract_type,
        contracts.status as want_status,
        contracts.prior_contract_id as want_prior_deal_group_id
    from deal_groups
    left join contracts
        on contracts.org_id = deal_groups.org_id
        and contracts.deal_group_id = deal_groups.deal_group_id
        and contracts.is_legacy = (deal_groups.created_by is null)
),

fields as (
    select desired.org_id, desired.deal_group_id, field.name, field.live, field.computed
    from desired
    cross join lateral (
        values
        ('type', desired.type, desired.want_type),
        ('account_id', desired.account_id, desired.want_account_id),
        ('engagement_id', desired.engagement_id, desired.want_engagement_id),
        ('engagement_sequence', desired.engagement_sequence::text, desired.want_engagement_sequence::text),
        ('contract_type', desired.contract_type, desired.want_contract_type),
        ('status', desired.status, desired.want_status),
        ('prior_deal_group_id', desired.prior_deal_group_id, desired.want_prior_deal_group_id)
    ) as field (name, live, computed)
    where field.live is distinct from field.computed
),

findings as (
    select
        org_id,
        'app.deal_group' as entity_table,
        deal_group_id as entity_id,
        deal_group_id || ':' || name as finding_key,
        'deal group ' || deal_group_id || ' has ' || name || ' = ' || coalesce(live, 'null')
        || ' live, ' || coalesce(computed, 'null') || ' computed.' as detail
    from fields
)

{{ audit_final('DRIFT') }}
