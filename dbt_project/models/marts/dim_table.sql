-- One row per yearbook table of the catalog, with its owner and footnotes.
with notes as (
    select
        table_id,
        list(text_fa order by footnote_position) as footnotes_fa,
        list(text_en order by footnote_position) as footnotes_en
    from {{ ref('stg_catalog__footnotes') }}
    group by table_id
)

select
    t.table_id,
    t.chapter_no,
    t.table_number,
    t.sort_order,
    t.title_fa,
    t.title_en,
    t.agency_id,
    a.name_fa as agency_name_fa,
    a.name_en as agency_name_en,
    t.source_kind,
    t.period_kind,
    t.geography_level,
    t.published_years,
    coalesce(notes.footnotes_fa, []) as footnotes_fa,
    coalesce(notes.footnotes_en, []) as footnotes_en,
    t.catalog_version
from {{ ref('stg_catalog__tables') }} as t
inner join {{ ref('agencies') }} as a on a.agency_id = t.agency_id
left join notes on notes.table_id = t.table_id
