-- One row per value cell of every loaded submission, renamed to the warehouse's words.
select
    submission_id,
    table_id,
    period as year,
    geo as geo_code,
    dim_key,
    measure as measure_id,
    value,
    flag,
    sheet as source_sheet,
    source_row,
    source_column
from {{ source('raw', 'values') }}
