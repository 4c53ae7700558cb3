{{ config(materialized='view') }}
-- (A view: the staleness sensor's runs read it for a few inspections; marts.agreement_staleness
-- is the full table.) One row per checked agreement (ACTIVE, attik job): is it stale under its
-- policy, and why (SPEC §6).
--   FULL                   stale when content_hash differs from signed_content_hash
--   SELECTIVE              stale when property, people, datetime or the template differ from what was signed
--                          (charges never count, whatever the order of events)
--   TEMPLATE_VERSION_ONLY  stale when the template version differs from the signed one
-- An unsigned agreement is never stale. Comparisons are three-valued: is_stale
-- is NULL when the inputs cannot decide it (undetermined_reason says why; the
-- apply then leaves the agreement as it is, and staleness_problems lists it).
with facts as (
    select * from {{ ref('int_staleness__agreement_facts') }}
),

compared as (
    select
        f.*,
        f.property_facts <> f.property_signed as property_changed,
        f.people_facts <> f.people_signed as people_changed,
        f.datetime_facts <> f.datetime_signed as datetime_changed,
        f.charges_facts <> f.charges_signed as charges_changed,
        f.template_version <> f.signed_template_version as template_version_changed,
        case when not f.has_template then null
             when f.template_body_sha256_signed is null then false
             else f.template_body_sha256 is distinct from f.template_body_sha256_signed end as template_body_changed
    from facts as f
),

decided as (
    select
        c.*,
        (c.template_version_changed or c.template_body_changed) as template_changed,
        case
            when c.signed_at is null then false
            when c.policy = 'FULL' then c.content_hash <> c.signed_content_hash
            when c.policy = 'SELECTIVE' then c.property_changed or c.people_changed or c.datetime_changed
                                              or c.template_version_changed or c.template_body_changed
            when c.policy = 'TEMPLATE_VERSION_ONLY' then c.template_version_changed
        end as is_stale
    from compared as c
)

select
    agreement_id,
    inspection_id,
    template_id,
    report_id,
    policy,
    policy_source,
    is_stale,
    case when not coalesce(is_stale, false) then array[]::text[]
         when policy = 'TEMPLATE_VERSION_ONLY' then array['template']
         else coalesce(nullif(array_remove(array[
                case when property_changed then 'property' end,
                case when people_changed then 'people' end,
                case when datetime_changed then 'datetime' end,
                case when policy = 'FULL' and charges_changed then 'charges' end,
                case when template_changed then 'template' end], null), '{}'), array['content'])
    end as stale_reasons,
    array_remove(array[
        case when property_changed then 'property' end,
        case when people_changed then 'people' end,
        case when datetime_changed then 'datetime' end,
        case when charges_changed then 'charges' end,
        case when template_changed then 'template' end], null) as differing_classes,
    case when is_stale is null then
        case
            when policy is null then 'UNKNOWN_STALE_POLICY'
            when not has_template then 'AGREEMENT_WITHOUT_TEMPLATE'
            when policy = 'FULL' and people_facts is null then 'PEOPLE_NOT_OBJECT'
            when policy = 'FULL' and signed_content_hash is null then 'SIGNED_CONTENT_HASH_MISSING'
            when policy = 'TEMPLATE_VERSION_ONLY' and template_version is null then 'TEMPLATE_WITHOUT_VERSION'
            when policy = 'TEMPLATE_VERSION_ONLY' then 'SIGNED_TEMPLATE_VERSION_MISSING'
            when not has_signed_facts then 'SIGNED_FACTS_MISSING'
            when people_facts is null then 'PEOPLE_NOT_OBJECT'
            when template_version is null then 'TEMPLATE_WITHOUT_VERSION'
            else 'SIGNED_FACTS_UNREADABLE'
        end
    end as undetermined_reason,
    content_hash,
    current_timestamp as checked_at
from decided
