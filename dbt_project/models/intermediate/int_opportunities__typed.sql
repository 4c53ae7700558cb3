{{ config(indexes=[{'columns': ['org_id']}]) }}
-- Every opportunity row with its canonical type (rule 1), its term, and the
-- row-level quarantine reason of rule 0 (NULL_ID, DUPLICATE_ID,
-- NULL_CLOSE_DATE) when it has one.
-- (Indexed by org only, for org-scoped builds: every reader joins it by hash.)
-- (The opportunities are read twice, each straight from the staging view: a CTE
-- read more than once is materialized, a 1 M-row copy. Duplicate ids come from
-- their own small model.)
with opportunities as (
    select * from {{ for_run_orgs(ref('stg_salesforce__opportunities')) }}
),

mapping as (
    select * from {{ ref('stg_config__crm_type_mapping') }}
),

org_terms as (
    -- every org's default term, as one small object read per row (as a join, the
    -- planner hashed the million opportunities to look up fifty orgs); straight
    -- from the seed: the settings view lists every org of the sources, a scan of
    -- each source table
    select jsonb_object_agg(org_id, default_term_months) as months
    from {{ ref('org_settings') }}
    where default_term_months is not null
),

duplicated as (
    select * from {{ for_run_orgs(ref('int_opportunities__duplicate_ids')) }}
),

crm_types as (
    -- each distinct CRM type normalized once (a few dozen values, not one per opportunity)
    select org_id, crm_type, {{ normalize_crm_type('crm_type') }} as crm_type_key
    from (
        select distinct org_id, crm_type from {{ for_run_orgs(ref('stg_salesforce__opportunities')) }}
    ) as distinct_types
),

own_types as (
    select crm_types.org_id, crm_types.crm_type, own.opportunity_type
    from crm_types
    inner join mapping as own
        on own.org_id = crm_types.org_id and own.crm_type_key = crm_types.crm_type_key
),

default_types as (
    select distinct crm_types.crm_type, fallback.opportunity_type
    from crm_types
    inner join mapping as fallback
        on fallback.org_id = '*' and fallback.crm_type_key = crm_types.crm_type_key
),

typed as (
    select
        opportunities.*,
        coalesce(duplicated.id_count, 1) as id_count,
        coalesce(own_types.opportunity_type, default_types.opportunity_type, 'OTHER') as opportunity_type,
        coalesce((org_terms.months ->> opportunities.org_id)::integer, (org_terms.months ->> '*')::integer, 12)
            as default_term_months
    from opportunities
    left join duplicated
        on duplicated.org_id = opportunities.org_id and duplicated.opportunity_id = opportunities.opportunity_id
    left join own_types
        on own_types.org_id = opportunities.org_id and own_types.crm_type = opportunities.crm_type
    left join default_types on default_types.crm_type = opportunities.crm_type
    cross join org_terms
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
