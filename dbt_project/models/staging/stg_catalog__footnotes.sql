select
    table_id,
    position as footnote_position,
    text_fa,
    text_en
from {{ source('catalog', 'footnotes') }}
