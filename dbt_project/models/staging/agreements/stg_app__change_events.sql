-- The change stream, one row per event, each changed field classified (SPEC §6 "Triggers").
-- The staleness sensor reads this view, so the classification is defined once, here.
--   change_classes ⊆ property / people / datetime / charge / template / policy / scope / unrelated / unknown
--   'unknown' = the event cannot be read (malformed field, unknown source or op): checked conservatively.
-- Per-event lateral subqueries keep a filter on event_id an index range scan.
select
    e.event_id,
    e.occurred_at,
    e.source,
    e.op,
    e.entity_id,
    e.inspection_id,
    e.template_id,
    e.changed_fields,
    case
        when e.source is null or e.source not in ('inspection', 'charge', 'template') then array['unknown']
        when e.op is null or e.op not in ('insert', 'update', 'delete') then array['unknown']
        when e.source = 'charge' then array['charge']
        when e.op in ('insert', 'delete') and e.source = 'inspection' then array['scope']
        when e.op in ('insert', 'delete') and e.source = 'template' then array['template']
        when f.change_classes is null then array['unknown']
        else f.change_classes
    end as change_classes,
    case
        when e.source is null or e.source not in ('inspection', 'charge', 'template') then 'UNKNOWN_EVENT_SOURCE'
        when e.op is null or e.op not in ('insert', 'update', 'delete') then 'UNKNOWN_EVENT_OP'
        when e.op = 'update' and (f.change_classes is null or f.has_malformed_field) then 'MALFORMED_CHANGED_FIELDS'
    end as event_problem
from {{ source('app', 'change_event') }} as e
left join lateral (
    select
        array_agg(distinct classified.change_class order by classified.change_class) as change_classes,
        bool_or(classified.change_class = 'unknown') as has_malformed_field
    from (
        select case
            when field is null or field !~ '^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_-]+)*$' then 'unknown'
            when e.source = 'charge' then 'charge'
            when e.source = 'template' then case
                when field in ('body', 'version') or field like 'body.%' then 'template'
                when field = 'stale_policy' then 'policy'
                else 'unrelated' end
            when e.source = 'inspection' then case
                when field like 'charges%' then 'charge'
                when field like 'property%' or field like 'address%' then 'property'
                when field like 'people%' then 'people'
                when field = 'scheduled_at' then 'datetime'
                when field in ('job_creation_type', 'company_id', 'report_id') then 'scope'
                else 'unrelated' end
            else 'unknown'
        end as change_class
        from unnest(e.changed_fields) as field
    ) as classified
) as f on true
