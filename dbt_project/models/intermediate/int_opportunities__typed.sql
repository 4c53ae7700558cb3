{{ config(indexes=[{'columns': ['org_id', 'opportunity_id']}, {'columns': ['org_id', 'last_opportunity_id']}]) }}
-- Every opportunity row with its canonical type (rule 1), its term, and the
-- row-level quarantine reason of rule 0 (NULL_ID, DUPLICATE_ID,
-- NULL_CLOSE_DATE) when it has one.
with opportunities as (
    select * from {{ ref('stg_salesforce__opportunities') }}
),

mapping as (
    select * from {{ ref('stg_config__crm_type_mapping') }}
),

settings as (
    select * from {{ ref('stg_config__org_settings') }}
),

counted as (
    select
        opportunities.*,
        {{ normalize_crm_type('crm_type') }} as crm_type_key,
        count(*) over (partition by org_id, opportunity_id) as id_count
    from opportunities
),

typed as (
    select
        counted.*,
        coalesce(own.opportunity_type, fallback.opportunity_type, 'OTHER') as opportunity_type,
        coalesce(settings.default_term_months, 12) as default_term_months
    from counted
    left join mapping as own
        on own.org_id = counted.org_id and own.crm_type_key = counted.crm_type_key
    left join mapping as fallback
        on fallback.org_id = '*' and fallback.crm_type_key = counted.crm_type_key
    left join settings on settings.org_id = counted.org_id
),

final as (
    select
        org_id,
        opportunity_id,
        account_id,
        name as opportunity_name,
        crm_type,
        opportunity_type,
        is_closed,
        is_won,
        is_closed and is_won as is_won_closed,
        is_closed and not is_won as is_lost,
        is_deleted,
        close_date,
        last_opportunity_id,
        coalesce(contract_start_date, close_date) as start_date,
        coalesce(
            contract_end_date,
            (coalesce(contract_start_date, close_date) + make_interval(months => default_term_months))::date - 1
        ) as end_date,
        id_count,
        case
            when opportunity_id is null or org_id is null then 'NULL_ID'
            when id_count > 1 then 'DUPLICATE_ID'
            when close_date is null then 'NULL_CLOSE_DATE'
        end as row_reason,
        case
            when opportunity_id is null then 'id is null'
            when org_id is null then 'org_id is null'
            when id_count > 1 then 'id appears ' || id_count || ' times in org'
            when close_date is null then 'close_date is null'
        end as row_detail
    from typed
)

select * from final
