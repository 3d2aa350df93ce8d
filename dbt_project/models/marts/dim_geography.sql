-- Every version of every place: a county whose boundary changed has one row per boundary,
-- each with the years it is valid for and the lineage events that opened it.
with born as (
    -- A county made of parts of two (Aghajari, 1391) names both, joined by '+'.
    select
        to_code as code,
        year,
        string_agg(from_code, '+' order by from_code) as from_code
    from {{ province_lineage() }}
    where event = 'split'
    group by all
)

select
    geo.code || '@' || coalesce(cast(geo.valid_from as varchar), 'start') as geo_version_id,
    geo.code as geo_code,
    geo.level,
    geo.parent_code,
    geo.name_fa,
    geo.name_en,
    geo.valid_from,
    geo.valid_to,
    geo.valid_to is null as is_current,
    born.from_code as split_from_code,
    born.year as split_year,
    geo.note
from {{ province_geography() }} as geo
left join born
    on born.code = geo.code
    and born.year = geo.valid_from
