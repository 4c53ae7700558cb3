{#- Functions the models need that plain SQL has not: a cast that answers NULL
    instead of failing the whole model on one malformed value. Created at the
    start of every dbt invocation (on-run-start), in the project's `config` schema. -#}
{% macro create_platform_functions() -%}
create schema if not exists config;
do $do$
begin
    if not exists (select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                   where n.nspname = 'config' and p.proname = 'iso_timestamptz') then
        -- An ISO-8601 timestamp WITH a zone (Z or ±hh[:mm]) → timestamptz; anything else → NULL.
        if current_setting('server_version_num')::int >= 160000 then
            -- an inlinable SQL function: no exception block, no subtransaction per row
            create function config.iso_timestamptz(value text) returns timestamptz
            language sql stable as $fn$
                select case when value ~ '^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$'
                             and pg_input_is_valid(value, 'timestamptz')
                            then value::timestamptz end
            $fn$;
        else
            create function config.iso_timestamptz(value text) returns timestamptz
            language plpgsql stable as $fn$
            begin
                if value !~ '^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$' then
                    return null;
                end if;
                return value::timestamptz;
            exception when others then
                return null;
            end
            $fn$;
        end if;
    end if;
end
$do$;
{%- endmacro %}
