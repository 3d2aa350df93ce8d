-- A returned row is a comparable unit's figure that is not the sum of its members' published
-- figures that year (a unit's code names its members: '2306+2321'). The unit tests of
-- int_geography__comparable_units check which places group; this checks the figure itself,
-- which a unit taking max() or any_value() instead of sum() would get wrong.
with units as (
    select version, indicator_id, year, geo_code, value
    from {{ ref('fct_indicator_series') }}
    where basis = 'comparable' and n_counties > 1 and value is not null
),

members as (
    select
        units.version, units.indicator_id, units.year, units.geo_code, units.value,
        sum(published.value) as members_sum
    from units
    inner join {{ ref('fct_indicator_series') }} as published
        on published.basis = 'as_published'
        and published.version = units.version
        and published.indicator_id = units.indicator_id
        and published.year = units.year
        and list_contains(string_split(units.geo_code, '+'), published.geo_code)
    group by all
)

select *
from members
where abs(value - members_sum) > 1e-9 * greatest(abs(value), 1)
