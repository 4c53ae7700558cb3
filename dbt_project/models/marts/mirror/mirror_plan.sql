{{ config(indexes=[{'columns': ['org_id', 'deal_group_id_c'], 'unique': true}]) }}
{#- the compared fields: (column, Salesforce field, type) -#}
{% set fields = [
    ('name', 'Name', 'text'),
    ('account_c', 'Account__c', 'text'),
    ('status_c', 'Status__c', 'text'),
    ('group_effective_date_c', 'Group_Effective_Date__c', 'date'),
    ('group_end_date_c', 'Group_End_Date__c', 'date'),
    ('renewal_opportunity_c', 'Renewal_Opportunity__c', 'text'),
    ('prior_deal_group_id_c', 'Prior_Deal_Group__r', 'text'),
    ('contract_type_c', 'Contract_Type__c', 'text'),
    ('engagement_sequence_c', 'Engagement_Sequence__c', 'numeric'),
] %}
-- The mirror's plan (SPEC §5), one row per contract of the orgs the mirror
-- concerns: INSERT (Salesforce has no record and we never pushed one), UPDATE
-- (changed_fields: each differing field, {old, new}), UNCHANGED, or REFUSED
-- with a reason (two Deal_Group__c records share the key; the org's flags are
-- illegal; writeback is off in an org Salesforce holds Deal_Group__c records
-- for). What Salesforce holds is the synced row, unless the ledger has a
-- successful push newer than it: then it is what we sent (the sync has not
-- landed our write yet), so a re-run sends nothing and the sync's echo of our
-- write sends nothing either. Values compare as Salesforce stores them: text
-- with '' as null, dates as dates, numbers as numbers, the prior by its
-- Deal_Group_Id__c.
with payloads as (
    select
        org_id, deal_group_id_c,
        {% for column, field, type in fields -%}
            {{ column }},
        {% endfor -%}
        payload_hash
    from {{ for_run_orgs(ref('mirror_payload')) }}
),

flags as (
    select * from {{ for_run_orgs(ref('org_flag_states')) }}
),

contracts as (
    select org_id, contract_id from {{ for_run_orgs(ref('contracts')) }}
),

synced as (
    select * from {{ for_run_orgs(ref('stg_salesforce__deal_groups')) }}
    where nullif(deal_group_id_c, '') is not null
),

pushes as (
    select * from {{ for_run_orgs(ref('stg_platform__mirror_pushes')) }}
),

key_counts as (
    select
        org_id,
        deal_group_id_c,
        count(*) as records,
        string_agg(id, ', ' order by id) as record_ids
    from synced
    group by org_id, deal_group_id_c
),

remote as (
    -- the one synced record of each key, its values as Salesforce stores them
    select
        synced.org_id,
        synced.deal_group_id_c,
        synced.id as salesforce_id,
        coalesce(synced.system_modstamp, '-infinity'::timestamptz) as synced_at,
        nullif(synced.name, '') as name,
        nullif(synced.account_c, '') as account_c,
        nullif(synced.status_c, '') as status_c,
        synced.group_effective_date_c,
        synced.group_end_date_c,
        nullif(synced.renewal_opportunity_c, '') as renewal_opportunity_c,
        -- a lookup naming a record the sync does not hold compares as its Salesforce id
        case
            when nullif(synced.prior_deal_group_c, '') is not null
                then coalesce(prior.deal_group_id_c, 'Id ' || synced.prior_deal_group_c)
        end as prior_deal_group_id_c,
        nullif(synced.contract_type_c, '') as contract_type_c,
        synced.engagement_sequence_c::numeric as engagement_sequence_c
    from synced
    inner join key_counts
        on key_counts.org_id = synced.org_id and key_counts.deal_group_id_c = synced.deal_group_id_c
    left join synced as prior
        on prior.org_id = synced.org_id and prior.id = synced.prior_deal_group_c
    where key_counts.records = 1
),

sent as (
    -- each contract's last successful push: what Salesforce holds until the sync lands it
    select distinct on (org_id, contract_id)
        org_id,
        contract_id,
        salesforce_id,
        pushed_at,
        {% for column, field, type in fields -%}
            nullif(payload ->> '{{ field }}', ''){{ '::' ~ type if type != 'text' }} as {{ column }}
            {{- "," if not loop.last }}
        {% endfor %}
    from pushes
    where result in ('created', 'updated')
    order by org_id, contract_id, pushed_at desc
),

compared as (
    select
        payloads.*,
        case
            when sent.contract_id is not null and (remote.salesforce_id is null or remote.synced_at < sent.pushed_at)
                then 'ledger'
            when remote.salesforce_id is not null then 'salesforce'
        end as base_source,
        coalesce(remote.salesforce_id, sent.salesforce_id) as salesforce_id,
        key_counts.records as key_records,
        key_counts.record_ids as key_record_ids,
        {% for column, field, type in fields -%}
            case
                when sent.contract_id is not null
                    and (remote.salesforce_id is null or remote.synced_at < sent.pushed_at)
                    then sent.{{ column }}
                else remote.{{ column }}
            end as old_{{ column }}
            {{- "," if not loop.last }}
        {% endfor %}
    from payloads
    left join remote
        on remote.org_id = payloads.org_id and remote.deal_group_id_c = payloads.deal_group_id_c
    left join sent
        on sent.org_id = payloads.org_id and sent.contract_id = payloads.deal_group_id_c
    left join key_counts
        on key_counts.org_id = payloads.org_id and key_counts.deal_group_id_c = payloads.deal_group_id_c
),

differing as (
    select
        compared.*,
        base_source is not null and (
            {% for column, field, type in fields -%}
                old_{{ column }} is distinct from {{ column }}{{ " or" if not loop.last }}
            {% endfor %}
        ) as differs
    from compared
),

diffed as (
    -- the JSON is built only for the records to send (a few in a steady state)
    select
        differing.*,
        case
            when base_source is null or differs then '{}'::jsonb
            {% for column, field, type in fields -%}
                || case
                    when old_{{ column }} is distinct from {{ column }}
                        then jsonb_build_object(
                            '{{ field }}', jsonb_build_object('old', old_{{ column }}, 'new', {{ column }})
                        )
                    else '{}'::jsonb
                end
            {% endfor %}
            else '{}'::jsonb
        end as changed_fields,
        case
            when base_source is null or differs then jsonb_build_object(
                {% for column, field, type in fields -%}
                    '{{ field }}', {{ column }}{{ "," if not loop.last }}
                {% endfor %}
            )
        end as payload
    from differing
),

mirrored as (
    select
        org_id,
        deal_group_id_c,
        case
            when key_records > 1 then 'REFUSED'
            when base_source is null then 'INSERT'
            when differs then 'UPDATE'
            else 'UNCHANGED'
        end as action,
        case when key_records > 1 then '{}'::jsonb else changed_fields end as changed_fields,
        case
            when key_records > 1
                then 'DUPLICATE_KEY: ' || key_records || ' Deal_Group__c records carry this Deal_Group_Id__c ('
                || key_record_ids || '); nothing is sent until one is left'
        end as reason,
        salesforce_id,
        prior_deal_group_id_c,
        engagement_sequence_c::integer as engagement_sequence,
        case when key_records > 1 then null else payload end as payload,
        payload_hash
    from diffed
),

refused_orgs as (
    -- writeback on with illegal flags, or off in an org Salesforce holds records for
    select
        flags.org_id,
        case
            when flags.deal_group_writeback_enabled
                then 'ILLEGAL_FLAGS: ' || flags.problem || '; nothing is sent for this org'
            else 'ORG_NOT_ENABLED: deal_group_writeback_enabled is off; nothing is sent for this org'
        end as reason
    from flags
    where (flags.deal_group_writeback_enabled and not flags.is_legal)
        or (
            not flags.deal_group_writeback_enabled
            and exists (select 1 from synced where synced.org_id = flags.org_id)
        )
),

refused as (
    select
        contracts.org_id,
        contracts.contract_id as deal_group_id_c,
        'REFUSED' as action,
        '{}'::jsonb as changed_fields,
        refused_orgs.reason,
        null::text as salesforce_id,
        null::text as prior_deal_group_id_c,
        null::integer as engagement_sequence,
        null::jsonb as payload,
        null::text as payload_hash
    from contracts
    inner join refused_orgs on refused_orgs.org_id = contracts.org_id
),

final as (
    select * from mirrored
    union all
    select * from refused
)

select * from final
order by org_id collate "C"
