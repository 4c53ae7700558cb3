-- Every legacy deal-group row with its rule-0 quarantine reason (NULL_ID,
-- DUPLICATE_ID) when it has one.
with deal_groups as (
    select * from {{ for_run_orgs(ref('stg_app__deal_groups')) }}
),

counted as (
    select deal_groups.*, count(*) over (partition by org_id, deal_group_id) as id_count
    from deal_groups
),

final as (
    select
        org_id,
        deal_group_id,
        name,
        crm_account_id,
        id_count,
        case
            when deal_group_id is null or org_id is null then 'NULL_ID'
            when id_count > 1 then 'DUPLICATE_ID'
        end as row_reason,
        case
            when deal_group_id is null then 'id is null'
            when org_id is null then 'org_id is null'
            when id_count > 1 then 'id appears ' || id_count || ' times in org'
        end as row_detail
    from counted
)

select * from final
