-- A returned row is a demo year whose number of Tehran's counties in the seed is not what
-- SCI published: 14 in 1389-1390 (before Pardis and Qarchak), 16 from 1391. The demo is
-- Tehran's, and this checks the seed itself, so it counts Tehran's rows (parent 23) of the
-- whole seed, whatever province the installation serves.
with years as (
    select unnest(range(1389, 1403)) as year
),
counted as (
    select y.year, count(g.code) as counties
    from years y
    left join {{ ref('geography') }} g
        on g.level = 'county'
        and g.parent_code = '23'
        and (g.valid_from is null or g.valid_from <= y.year)
        and (g.valid_to is null or y.year <= g.valid_to)
    group by y.year
)
select *
from counted
where counties <> case when year < 1391 then 14 else 16 end
