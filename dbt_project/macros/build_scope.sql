{#-
    The tables a build recomputes. A full build's scope holds every table; a build after a
    few new or reviewed files holds only the tables they touch and the tables whose figures
    read theirs (salnameh/build_scope.py writes it, salnameh/model_replay.py replaces only
    those tables' rows in the marts that declare `meta: {rebuilt_by: ...}`). Applied once,
    where values enter the models (int_observations__scoped), so every model downstream
    sees the same tables.
-#}
{% macro in_build_scope(column) -%}
    {{ column }} in (select table_id from {{ source('build', 'scope') }})
{%- endmacro %}
