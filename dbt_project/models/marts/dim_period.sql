-- The reference years that hold figures, with their Gregorian bounds.
select
    cal.year,
    cal.label_fa,
    cal.first_day,
    cal.last_day
from {{ ref('stg_catalog__calendar') }} as cal
where cal.year between (select min(first_year) from {{ ref('int_series__spans') }})
    and (select max(last_year) from {{ ref('int_series__spans') }})
