{#- Layers live in schemas named exactly staging / intermediate / marts / config,
    the names other tools read (the output contract is `marts.*`). -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ (custom_schema_name or target.schema) | trim }}
{%- endmacro %}
