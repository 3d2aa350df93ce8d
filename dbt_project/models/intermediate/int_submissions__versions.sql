-- One row per submission whose values are in the raw layer: whether it is the current
-- version of its table-year, how the experts judged it, and where it was released.
-- Two versions of a table-year can matter at once: the latest accepted one (what experts
-- review) and the latest released one (what the public sees until a revision is released).
with loaded as (
    select
        raw_sub.submission_id,
        raw_sub.province,
        raw_sub.table_id,
        raw_sub.year,
        raw_sub.agency_id,
        raw_sub.uploader,
        raw_sub.filename,
        raw_sub.sha256,
        led.state,
        led.received_at_utc
    from {{ ref('stg_raw__submissions') }} as raw_sub
    inner join {{ ref('stg_ledger__submissions') }} as led
        on led.submission_id = raw_sub.submission_id
    -- 'loading' means the load never finished: its rows are not trusted.
    where led.state in ('loaded', 'superseded')
),

latest_review as (
    select *
    from {{ ref('stg_ledger__reviews') }}
    qualify row_number() over (partition by submission_id order by review_id desc) = 1
),

releases as (
    select
        submission_id,
        arg_min(edition_number, edition_id) as first_edition,
        arg_min(released_at_utc, edition_id) as first_released_at_utc,
        max(edition_id) as last_edition_id
    from {{ ref('stg_ledger__editions') }}
    group by submission_id
),

versions as (
    select
        loaded.*,
        loaded.state = 'loaded' as is_current,
        case
            when latest_review.decision is not null then latest_review.decision
            else 'in_review'
        end as review_state,
        latest_review.reviewer,
        latest_review.reviewed_at_utc,
        latest_review.review_comment,
        releases.first_edition,
        releases.first_released_at_utc,
        releases.last_edition_id
    from loaded
    left join latest_review on latest_review.submission_id = loaded.submission_id
    left join releases on releases.submission_id = loaded.submission_id
)

select
    * exclude (last_edition_id),
    -- The released version: the one in the newest edition that holds this table-year (of
    -- its province: a national hub holds every province's).
    coalesce(
        last_edition_id is not null
        and row_number() over (
            partition by province, table_id, year, last_edition_id is not null
            order by last_edition_id desc, submission_id desc
        ) = 1,
        false
    ) as is_released
from versions
