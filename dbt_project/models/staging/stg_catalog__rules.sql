-- equals_table compares the same measure unless the rule names another.
select
    table_id,
    position as rule_position,
    kind,
    dimension,
    measures,
    total,
    parts,
    other_table,
    coalesce(other_measure, measures[1]) as other_measure,
    measures[1] as measure_id,
    coalesce(tolerance, 0) as tolerance,
    coalesce(tolerance_pct, 0) as tolerance_pct
from {{ source('catalog', 'rules') }}
