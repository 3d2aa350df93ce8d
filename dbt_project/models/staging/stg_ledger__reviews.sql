select
    review_id,
    submission_id,
    decision,
    reviewer,
    comment as review_comment,
    cast(replace("at", '+00:00', '') as timestamp) as reviewed_at_utc
from {{ source('ledger', 'reviews') }}
