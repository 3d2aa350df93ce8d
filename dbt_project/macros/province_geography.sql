{#-
    The geography seeds hold every province; an installation's models see its own. The
    province comes from the var `province`, which salnameh.warehouse passes from the home
    (dbt_project.yml holds the default installation's, for dbt run by hand).
-#}

{% macro installation_province() -%}
    {#- The var as a quoted SQL literal, checked first: only two digits may reach the SQL. -#}
    {%- set code = var('province') | string -%}
    {%- if code | length != 2 or not code.isdigit() -%}
        {{ exceptions.raise_compiler_error(
            "var 'province' must be a two-digit SCI province code such as \"01\", not '"
            ~ code ~ "' (quote it in --vars: an unquoted 01 reads as the number 1)") }}
    {%- endif -%}
    '{{ code }}'
{%- endmacro %}

{% macro province_geography() -%}
    {#- The province's rows and its counties' rows for the spans it held them. -#}
    (
        select *
        from {{ ref('geography') }}
        where (level = 'province' and code = {{ installation_province() }})
            or (level = 'county' and parent_code = {{ installation_province() }})
    )
{%- endmacro %}

{% macro province_lineage() -%}
    {#- Lineage events touching the province's places (a county leaving or coming in too). -#}
    (
        select *
        from {{ ref('geography_lineage') }}
        where from_code in (select code from {{ province_geography() }})
            or to_code in (select code from {{ province_geography() }})
    )
{%- endmacro %}
