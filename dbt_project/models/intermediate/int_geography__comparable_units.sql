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

province_links as (
    -- Counties leaving one province for another (Alborz from Tehran in 1389, Tabas from
    -- Yazd in 1391) within the span: the provinces on both sides change boundary.
    select distinct
        spans.first_year,
        spans.last_year,
        lineage.year,
        source.parent_code as code,
        target.parent_code as linked
    from spans
    inner join {{ province_lineage() }} as lineage
        on lineage.event in ('leave_province', 'move_province')
        and lineage.year > spans.first_year
        and lineage.year <= spans.last_year
    left join {{ ref('geography') }} as source
        on source.code = lineage.from_code and source.level = 'county'
    left join {{ ref('geography') }} as target
        on target.code = lineage.to_code and target.level = 'county'
),

province_edges as (
    select first_year, last_year, code, linked from province_links
    where code is not null and linked is not null
    union all
    select first_year, last_year, linked, code from province_links
    where code is not null and linked is not null
),

provinces as (
    select distinct spans.first_year, spans.last_year, geo.code
    from spans
    inner join {{ province_geography() }} as geo on geo.level = 'province'
),

province_reach (first_year, last_year, code, member) as (
    -- A province is comparable over the span together with the provinces it gave counties
    -- to or took them from (transitively); a province's own home sees only itself.
    select first_year, last_year, code, code from provinces
    union
    select province_reach.first_year, province_reach.last_year, province_reach.code,
        province_edges.linked
    from province_reach
    inner join province_edges
        on province_edges.first_year = province_reach.first_year
        and province_edges.last_year = province_reach.last_year
        and province_edges.code = province_reach.member
),

province_names as (
    select code, name_fa, name_en
    from {{ province_geography() }}
    where level = 'province'
    qualify row_number() over (partition by code order by coalesce(valid_from, 0) desc) = 1
),

province_changes as (
    select first_year, last_year, code, year from province_links where code is not null
    union
    select first_year, last_year, linked, year from province_links where linked is not null
),

province_units as (
    select
        province_reach.first_year,
        province_reach.last_year,
        province_reach.code as geo_code,
        list(province_reach.member order by province_reach.member) as members,
        string_agg(province_reach.member, '+' order by province_reach.member) as unit_code,
        string_agg(province_names.name_fa, ' + ' order by province_reach.member) as unit_name_fa,
        string_agg(province_names.name_en, ' + ' order by province_reach.member) as unit_name_en,
        count(*) as n_members
    from province_reach
    inner join province_names on province_names.code = province_reach.member
    group by all
),

province as (
    select
        province_units.*,
        (
            select list(distinct c.year order by c.year)
            from province_changes as c
            where c.first_year = province_units.first_year
                and c.last_year = province_units.last_year
                and list_contains(province_units.members, c.code)
        ) as change_years
    from province_units
)

select
    units.first_year, units.last_year, units.geo_code, units.unit_code, units.unit_name_fa,
    units.unit_name_en, units.n_members, units.members, 'county' as unit_level,
    coalesce(changes.change_years, []) as change_years
from units
left join changes using (first_year, last_year, geo_code)
union all
select
    first_year, last_year, geo_code, unit_code, unit_name_fa, unit_name_en, n_members, members,
    'province' as unit_level,
    coalesce(change_years, []) as change_years
from province
