{#- The yearbook symbol printed for a value's flag (salnameh.persian.SYMBOLS). -#}
{% macro flag_symbol(flag) -%}
    case {{ flag }}
        when 'not_collected' then '-'
        when 'not_available' then '...'
        when 'not_applicable' then '×'
        when 'cannot_calculate' then '××'
        when 'negligible' then '//'
        when 'provisional' then '*'
        when 'estimated' then '**'
    end
{%- endmacro %}
