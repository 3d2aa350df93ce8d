select
    table_id,
    chapter_no,
    number as table_number,
    sort_order,
    title_fa,
    title_en,
    agency_id,
    source as source_kind,
    period as period_kind,
    geography_level,
    geography_definition,
    years as published_years,
    catalog_version,
    per_capita_table,
    per_capita_measure
from {{ source('catalog', 'tables') }}
