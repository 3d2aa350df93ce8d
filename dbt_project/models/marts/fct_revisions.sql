-- What each edition changed against the previous edition of the same year: one row per
-- cell whose figure or symbol differs (table, place, members, measure, old, new), with the
-- reason a coordinator gave when reopening the table-year, else the approval's comment.
-- A table-year first released in a later edition is listed once, with no cell.
with releases as (
    select distinct
        edition_id, province, edition_year, edition_number, released_at_utc, submission_id
    from {{ ref('stg_ledger__editions') }}
),

held as (
    select releases.*, s.table_id
    from releases
    inner join {{ ref('stg_raw__submissions') }} as s on s.submission_id = releases.submission_id
),

pairs as (
    -- Each table-year of an edition beside the same table-year in the previous edition.
    select
        cur.province,
        cur.edition_year as year,
        cur.edition_number,
        cur.released_at_utc,
        cur.table_id,
        prev.submission_id as previous_submission_id,
        cur.submission_id
    from held as cur
    left join held as prev
        on prev.province = cur.province
        and prev.edition_year = cur.edition_year
        and prev.edition_number = cur.edition_number - 1
        and prev.table_id = cur.table_id
    where cur.edition_number > 1
        and (prev.submission_id is null or prev.submission_id <> cur.submission_id)
),

reasons as (
    select
        pairs.province, pairs.year, pairs.edition_number, pairs.table_id,
        coalesce(
            (select arg_max(r.reason, r.reopened_at_utc) from {{ ref('stg_ledger__reopenings') }} as r
             where r.table_id = pairs.table_id and r.year = pairs.year
                 and r.reopened_at_utc <= pairs.released_at_utc),
            (select arg_max(v.review_comment, v.review_id) from {{ ref('stg_ledger__reviews') }} as v
             where v.submission_id = pairs.submission_id and v.decision = 'approved')
        ) as reason
    from pairs
),

cells as (
    select
        pairs.province, pairs.year, pairs.edition_number, pairs.table_id,
        coalesce(new.geo_code, old.geo_code) as geo_code,
        coalesce(new.dim_key, old.dim_key) as dim_key,
        coalesce(new.measure_id, old.measure_id) as measure_id,
        old.value as old_value,
        new.value as new_value,
        old.flag as old_flag,
        new.flag as new_flag
    from pairs
    inner join {{ ref('stg_raw__values') }} as new on new.submission_id = pairs.submission_id
    full outer join (
        select v.* from {{ ref('stg_raw__values') }} as v
        where v.submission_id in (select previous_submission_id from pairs)
    ) as old
        on old.submission_id = pairs.previous_submission_id
        and old.geo_code = new.geo_code
        and old.dim_key = new.dim_key
        and old.measure_id = new.measure_id
    where pairs.previous_submission_id is not null
        and (old.value is distinct from new.value or old.flag is distinct from new.flag)
)

select
    pairs.province,
    pairs.year,
    pairs.edition_number,
    pairs.edition_number - 1 as previous_edition,
    pairs.table_id,
    cells.geo_code,
    cells.dim_key,
    cells.measure_id,
    cells.old_value,
    cells.new_value,
    cells.old_flag,
    cells.new_flag,
    case when pairs.previous_submission_id is null then 'first released' else 'revised' end
        as change,
    reasons.reason
from pairs
left join cells
    on cells.province = pairs.province
    and cells.year = pairs.year
    and cells.edition_number = pairs.edition_number
    and cells.table_id = pairs.table_id
left join reasons
    on reasons.province = pairs.province
    and reasons.year = pairs.year
    and reasons.edition_number = pairs.edition_number
    and reasons.table_id = pairs.table_id
