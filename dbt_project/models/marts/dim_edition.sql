-- The released editions of the yearbook: one row per edition of a year, when it was
-- released and how many table-years it froze. Public, like the edition itself: readers see
-- which edition they are reading and when it came out, without the ledger.
select
    province,
    edition_year as year,
    edition_number,
    released_at_utc,
    count(distinct submission_id) as table_years
from {{ ref('stg_ledger__editions') }}
group by all
