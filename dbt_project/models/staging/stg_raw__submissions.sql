-- A province's home leaves province NULL (its rows are the home's); a hub's rows name theirs.
select
    submission_id,
    coalesce(province, {{ installation_province() }}) as province,
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
