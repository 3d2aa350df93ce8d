-- A returned row is a total of the latest figures that does not equal the sum of its parts
-- under the catalog's parts_sum_to_total rule (beyond the declared tolerance and rounding).
-- Ingestion refuses such files, so a row here means the warehouse and the files disagree.
select *
from {{ ref('int_rules__checks') }}
where kind = 'parts_sum_to_total' and not holds
