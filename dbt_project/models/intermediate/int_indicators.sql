-- What an indicator is: one measure of one table at one combination of its dimension
-- members (a series key), with titles composed from the measure and the member labels.
-- The headline indicator of a table-measure is the one at every dimension's total.
with parts as (
    select
        series.table_id,
        series.dim_key,
        part.pos,
        string_split(part.text, '=')[1] as list_id,
        string_split(part.text, '=')[2] as code
    from {{ ref('stg_catalog__series') }} as series,
        lateral (
            select
                unnest(string_split(series.dim_key, ';')) as text,
                generate_subscripts(string_split(series.dim_key, ';'), 1) as pos
        ) as part
    where series.dim_key <> ''
),

labels as (
    select
        parts.table_id,
        parts.dim_key,
        string_agg(codes.label_fa, '، ' order by parts.pos) filter (where not codes.is_total)
            as members_fa,
        string_agg(codes.label_en, ', ' order by parts.pos) filter (where not codes.is_total)
            as members_en
    from parts
    inner join {{ ref('codes') }} as codes
        on codes.list_id = parts.list_id
        and codes.code = parts.code
    group by all
)

select
    series.table_id || '.' || measures.measure_id
        || case when series.dim_key = '' then '' else '[' || series.dim_key || ']' end
        as indicator_id,
    series.table_id,
    measures.measure_id,
    series.dim_key,
    series.is_total as is_headline,
    measures.title_fa || coalesce(' — ' || labels.members_fa, '') as title_fa,
    measures.title_en || coalesce(' — ' || labels.members_en, '') as title_en,
    measures.unit,
    units.additive,
    measures.decimals,
    measures.measure_position,
    series.series_position,
    -- The population the catalog divides this table's figures by, as its headline
    -- indicator (per-capita figures, for quantities that add up).
    case when units.additive then
        denominator.table_id || '.' || tables.per_capita_measure
        || case when denominator.dim_key = '' then '' else '[' || denominator.dim_key || ']' end
    end as per_capita_of
from {{ ref('stg_catalog__series') }} as series
inner join {{ ref('stg_catalog__measures') }} as measures
    on measures.table_id = series.table_id
inner join {{ ref('units') }} as units
    on units.unit = measures.unit
left join labels
    on labels.table_id = series.table_id
    and labels.dim_key = series.dim_key
inner join {{ ref('stg_catalog__tables') }} as tables
    on tables.table_id = series.table_id
left join {{ ref('stg_catalog__series') }} as denominator
    on denominator.table_id = tables.per_capita_table
    and denominator.is_total
