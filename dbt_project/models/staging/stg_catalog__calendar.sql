select
    year,
    first_day,
    last_day,
    label_fa
from {{ source('catalog', 'calendar') }}
