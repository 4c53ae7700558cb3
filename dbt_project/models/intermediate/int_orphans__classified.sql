{{ config(indexes=[{'columns': ['org_id', 'opportunity_id'], 'unique': true}]) }}
-- Rule 5, the branches that need no earlier decision: every orphan (a valid
-- opportunity in no deal group) either gets its unattached reason here, or
-- none — a won new business, an amendment with a pointer, or a renewal — and
-- int_orphans__decisions decides it in order. Rule 4's walk
-- (int_opportunities__pointer_walks) starts from the latter.
-- An orphan is a row-valid opportunity the membership screening does not list
-- (listed are the members of a deal group and the quarantined): it needs
-- nothing of the legacy conversion, so this runs beside it.
with orphans as (
    select
        opportunities.org_id,
        opportunities.opportunity_id,
        opportunities.account_id,
        opportunities.crm_type,
        opportunities.opportunity_type,
        opportunities.is_closed,
        opportunities.is_lost,
        opportunities.is_deleted,
        opportunities.close_date,
        opportunities.last_opportunity_id,
        opportunities.start_date,
        opportunities.end_date
    from {{ for_run_orgs(ref('int_opportunities__typed')) }} as opportunities
    where opportunities.row_reason is null
      and not exists (
          select 1 from {{ for_run_orgs(ref('int_opportunities__screened')) }} as screening
          where screening.org_id = opportunities.org_id and screening.opportunity_id = opportunities.opportunity_id
      )
),

classified as (
    select
        orphans.*,
        case when orphans.account_id is not null
            then {{ account_id_for_crm('orphans.org_id', 'orphans.account_id') }}
        end as orphan_account_id,
        case
            when is_deleted then 'DELETED'
            when opportunity_type = 'OTHER' then 'UNMAPPED_TYPE'
            when account_id is null
                and (opportunity_type = 'NEW_BUSINESS'
                     or (opportunity_type = 'RENEWAL' and last_opportunity_id is null))
                then 'NO_ACCOUNT'
            when opportunity_type = 'NEW_BUSINESS' and not is_closed then 'NEW_BUSINESS_OPEN'
            when opportunity_type = 'NEW_BUSINESS' and is_lost then 'NEW_BUSINESS_LOST'
            when opportunity_type = 'AMENDMENT' and last_opportunity_id is null
                then 'AMENDMENT_PRIOR_NOT_FOUND'
        end as static_reason
    from orphans
),

final as (
    -- what the readers need (the flags that decided the static reason stay here)
    select
        org_id, opportunity_id, account_id, orphan_account_id, opportunity_type, is_lost, close_date,
        last_opportunity_id, start_date, end_date, static_reason,
        case static_reason
            when 'DELETED' then 'opportunity is deleted'
            when 'UNMAPPED_TYPE' then coalesce('crm type ''' || crm_type || ''' is not mapped', 'crm type is null')
            when 'NO_ACCOUNT' then 'account_id is null'
            when 'NEW_BUSINESS_OPEN' then 'new business is not closed'
            when 'NEW_BUSINESS_LOST' then 'new business is closed lost'
            when 'AMENDMENT_PRIOR_NOT_FOUND' then 'last_opportunity_c is null'
        end as static_detail
    from classified
)

select * from final
