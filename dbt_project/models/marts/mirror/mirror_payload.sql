{{ config(indexes=[{'columns': ['org_id', 'deal_group_id_c'], 'unique': true}]) }}
-- The Deal_Group__c record each contract should be in Salesforce (SPEC §5), for
-- the orgs whose writeback flag is on in a legal flag state: one row per
-- contract, its fields as columns (mirror_plan compares them and builds the
-- JSON the push sends for the records it sends), and their hash for the ledger.
with contracts as (
    select * from {{ for_run_orgs(ref('contracts')) }}
),

accounts as (
    select * from {{ for_run_orgs(ref('accounts')) }}
),

mirrored_orgs as (
    select org_id
    from {{ for_run_orgs(ref('org_flag_states')) }}
    where deal_group_writeback_enabled and is_legal
),

successors as (
    -- the non-archived successor of each prior (at most one: SPEC §3 invariant 4)
    select distinct on (org_id, prior_contract_id)
        org_id,
        prior_contract_id,
        head_opportunity_id
    from contracts
    where prior_contract_id is not null and status <> 'ARCHIVED'
    order by org_id, prior_contract_id, engagement_sequence
),

fields as (
    select
        contracts.org_id,
        contracts.contract_id as deal_group_id_c,
        nullif(contracts.contract_name, '') as name,
        accounts.crm_account_id as account_c,
        case contracts.status
            when 'CLOSED' then 'Closed'
            when 'ARCHIVED' then 'Archived'
            else 'Active'
        end as status_c,
        contracts.start_date as group_effective_date_c,
        contracts.end_date as group_end_date_c,
        successors.head_opportunity_id as renewal_opportunity_c,
        contracts.prior_contract_id as prior_deal_group_id_c,
        contracts.contract_type as contract_type_c,
        contracts.engagement_sequence::numeric as engagement_sequence_c
    from contracts
    inner join mirrored_orgs on mirrored_orgs.org_id = contracts.org_id
    left join accounts
        on accounts.org_id = contracts.org_id and accounts.account_id = contracts.account_id
    left join successors
        on successors.org_id = contracts.org_id and successors.prior_contract_id = contracts.contract_id
),

final as (
    select
        fields.*,
        -- the ledger's hash of the record (every field, nulls marked): what a push sent
        md5(concat_ws(
            '|', coalesce(name, '\N'), coalesce(account_c, '\N'), status_c,
            coalesce(group_effective_date_c::text, '\N'), coalesce(group_end_date_c::text, '\N'),
            coalesce(renewal_opportunity_c, '\N'), coalesce(prior_deal_group_id_c, '\N'),
            coalesce(contract_type_c, '\N'), coalesce(engagement_sequence_c::text, '\N')
        )) as payload_hash
    from fields
)

select * from final
order by org_id collate "C"
