-- Rule 1's leftovers: per org, every CRM type string that mapped to OTHER, with the
-- number of opportunity rows carrying it and the line that would map it in
-- seeds/crm_type_mapping.csv. Spellings that match alike (case, white space) are one
-- row, shown in their most common spelling. A null or blank type is listed with no
-- seed line: no mapping row can match it, only the CRM can fix it.
-- (Counted per distinct string first, then normalized: a few values per org, not
-- one per opportunity.)
with typed as (
    select * from {{ for_run_orgs(ref('int_opportunities__typed')) }}
),

unmapped_strings as (
    -- every row of the org counts, quarantined and deleted ones too; a row with no org has no vocabulary
    select org_id, crm_type, count(*) as opportunities
    from typed
    where opportunity_type = 'OTHER' and org_id is not null
    group by org_id, crm_type
),

keyed as (
    select
        org_id,
        crm_type,
        opportunities,
        {{ normalize_crm_type('crm_type') }} as crm_type_key,
        -- the spelling for the seed: trimmed, inner white space folded, case kept
        regexp_replace(
            regexp_replace(crm_type, '^[ \t\n\r\f\v]+|[ \t\n\r\f\v]+$', '', 'g'), '[ \t\n\r\f\v]+', ' ', 'g'
        ) as seed_spelling
    from unmapped_strings
),

spellings as (
    select
        *,
        (sum(opportunities) over (partition by org_id, crm_type_key))::bigint as key_opportunities,
        row_number() over (
            partition by org_id, crm_type_key
            order by opportunities desc, {{ by_code_point('crm_type') }}
        ) as spelling_rank
    from keyed
),

csv_fields as (
    -- quoted as a CSV reader expects when a value holds a comma, a quote or a line break
    select
        *,
        case when org_id ~ '[",\r\n]' then '"' || replace(org_id, '"', '""') || '"' else org_id end as org_field,
        case when seed_spelling ~ '[",\r\n]' then '"' || replace(seed_spelling, '"', '""') || '"' else seed_spelling end
            as type_field
    from spellings
    where spelling_rank = 1
),

final as (
    select
        org_id,
        crm_type,
        crm_type_key,
        key_opportunities as opportunities,
        case
            when crm_type_key <> '' then org_field || ',' || type_field || ',<NEW_BUSINESS|RENEWAL|AMENDMENT>'
        end as seed_row_to_add
    from csv_fields
)

select * from final
