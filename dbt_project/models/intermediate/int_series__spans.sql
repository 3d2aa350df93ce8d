-- The years each table's figures cover; comparable units are drawn for this span.
select
    table_id,
    min(year) as first_year,
    max(year) as last_year
from {{ ref('int_observations__scoped') }}
group by table_id
