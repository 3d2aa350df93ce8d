-- The reference years that hold figures, with their Gregorian bounds. The years are read
-- from the observations mart, which holds every table's, also after a build that
-- recomputed only some tables (macros/build_scope.sql).
select
    cal.year,
    cal.label_fa,
    cal.first_day,
    cal.last_day
from {{ ref('stg_catalog__calendar') }} as cal
where cal.year between (select min(year) from {{ ref('fct_observations') }})
    and (select max(year) from {{ ref('fct_observations') }})
