-- One row per (edition, submission) it froze.
select
    e.edition_id,
    coalesce(e.province, {{ installation_province() }}) as province,
    e.year as edition_year,
    e.number as edition_number,
    e.released_by,
    e.note as edition_note,
    cast(replace(e.released_at, '+00:00', '') as timestamp) as released_at_utc,
    es.submission_id
from {{ source('ledger', 'editions') }} as e
inner join {{ source('ledger', 'edition_submissions') }} as es
    on es.edition_id = e.edition_id
