-- The years each table's figures cover, per version; comparable units are drawn for this
-- span. Per version, so the released series (the public snapshot) names only released years:
-- a span over the latest figures would tell readers that an unreleased year exists.
select
    'latest' as version,
    table_id,
    min(year) as first_year,
    max(year) as last_year
from {{ ref('int_observations__scoped') }}
where is_current
group by table_id
union all
select
    'released' as version,
    table_id,
    min(year) as first_year,
    max(year) as last_year
from {{ ref('int_observations__scoped') }}
where is_released
group by table_id
