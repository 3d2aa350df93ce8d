-- Every sum rule of the catalog, checked on the latest figures: one row per total and the
-- parts it must equal, with the allowed difference (the declared tolerance, plus half a unit
-- of the last digit for each rounded part, as ingestion allows). A total whose parts include
-- a symbol cell cannot be checked (holds is NULL). The dbt tests assert_* read this model.
with obs as (
    select * from {{ ref('int_observations__scoped') }} where is_current
),

rule_measures as (
    -- A rule that names no measures covers every measure whose unit adds up.
    select
        rules.table_id, rules.rule_position, rules.kind, rules.dimension,
        rules.tolerance, rules.tolerance_pct, measures.measure_id, measures.decimals
    from {{ ref('stg_catalog__rules') }} as rules
    inner join {{ ref('stg_catalog__measures') }} as measures on measures.table_id = rules.table_id
    inner join {{ ref('units') }} as units on units.unit = measures.unit
    where rules.kind in ('parts_sum_to_total', 'counties_sum_to_province')
        and (
            list_contains(rules.measures, measures.measure_id)
            or (rules.measures is null and units.additive)
        )
),

member_parts as (
    -- The rule dimension's member of each cell, and the cell's other members (its group).
    select
        rm.table_id, rm.rule_position, rm.kind, rm.dimension, rm.tolerance, rm.tolerance_pct,
        rm.decimals, obs.year, obs.geo_code, obs.measure_id, obs.value,
        -- String functions, not a regex built per row (recompiled for every cell: 30x slower).
        split_part(
            list_filter(string_split(obs.dim_key, ';'),
                        lambda part: starts_with(part, rm.dimension || '='))[1],
            '=', 2
        ) as member,
        array_to_string(
            list_filter(string_split(obs.dim_key, ';'),
                        lambda part: not starts_with(part, rm.dimension || '=')),
            ';'
        ) as group_key
    from rule_measures as rm
    inner join obs on obs.table_id = rm.table_id and obs.measure_id = rm.measure_id
    where rm.kind = 'parts_sum_to_total'
),

member_cells as (
    select
        parts.table_id, parts.rule_position, parts.kind, parts.tolerance, parts.tolerance_pct,
        parts.decimals, parts.year, parts.geo_code, parts.measure_id, parts.group_key,
        codes.is_total, parts.value
    from member_parts as parts
    inner join {{ ref('codes') }} as codes
        on codes.list_id = parts.dimension
        and codes.code = parts.member
),

county_cells as (
    select
        rm.table_id, rm.rule_position, rm.kind, rm.tolerance, rm.tolerance_pct, rm.decimals,
        -- Counties are compared with their own province (a national warehouse holds many).
        obs.year, coalesce(obs.geo_parent_code, obs.geo_code) as geo_code,
        obs.measure_id,
        obs.dim_key as group_key,
        obs.geo_level = 'province' as is_total,
        obs.value
    from rule_measures as rm
    inner join obs on obs.table_id = rm.table_id and obs.measure_id = rm.measure_id
    inner join {{ ref('stg_catalog__tables') }} as t
        on t.table_id = rm.table_id and t.geography_level = 'county'
    where rm.kind = 'counties_sum_to_province'
),

measure_cells as (
    select
        rules.table_id, rules.rule_position, rules.kind, rules.tolerance, rules.tolerance_pct,
        measures.decimals,
        obs.year, obs.geo_code, rules.total as measure_id,
        obs.dim_key as group_key,
        obs.measure_id = rules.total as is_total,
        obs.value
    from {{ ref('stg_catalog__rules') }} as rules
    inner join obs
        on obs.table_id = rules.table_id
        and (obs.measure_id = rules.total or list_contains(rules.parts, obs.measure_id))
    inner join {{ ref('stg_catalog__measures') }} as measures
        on measures.table_id = rules.table_id and measures.measure_id = obs.measure_id
    where rules.kind = 'measures_sum'
),

cells as (
    select * from member_cells
    union all by name
    select * from county_cells
    union all by name
    select * from measure_cells
),

compared as (
    select
        table_id, rule_position, kind, year, geo_code, measure_id, group_key,
        max(value) filter (where is_total) as total_value,
        sum(value) filter (where not is_total) as parts_sum,
        count(*) filter (where not is_total) as parts_n,
        count(value) filter (where not is_total) as parts_known,
        count(value) filter (where is_total) as totals_known,
        any_value(tolerance) as tolerance,
        any_value(tolerance_pct) as tolerance_pct,
        max(decimals) as decimals
    from cells
    group by all
)

select
    table_id, rule_position, kind, year, geo_code, measure_id, group_key,
    total_value, parts_sum, parts_n,
    greatest(tolerance, abs(total_value) * tolerance_pct / 100)
        + case when decimals > 0 then parts_n * 0.5 * pow(10, -decimals) else 0 end
        + 1e-9 as allowed,
    case
        when totals_known = 0 or parts_known < parts_n or parts_n = 0 then null
        else abs(total_value - parts_sum) <= greatest(tolerance, abs(total_value) * tolerance_pct / 100)
            + case when decimals > 0 then parts_n * 0.5 * pow(10, -decimals) else 0 end + 1e-9
    end as holds
from compared
