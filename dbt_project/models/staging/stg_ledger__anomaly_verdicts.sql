select
    verdict_id,
    table_id,
    year,
    geo_code,
    measure as measure_id,
    dim_key,
    kind,
    verdict,
    note as verdict_note,
    expert,
    cast(replace("at", '+00:00', '') as timestamp) as judged_at_utc
from {{ source('ledger', 'anomaly_verdicts') }}
