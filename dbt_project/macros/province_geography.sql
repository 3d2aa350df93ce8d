{#-
    The geography seeds hold every province; an installation's models see its own. The
    province comes from the var `province`, which salnameh.warehouse passes from the home
    (dbt_project.yml holds the default installation's, for dbt run by hand). SCI's national
    hub (var `national`) sees every province: its rows carry their province from raw on.
-#}

{% macro is_national() -%}
    {{- return(var('national', false) in (true, 'true', 'True')) -}}
{%- endmacro %}

{% macro scores_anomalies() -%}
    {#- A province scores its latest figures; SCI's hub does not (docs/decisions.md), unless
        the var `score_anomalies` says so (the build benchmark scores 31 provinces' series). -#}
    {%- set asked = var('score_anomalies', none) -%}
    {{- return(not is_national() if asked is none else asked in (true, 'true', 'True')) -}}
{%- endmacro %}

{% macro installation_province() -%}
    {#- The var as a quoted SQL literal, checked first: only two digits may reach the SQL.
        A national hub serves no one province: NULL (every row names its own). -#}
    {%- if is_national() -%}
        cast(null as varchar)
    {%- else -%}
    {%- set code = var('province') | string -%}
    {%- if code | length != 2 or not code.isdigit() -%}
        {{ exceptions.raise_compiler_error(
            "var 'province' must be a two-digit SCI province code such as \"01\", not '"
            ~ code ~ "' (quote it in --vars: an unquoted 01 reads as the number 1)") }}
    {%- endif -%}
    '{{ code }}'
    {%- endif -%}
{%- endmacro %}

{% macro province_geography() -%}
    {#- The province's rows and its counties' rows for the spans it held them (a hub: all). -#}
    {%- if is_national() -%}
    (select * from {{ ref('geography') }})
    {%- else -%}
    (
        select *
        from {{ ref('geography') }}
        where (level = 'province' and code = {{ installation_province() }})
            or (level = 'county' and parent_code = {{ installation_province() }})
    )
    {%- endif -%}
{%- endmacro %}

{% macro province_lineage() -%}
    {#- Lineage events touching the province's places (a county leaving or coming in too). -#}
    {%- if is_national() -%}
    (select * from {{ ref('geography_lineage') }})
    {%- else -%}
    (
        select *
        from {{ ref('geography_lineage') }}
        where from_code in (select code from {{ province_geography() }})
            or to_code in (select code from {{ province_geography() }})
    )
    {%- endif -%}
{%- endmacro %}

{% macro nation() -%}
    {#- The national total's place: the sum of the provinces, which no seed row holds. -#}
    {{- return({'code': 'IR', 'name_fa': 'ایران', 'name_en': 'Iran'}) -}}
{%- endmacro %}
