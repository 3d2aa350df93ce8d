{#- Values outside the min/max their measure declares in the catalog. Ingestion refuses
    them, so this is a plausibility check on what reached the warehouse: it warns. -#}
{% test within_declared_bounds(model, column_name) %}
select obs.*
from {{ model }} as obs
inner join {{ ref('stg_catalog__measures') }} as measures
    on measures.table_id = obs.table_id
    and measures.measure_id = obs.measure_id
where obs.{{ column_name }} < measures.min_value
    or obs.{{ column_name }} > measures.max_value
{% endtest %}
