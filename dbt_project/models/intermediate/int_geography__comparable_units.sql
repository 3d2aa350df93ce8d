-- For each span of years, the comparable units: the smallest groups of counties whose outer
-- boundary did not change within the span. A split inside the span (after its first year,
-- up to its last) puts the old and the new county in one group, transitively, so a series
-- over the span adds up the same ground every year. The province is its own unit.
with recursive

spans as (
    select distinct first_year, last_year
    from {{ ref('int_series__spans') }}
),

counties as (
    select distinct
        spans.first_year,
        spans.last_year,
        geo.code
    from spans
    inner join {{ province_geography() }} as geo
        on geo.level = 'county'
        and coalesce(geo.valid_from, 0) <= spans.last_year
        and coalesce(geo.valid_to, 9999) >= spans.first_year
),

splits as (
    select
        spans.first_year,
        spans.last_year,
        lineage.from_code,
        lineage.to_code,
        lineage.year as split_year
    from spans
    inner join {{ province_lineage() }} as lineage
        on lineage.event = 'split'
        and lineage.year > spans.first_year
        and lineage.year <= spans.last_year
),

links as (
    select first_year, last_year, from_code as code, to_code as linked from splits
    union all
    select first_year, last_year, to_code, from_code from splits
),

reach (first_year, last_year, code, member) as (
    select first_year, last_year, code, code from counties
    union
    select reach.first_year, reach.last_year, reach.code, links.linked
    from reach
    inner join links
        on links.first_year = reach.first_year
        and links.last_year = reach.last_year
        and links.code = reach.member
),

names as (
    -- A county's latest name (names do not change with boundaries here).
    select code, name_fa, name_en
    from {{ province_geography() }}
    qualify row_number() over (partition by code order by coalesce(valid_from, 0) desc) = 1
),

units as (
    select
        reach.first_year,
        reach.last_year,
        reach.code as geo_code,
        list(reach.member order by reach.member) as members,
        string_agg(reach.member, '+' order by reach.member) as unit_code,
        string_agg(names.name_fa, ' + ' order by reach.member) as unit_name_fa,
        string_agg(names.name_en, ' + ' order by reach.member) as unit_name_en,
        count(*) as n_members
    from reach
    inner join names on names.code = reach.member
    group by all
),

changes as (
    select
        units.first_year,
        units.last_year,
        units.geo_code,
        list(distinct splits.split_year order by splits.split_year) as change_years
    from units
    inner join splits
        on splits.first_year = units.first_year
        and splits.last_year = units.last_year
        and list_contains(units.members, splits.from_code)
    group by all
),

province as (
    select
        spans.first_year,
        spans.last_year,
        geo.code as geo_code,
        geo.code as unit_code,
        any_value(geo.name_fa) as unit_name_fa,
        any_value(geo.name_en) as unit_name_en,
        1 as n_members,
        list(distinct lineage.year order by lineage.year)
            filter (where lineage.year is not null) as change_years
    from spans
    inner join {{ province_geography() }} as geo on geo.level = 'province'
    left join {{ province_lineage() }} as lineage
        -- A county leaving for another province, or moving in from one.
        on lineage.event in ('leave_province', 'move_province')
        and lineage.year > spans.first_year
        and lineage.year <= spans.last_year
    group by all
)

select
    units.first_year, units.last_year, units.geo_code, units.unit_code, units.unit_name_fa,
    units.unit_name_en, units.n_members,
    coalesce(changes.change_years, []) as change_years
from units
left join changes using (first_year, last_year, geo_code)
union all
select
    first_year, last_year, geo_code, unit_code, unit_name_fa, unit_name_en, n_members,
    coalesce(change_years, []) as change_years
from province
