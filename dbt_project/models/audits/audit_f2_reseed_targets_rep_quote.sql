-- F2: the quote the seed system's reseed would pick on a live PENDING renewal (among
-- the DRAFT quotes of its head opportunity, or of the contract itself when it has no
-- head yet: the primary one, else the most recent) is not the system draft, so a
-- reseed would overwrite a rep's quote. The rep's quote is the offending row. (The
-- platform's own reseed writes only system drafts: the seeded_quotes_are_system_drafts
-- check on app/renewal_scaffolding guards the computed side.)
with renewals as (
    select org_id, deal_group_id
    from {{ ref('stg_app__live_deal_groups') }}
    where type = 'CONTRACT' and contract_type = 'RENEWAL' and status = 'PENDING'
),

heads as (
    {{ live_heads() }}
),

drafts as (
    select * from {{ ref('stg_app__quotes') }} where status = 'DRAFT'
),

candidates as (
    select
        renewals.org_id,
        renewals.deal_group_id,
        drafts.quote_id,
        drafts.is_primary,
        drafts.created_at,
        drafts.is_system_draft
    from renewals
    left join heads
        on heads.org_id = renewals.org_id and heads.deal_group_id = renewals.deal_group_id
    inner join drafts
        on drafts.org_id = renewals.org_id
        and (
            drafts.opportunity_id = heads.opportunity_id
            or (heads.opportunity_id is null and drafts.deal_group_id = renewals.deal_group_id)
        )
),

picked as (
    select distinct on (org_id, deal_group_id) *
    from candidates
    order by org_id, deal_group_id, is_primary desc, created_at desc nulls last, quote_id desc
),

findings as (
    select
        org_id,
        'app.quote' as entity_table,
        quote_id as entity_id,
        deal_group_id as finding_key,
        'a reseed of PENDING renewal ' || deal_group_id || ' would overwrite '
        || case when is_primary then 'the primary' else 'the most recent' end
        || ' draft quote ' || quote_id || ', which is not the system draft.' as detail
    from picked
    where not is_system_draft
)

{{ audit_final('F2') }}
