select
    reopening_id,
    table_id,
    year,
    reason,
    actor,
    cast(replace("at", '+00:00', '') as timestamp) as reopened_at_utc
from {{ source('ledger', 'reopenings') }}
