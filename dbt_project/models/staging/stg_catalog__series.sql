select
    table_id,
    dim_key,
    position as series_position,
    is_total
from {{ source('catalog', 'series') }}
