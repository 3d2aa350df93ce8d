-- Cross-table identities (the catalog's equals_table rules) on the latest figures: the
-- table's total of a measure must equal the other table's total, geography by geography.
-- Ingestion cannot check these (the other table may arrive later), so they are checked here.
with totals as (
    select obs.table_id, obs.measure_id, obs.year, obs.geo_code, obs.value
    from {{ ref('int_observations__scoped') }} as obs
    inner join {{ ref('stg_catalog__series') }} as series
        on series.table_id = obs.table_id
        and series.dim_key = obs.dim_key
        and series.is_total
    where obs.is_current and obs.value is not null
),

incomplete as (
    -- A total one of whose cells was a symbol ('-', '...') is short by design.
    select distinct table_id, measure_id, year
    from {{ ref('int_observations__scoped') }}
    where is_current and flag is not null
)

select
    rules.table_id,
    rules.measure_id,
    rules.other_table,
    rules.other_measure,
    mine.year,
    mine.geo_code,
    mine.value,
    theirs.value as other_value,
    mine.value - theirs.value as difference,
    rules.tolerance + rules.tolerance_pct / 100 * abs(theirs.value) as allowed,
    exists (
        select 1 from incomplete
        where (incomplete.table_id = rules.table_id and incomplete.measure_id = rules.measure_id
                or incomplete.table_id = rules.other_table
                    and incomplete.measure_id = rules.other_measure)
            and incomplete.year = mine.year
    ) as has_missing_parts
from {{ ref('stg_catalog__rules') }} as rules
inner join totals as mine
    on mine.table_id = rules.table_id
    and mine.measure_id = rules.measure_id
inner join totals as theirs
    on theirs.table_id = rules.other_table
    and theirs.measure_id = rules.other_measure
    and theirs.year = mine.year
    and theirs.geo_code = mine.geo_code
where rules.kind = 'equals_table'
