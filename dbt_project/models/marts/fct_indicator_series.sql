-- Indicator x year x place, in two versions and on two bases.
--
-- version: 'latest' holds the latest accepted figures (experts, internal); 'released' the
--   figures of the newest edition (the public snapshot keeps only these).
-- basis: 'as_published' keeps each year's own geography, with a break note in the first
--   year after a boundary change; 'comparable' adds up the counties of each comparable unit
--   (int_geography__comparable_units) so every year covers the same ground, and notes it.
with versions as (
    select 'latest' as version, * from {{ ref('int_observations__scoped') }} where is_current
    union all by name
    select 'released' as version, * from {{ ref('int_observations__scoped') }} where is_released
),

observed as (
    select
        versions.version,
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
        spans.first_year,
        spans.last_year
    from observed
    inner join {{ ref('int_series__spans') }} as spans
        on spans.table_id = observed.table_id and spans.version = observed.version
    inner join {{ ref('int_geography__comparable_units') }} as units
        on units.first_year = spans.first_year
        and units.last_year = spans.last_year
        and units.geo_code = observed.geo_code
),

comparable as (
    select
        version,
        'comparable' as basis,
        indicator_id,
        year,
        unit_code as geo_code,
        any_value(unit_name_fa) as geo_name_fa,
        any_value(unit_name_en) as geo_name_en,
        any_value(geo_level) as geo_level,
        any_value(n_members) as n_counties,
        -- A unit's figure is the sum of its counties that year: only for quantities that
        -- add up, and only when every county present that year reported a number.
        case
            when count(*) = 1 then any_value(value)
            when bool_and(additive) and count(value) = count(*) then sum(value)
        end as value,
        case
            when count(*) = 1 then any_value(flag)
            when not bool_and(additive) then 'not_comparable'
            when count(value) < count(*) then coalesce(any_value(flag), 'not_available')
        end as flag,
        any_value(change_years) as change_years,
        any_value(first_year) as first_year,
        any_value(last_year) as last_year
    from in_units
    group by version, indicator_id, year, unit_code
)

select * from as_published
union all by name
select
    version, basis, indicator_id, year, geo_code, geo_name_fa, geo_name_en, geo_level,
    n_counties, value, flag,
    case when len(change_years) > 0 and geo_level = 'province' then
        'مرز استان در سال ' || array_to_string(list_transform(change_years, lambda y: {{ persian_digits('y') }}), '، ')
        || ' تغییر کرده است؛ ارقام پیش و پس از آن قابل مقایسه نیست.'
    when len(change_years) > 0 then
        'برای مقایسه‌پذیری ' || geo_name_fa || ' با هم جمع شده‌اند (تغییر مرز در سال '
        || array_to_string(list_transform(change_years, lambda y: {{ persian_digits('y') }}), '، ')
        || ').'
    end as break_note_fa,
    case when len(change_years) > 0 and geo_level = 'province' then
        'The province boundary changed in ' || array_to_string(change_years, ', ')
        || '; figures before and after are not comparable.'
    when len(change_years) > 0 then
        geo_name_en || ' added up for comparability over ' || first_year || '-' || last_year
        || ' (boundary changed in ' || array_to_string(change_years, ', ') || ').'
    end as break_note_en
from comparable
