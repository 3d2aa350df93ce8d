select
    table_id,
    code_list,
    position as dimension_position,
    axis,
    members
from {{ source('catalog', 'dimensions') }}
