-- Ledger times are UTC ISO 8601 text ('2026-11-27T05:14:00+00:00'); kept as UTC timestamps.
select
    submission_id,
    table_id,
    year,
    agency as agency_id,
    uploader,
    filename,
    verdict,
    state,
    n_errors,
    n_warnings,
    cast(replace(received_at, '+00:00', '') as timestamp) as received_at_utc,
    cast(replace(state_at, '+00:00', '') as timestamp) as state_at_utc
from {{ source('ledger', 'submissions') }}
