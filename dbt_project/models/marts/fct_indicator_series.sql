-- Indicator x year x place, in two versions and on two bases.
--
-- version: 'latest' holds the latest accepted figures (experts, internal); 'released' the
--   figures of the newest edition (the public snapshot keeps only these).
-- basis: 'as_published' keeps each year's own geography, with a break note in the first
--   year after a boundary change; 'comparable' adds up the counties of each comparable unit
--   (int_geography__comparable_units) so every year covers the same ground, and notes it.
--   Provinces that gave counties to one another within the span (Alborz left Tehran in
--   1389) are added up the same way on a national hub.
-- On a national hub every row names its province, and each indicator, year and basis has
-- the national total (the sum of the provinces that delivered, with how many), each
-- province's share of it and its rank among the provinces.
with versions as (
    select 'latest' as version, * from {{ ref('int_observations__scoped') }} where is_current
    union all by name
    select 'released' as version, * from {{ ref('int_observations__scoped') }} where is_released
),

observed as (
    select
        versions.version,
        versions.province,
        ind.indicator_id,
        ind.additive,
        versions.table_id,
        versions.year,
        versions.geo_code,
        versions.geo_level,
        versions.value,
        versions.flag,
        lag(versions.year) over (
            partition by versions.version, ind.indicator_id, versions.geo_code
            order by versions.year
        ) as previous_year
    from versions
    inner join {{ ref('int_indicators') }} as ind
        on ind.table_id = versions.table_id
        and ind.measure_id = versions.measure_id
        and ind.dim_key = versions.dim_key
),

changes as (
    -- Boundary changes, keyed by the place and the first year on the new boundary.
    select year, from_code as geo_code, note from {{ province_lineage() }} where event = 'split'
    union all
    select year, to_code, note from {{ province_lineage() }} where event = 'split'
    union all
    -- A county leaving, or moving in from another province, changes the province's boundary.
    select distinct lineage.year, county.parent_code, lineage.note
    from {{ province_lineage() }} as lineage
    inner join {{ province_geography() }} as county
        on county.code in (lineage.from_code, lineage.to_code)
        and county.level = 'county'
    where lineage.event in ('leave_province', 'move_province')
),

change_notes as (
    select year, geo_code, string_agg(note, '; ' order by note) as note
    from changes
    group by all
),

breaks as (
    -- A series breaks where a boundary change falls after its previous year with figures.
    select
        observed.version, observed.indicator_id, observed.geo_code, observed.year,
        string_agg(change_notes.note, '; ' order by change_notes.year) as note,
        max(change_notes.year) as change_year
    from observed
    inner join change_notes
        on change_notes.geo_code = observed.geo_code
        and change_notes.year > observed.previous_year
        and change_notes.year <= observed.year
    group by all
),

names as (
    select code, level, name_fa, name_en
    from {{ province_geography() }}
    qualify row_number() over (partition by code order by coalesce(valid_from, 0) desc) = 1
),

as_published as (
    select
        observed.version,
        'as_published' as basis,
        observed.province,
        observed.indicator_id,
        observed.year,
        observed.geo_code,
        names.name_fa as geo_name_fa,
        names.name_en as geo_name_en,
        observed.geo_level,
        1 as n_counties,
        observed.value,
        observed.flag,
        case when breaks.note is not null then
            'مرز این محدوده در سال ' || {{ persian_digits('breaks.change_year') }}
            || ' تغییر کرده است؛ ارقام سال‌های پیش از آن با این سال قابل مقایسه نیست.'
        end as break_note_fa,
        case when breaks.note is not null then
            'Boundary changed in ' || breaks.change_year || ' (' || breaks.note
            || '); earlier years are not comparable.'
        end as break_note_en
    from observed
    inner join names on names.code = observed.geo_code
    left join breaks
        on breaks.version = observed.version
        and breaks.indicator_id = observed.indicator_id
        and breaks.geo_code = observed.geo_code
        and breaks.year = observed.year
),

in_units as (
    select
        observed.*,
        units.unit_code,
        units.unit_name_fa,
        units.unit_name_en,
        units.n_members,
        units.change_years,
        units.unit_level,
        spans.first_year,
        spans.last_year
    from observed
    inner join {{ ref('int_series__spans') }} as spans
        on spans.table_id = observed.table_id and spans.version = observed.version
    inner join {{ ref('int_geography__comparable_units') }} as units
        on units.first_year = spans.first_year
        and units.last_year = spans.last_year
        and units.geo_code = observed.geo_code
        and units.unit_level = observed.geo_level
),

expected_members as (
    -- How many member provinces of a unit held ground each year: a province that has not
    -- delivered leaves its unit's sum short (counties always come whole in a file).
    select units.first_year, units.last_year, units.unit_code, geo.year, count(*) as n_expected
    from (
        select distinct first_year, last_year, unit_code, unnest(members) as member
        from {{ ref('int_geography__comparable_units') }}
        where unit_level = 'province'
    ) as units
    inner join (
        select distinct geo.code, years.year
        from {{ province_geography() }} as geo
        inner join (select distinct year from observed) as years
            on years.year between coalesce(geo.valid_from, 0) and coalesce(geo.valid_to, 9999)
        where geo.level = 'province'
    ) as geo
        on geo.code = units.member
        and geo.year between units.first_year and units.last_year
    group by all
),

comparable as (
    select
        in_units.version,
        'comparable' as basis,
        string_agg(distinct in_units.province, '+' order by in_units.province) as province,
        in_units.indicator_id,
        in_units.year,
        in_units.unit_code as geo_code,
        any_value(unit_name_fa) as geo_name_fa,
        any_value(unit_name_en) as geo_name_en,
        any_value(geo_level) as geo_level,
        any_value(n_members) as n_counties,
        -- A unit's figure is the sum of its counties that year: only for quantities that
        -- add up, and only when every county present that year reported a number.
        case
            when count(*) < coalesce(any_value(expected.n_expected), 0) then null
            when count(*) = 1 then any_value(value)
            when bool_and(additive) and count(value) = count(*) then sum(value)
        end as value,
        case
            when count(*) < coalesce(any_value(expected.n_expected), 0) then 'not_available'
            when count(*) = 1 then any_value(flag)
            when not bool_and(additive) then 'not_comparable'
            when count(value) < count(*) then coalesce(any_value(flag), 'not_available')
        end as flag,
        any_value(change_years) as change_years,
        any_value(in_units.first_year) as first_year,
        any_value(in_units.last_year) as last_year
    from in_units
    left join expected_members as expected
        on expected.first_year = in_units.first_year
        and expected.last_year = in_units.last_year
        and expected.unit_code = in_units.unit_code
        and expected.year = in_units.year
    group by in_units.version, in_units.indicator_id, in_units.year, in_units.unit_code
),

series as (
    select * from as_published
    union all by name
    select
        version, basis, province, indicator_id, year, geo_code, geo_name_fa, geo_name_en,
        geo_level, n_counties, value, flag,
    case when len(change_years) > 0 and geo_level = 'province' and n_counties = 1 then
        'مرز استان در سال ' || array_to_string(list_transform(change_years, lambda y: {{ persian_digits('y') }}), '، ')
        || ' تغییر کرده است؛ ارقام پیش و پس از آن قابل مقایسه نیست.'
    when len(change_years) > 0 then
        'برای مقایسه‌پذیری ' || geo_name_fa || ' با هم جمع شده‌اند (تغییر مرز در سال '
        || array_to_string(list_transform(change_years, lambda y: {{ persian_digits('y') }}), '، ')
        || ').'
    end as break_note_fa,
    case when len(change_years) > 0 and geo_level = 'province' and n_counties = 1 then
        'The province boundary changed in ' || array_to_string(change_years, ', ')
        || '; figures before and after are not comparable.'
    when len(change_years) > 0 then
        geo_name_en || ' added up for comparability over ' || first_year || '-' || last_year
        || ' (boundary changed in ' || array_to_string(change_years, ', ') || ').'
    end as break_note_en
from comparable
)
{%- if is_national() %},

provinces_held as (
    -- Provinces with ground in each year (the seed's), to say how complete a national sum is.
    select years.year, count(distinct geo.code) as n_held
    from (select distinct year from observed) as years
    inner join {{ ref('geography') }} as geo
        on geo.level = 'province'
        and years.year between coalesce(geo.valid_from, 0) and coalesce(geo.valid_to, 9999)
    group by all
),

nation as (
    -- Iran is the sum of its provinces: only for quantities that add up, and only where
    -- every province that delivered gave a number.
    select
        series.version,
        series.basis,
        null::varchar as province,
        series.indicator_id,
        series.year,
        '{{ nation().code }}' as geo_code,
        '{{ nation().name_fa }}' as geo_name_fa,
        '{{ nation().name_en }}' as geo_name_en,
        'nation' as geo_level,
        null::bigint as n_counties,
        -- A comparable unit of provinces (Tehran + Alborz) counts its members.
        sum(series.n_counties) as n_provinces,
        case when bool_and(ind.additive) and count(series.value) = count(*)
            then sum(series.value) end as value,
        case
            when not bool_and(ind.additive) then 'not_comparable'
            when count(series.value) < count(*) then 'not_available'
        end as flag,
        any_value(held.n_held) as n_held
    from series
    inner join {{ ref('int_indicators') }} as ind on ind.indicator_id = series.indicator_id
    inner join provinces_held as held on held.year = series.year
    where series.geo_level = 'province'
    group by series.version, series.basis, series.indicator_id, series.year
),

ranked as (
    select
        series.*,
        null::bigint as n_provinces,
        case when series.geo_level = 'province' and ind.additive
            then series.value / nullif(nation.value, 0) end as share_of_nation,
        case when series.geo_level = 'province' and series.value is not null
            then rank() over (
                partition by series.version, series.basis, series.indicator_id, series.year,
                    series.geo_level = 'province', series.value is null
                order by series.value desc
            ) end as rank_among_provinces
    from series
    inner join {{ ref('int_indicators') }} as ind on ind.indicator_id = series.indicator_id
    left join nation
        on nation.version = series.version
        and nation.basis = series.basis
        and nation.indicator_id = series.indicator_id
        and nation.year = series.year
),

all_rows as (
    select * from ranked
    union all by name
    select
        * exclude (n_held),
        case when n_provinces < n_held then
            'جمع ' || {{ persian_digits('n_provinces') }} || ' استان از '
            || {{ persian_digits('n_held') }} || ' استان کشور که بسته خود را فرستاده‌اند؛ هنوز جمع کل کشور نیست.'
        end as break_note_fa,
        case when n_provinces < n_held then
            'Sum of the ' || n_provinces || ' of ' || n_held
            || ' provinces that delivered; not yet the national total.'
        end as break_note_en
    from nation
)
{%- else %},

all_rows as (
    select
        *,
        null::bigint as n_provinces,
        null::double as share_of_nation,
        null::bigint as rank_among_provinces
    from series
)
{%- endif %}

-- Per-capita figures where the catalog names the population a table's figures are divided
-- by: the population of the same place, year, version and basis (census years only, for
-- a census population).
select
    all_rows.*,
    all_rows.value / nullif(population.value, 0) as per_capita
from all_rows
inner join {{ ref('int_indicators') }} as ind on ind.indicator_id = all_rows.indicator_id
left join all_rows as population
    on population.indicator_id = ind.per_capita_of
    and population.version = all_rows.version
    and population.basis = all_rows.basis
    and population.geo_code = all_rows.geo_code
    and population.year = all_rows.year
