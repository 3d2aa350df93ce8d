{#- A number or text with its digits written in Persian, for text read in Persian. -#}
{% macro persian_digits(expression) -%}
    translate(cast({{ expression }} as varchar), '0123456789.,', '۰۱۲۳۴۵۶۷۸۹٫٬')
{%- endmacro %}
