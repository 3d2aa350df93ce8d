-- A returned row is a comparable unit's figure that is not the sum of its members' published
-- figures that year (a unit's code names its members: '2306+2321'). The unit tests of
-- int_geography__comparable_units check which places group; this checks the figure itself,
-- which a unit taking max() or any_value() instead of sum() would get wrong.
with units as (
    select version, indicator_id, year, geo_code, value
    from {{ ref('fct_indicator_series') }}
    where basis = 'comparable' and n_counties > 1 and value is not null
),

unit_members as (
    -- One row per member, so members join their figures on equal keys (a join on
    -- list_contains compared every unit with every place: 24 s of a 31-province build).
    select *, unnest(string_split(geo_code, '+')) as member_code
    from units
),

members as (
    select
        unit_members.version, unit_members.indicator_id, unit_members.year,
        unit_members.geo_code, unit_members.value,
        sum(published.value) as members_sum
    from unit_members
    inner join {{ ref('fct_indicator_series') }} as published
        on published.basis = 'as_published'
        and published.version = unit_members.version
        and published.indicator_id = unit_members.indicator_id
        and published.year = unit_members.year
        and published.geo_code = unit_members.member_code
    group by all
)

select *
from members
where abs(value - members_sum) > 1e-9 * greatest(abs(value), 1)
