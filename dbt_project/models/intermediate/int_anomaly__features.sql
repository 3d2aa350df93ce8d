-- Anomaly features of the latest figures, one row per value of a series with history.
--
-- Yearbook series are short (often under ten points), so each value is judged against a
-- robust trend of its own series: a Theil-Sen line (median of pairwise slopes) that one
-- wild year cannot pull, with a spread from the median absolute residual.
-- Counties are first compared with their peers: the year's common movement (the median,
-- over the counties, of each county's log level minus its usual log level) is taken out,
-- so a province-wide drop is not one county's anomaly, and a county that is missing or
-- wrong one year does not move the others. The province is judged on its own level.
-- A series is cut where the county's boundary changed (geo_valid_from), so a split is not
-- mistaken for a collapse.
-- SCI's national hub scores nothing: what it receives is released, every figure already
-- reviewed by its province's experts (fct_anomalies is empty there; the var score_anomalies
-- makes it score, as the build benchmark does to time 31 provinces' series).
{% set min_points = 5 %}
{% set min_peers = 3 %}
with observed as (
    select
        table_id, measure_id, dim_key, geo_code, geo_level, geo_parent_code, geo_valid_from,
        year, value, flag, submission_id,
        case when value > 0 then ln(value) end as log_value
    from {{ ref('int_observations__scoped') }}
    where is_current{% if not scores_anomalies() %} and false{% endif %}
),

usual_level as (
    select
        table_id, measure_id, dim_key, geo_code, geo_valid_from,
        median(log_value) as usual_log
    from observed
    where geo_level = 'county'
    group by all
),

year_effect as (
    -- Peers are the counties of the same province.
    select
        observed.table_id, observed.measure_id, observed.dim_key, observed.year,
        observed.geo_parent_code,
        median(observed.log_value - usual_level.usual_log) as common_move,
        count(observed.log_value) as n_peers
    from observed
    inner join usual_level
        using (table_id, measure_id, dim_key, geo_code, geo_valid_from)
    group by all
),

missing_parts as (
    -- Values a symbol cell ('-', '...') may have left short: a total of the same file over
    -- the same place (or the province), of the same measure or of a measure summing it.
    select submission_id, geo_code, measure_id
    from observed
    where flag is not null
    union
    select observed.submission_id, observed.geo_code, sums.total
    from observed
    inner join (
        select table_id, total, unnest(parts) as part
        from {{ ref('stg_catalog__rules') }}
        where kind = 'measures_sum'
    ) as sums
        on sums.table_id = observed.table_id
        and sums.part = observed.measure_id
    where observed.flag is not null
),

points as (
    select
        observed.*,
        case when observed.geo_level = 'county' then coalesce(year_effect.common_move, 0) else 0 end
            as common_move,
        case
            when observed.geo_level = 'province' then observed.log_value
            when year_effect.n_peers >= {{ min_peers }}
                then observed.log_value - year_effect.common_move
        end as y
    from observed
    left join year_effect
        on year_effect.table_id = observed.table_id
        and year_effect.measure_id = observed.measure_id
        and year_effect.dim_key = observed.dim_key
        and year_effect.year = observed.year
        and year_effect.geo_parent_code = observed.geo_parent_code
),

slopes as (
    -- Theil-Sen: the median of the slopes between every two years of a series. Taken
    -- inside each series' own list of points, so the work grows with the number of series
    -- (n(n-1)/2 slopes for a series of n years, n at most the years a yearbook spans), where
    -- a join of the points with themselves grew faster than the data and held every pair of
    -- every series in memory at once.
    select
        table_id, measure_id, dim_key, geo_code, geo_valid_from,
        list_aggregate(
            flatten(list_transform(range(1, len(pts) + 1), lambda i:
                list_transform(range(i + 1, len(pts) + 1), lambda j:
                    (pts[j].y - pts[i].y) / (pts[j].year - pts[i].year)))),
            'median'
        ) as slope
    from (
        select
            table_id, measure_id, dim_key, geo_code, geo_valid_from,
            list({'year': year, 'y': y} order by year) as pts
        from points
        where y is not null
        group by all
    )
),

fits as (
    select
        points.table_id, points.measure_id, points.dim_key, points.geo_code,
        points.geo_valid_from,
        any_value(slopes.slope) as slope,
        median(points.y - slopes.slope * points.year) as intercept,
        count(points.y) as n_points,
        list(points.year order by points.year) as history_years,
        list(points.value order by points.year) as history_values,
        median(points.value) as median_value,
        count(*) filter (where points.value = 0) as n_zeros
    from points
    inner join slopes
        using (table_id, measure_id, dim_key, geo_code, geo_valid_from)
    group by all
),

residuals as (
    select
        points.*,
        fits.n_points,
        fits.history_years,
        fits.history_values,
        fits.median_value,
        fits.n_zeros,
        fits.slope as trend_slope,
        fits.intercept as trend_intercept,
        points.y - (fits.intercept + fits.slope * points.year) as residual,
        -- What the trend (and, for a county, this year's common movement) predicts.
        exp(fits.intercept + fits.slope * points.year + points.common_move) as expected_value
    from points
    inner join fits
        using (table_id, measure_id, dim_key, geo_code, geo_valid_from)
    where fits.n_points >= {{ min_points }}
),

spread as (
    select
        table_id, measure_id, dim_key, geo_code, geo_valid_from,
        -- 1.4826 x MAD estimates a standard deviation; the floor (5%) keeps smooth
        -- series from turning rounding into alarms.
        greatest(1.4826 * median(abs(residual)), 0.05) as sigma
    from residuals
    group by all
)

select
    residuals.table_id,
    residuals.measure_id,
    residuals.dim_key,
    residuals.geo_code,
    residuals.geo_level,
    residuals.geo_valid_from,
    residuals.year,
    residuals.submission_id,
    residuals.value,
    residuals.flag,
    residuals.expected_value,
    residuals.median_value,
    residuals.n_points,
    residuals.n_zeros,
    residuals.history_years,
    residuals.history_values,
    residuals.residual,
    residuals.residual / spread.sigma as robust_z,
    residuals.trend_slope,
    residuals.trend_intercept,
    exists (
        select 1
        from missing_parts
        where missing_parts.submission_id = residuals.submission_id
            and missing_parts.measure_id = residuals.measure_id
            and (missing_parts.geo_code = residuals.geo_code or residuals.geo_level = 'province')
    ) as has_missing_parts
from residuals
inner join spread
    using (table_id, measure_id, dim_key, geo_code, geo_valid_from)
