-- Every value as it stands: the latest accepted version of each table-year, and, where a
-- revision is still under review, also the version that was released. Each value keeps its
-- provenance (file, sheet, row, column, uploader), its review state and first edition.
with notes as (
    -- An expert's 'real' verdict with a note becomes the value's footnote.
    select table_id, year, geo_code, measure_id, dim_key,
        string_agg(verdict_note, '; ' order by verdict_id) as value_note
    from {{ ref('stg_ledger__anomaly_verdicts') }}
    where verdict = 'real' and verdict_note <> ''
    group by all
)

select
    obs.submission_id,
    obs.province,
    obs.table_id,
    obs.year,
    obs.geo_code,
    obs.dim_key,
    obs.measure_id,
    ind.indicator_id,
    obs.value,
    obs.flag,
    {{ flag_symbol('obs.flag') }} as symbol,
    ind.unit,
    obs.is_current,
    obs.is_released,
    obs.review_state,
    obs.reviewer,
    obs.first_edition,
    notes.value_note,
    obs.agency_id,
    obs.uploader,
    obs.filename,
    obs.received_at_utc,
    obs.source_sheet,
    obs.source_row,
    obs.source_column
from {{ ref('int_observations__scoped') }} as obs
inner join {{ ref('int_indicators') }} as ind
    on ind.table_id = obs.table_id
    and ind.measure_id = obs.measure_id
    and ind.dim_key = obs.dim_key
left join notes
    on notes.table_id = obs.table_id
    and notes.year = obs.year
    and notes.geo_code = obs.geo_code
    and notes.measure_id = obs.measure_id
    and notes.dim_key = obs.dim_key
