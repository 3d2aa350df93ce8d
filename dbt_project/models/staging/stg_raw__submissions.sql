select
    submission_id,
    table_id,
    period as year,
    agency as agency_id,
    sha256,
    filename,
    uploader,
    catalog_version,
    n_values,
    loaded_at
from {{ source('raw', 'submissions') }}
