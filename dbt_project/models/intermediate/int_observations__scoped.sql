-- The values that matter: those of the current version of each table-year (for experts)
-- and of the released version (for the public), each with its version's state and the
-- geography version it was reported on. Only the tables in the build's scope
-- (macros/build_scope.sql): every table in a full build.
select
    v.submission_id,
    s.province,
    v.table_id,
    v.year,
    v.geo_code,
    geo.level as geo_level,
    geo.parent_code as geo_parent_code,
    coalesce(geo.valid_from, 0) as geo_valid_from,
    v.dim_key,
    v.measure_id,
    v.value,
    v.flag,
    v.source_sheet,
    v.source_row,
    v.source_column,
    s.is_current,
    s.is_released,
    s.review_state,
    s.reviewer,
    s.first_edition,
    s.agency_id,
    s.uploader,
    s.filename,
    s.received_at_utc
from {{ ref('stg_raw__values') }} as v
inner join {{ ref('int_submissions__versions') }} as s
    on s.submission_id = v.submission_id
left join {{ province_geography() }} as geo
    on geo.code = v.geo_code
    and v.year between coalesce(geo.valid_from, 0) and coalesce(geo.valid_to, 9999)
where (s.is_current or s.is_released) and {{ in_build_scope('v.table_id') }}
