select
    i.indicator_id,
    i.table_id,
    t.chapter_no,
    t.table_number,
    i.measure_id,
    i.dim_key,
    i.is_headline,
    i.title_fa,
    i.title_en,
    i.unit,
    u.title_fa as unit_title_fa,
    u.title_en as unit_title_en,
    i.additive,
    i.decimals
from {{ ref('int_indicators') }} as i
inner join {{ ref('stg_catalog__tables') }} as t on t.table_id = i.table_id
inner join {{ ref('units') }} as u on u.unit = i.unit
