select
    table_id,
    measure_id,
    position as measure_position,
    title_fa,
    title_en,
    unit,
    value_type,
    decimals,
    min_value,
    max_value
from {{ source('catalog', 'measures') }}
