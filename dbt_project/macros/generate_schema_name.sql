{#- Schemas are named as declared (reference, staging, marts), not prefixed with the
    target's schema: analysts query `reference.geography`, not `main_reference.geography`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name if custom_schema_name else target.schema }}
{%- endmacro %}
