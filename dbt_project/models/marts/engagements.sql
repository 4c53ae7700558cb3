{{ config(indexes=[{'columns': ['org_id', 'engagement_id'], 'unique': true}]) }}
-- One row per engagement: ACTIVE while it has an ACTIVE or PENDING contract,
-- else CHURNED (rule 6); started_on = its first term's start, ended_on = the
-- last term's end once churned.
with contracts as (
    select * from {{ for_run_orgs(ref('contracts')) }}
),

final as (
    select
        org_id,
        engagement_id,
        min(account_id) as account_id,
        case when bool_or(status in ('ACTIVE', 'PENDING')) then 'ACTIVE' else 'CHURNED' end as status,
        min(start_date) as started_on,
        case when bool_or(status in ('ACTIVE', 'PENDING')) then null else max(end_date) end as ended_on,
        count(*) as contract_count
    from contracts
    group by org_id, engagement_id
)

select * from final
-- each org's rows side by side on disk: the apply, the GX check and the
-- org-scoped readers read one org at a time (D48)
order by org_id collate "C"
