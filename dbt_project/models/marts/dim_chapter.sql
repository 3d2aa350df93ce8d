select
    chapter_no,
    title_fa,
    title_en
from {{ ref('chapters') }}
