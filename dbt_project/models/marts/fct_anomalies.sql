-- One row per anomaly flag on the latest figures (DESIGN.md "Anomalies"), each with a
-- plain explanation in Persian and English, the history it was judged against, and any
-- expert verdict. A 'real' verdict on a series suppresses the same kind of flag on it in
-- later years (the new level is the series' own from then on).
{% set z_threshold = 5 %}
{% set min_size = 20 %}
with features as (
    select
        f.*,
        names.name_fa as geo_name_fa,
        names.name_en as geo_name_en,
        ind.indicator_id,
        ind.title_fa as indicator_title_fa,
        ind.title_en as indicator_title_en
    from {{ ref('int_anomaly__features') }} as f
    inner join {{ ref('int_indicators') }} as ind
        on ind.table_id = f.table_id
        and ind.measure_id = f.measure_id
        and ind.dim_key = f.dim_key
    inner join {{ province_geography() }} as names
        on names.code = f.geo_code
        and f.year between coalesce(names.valid_from, 0) and coalesce(names.valid_to, 9999)
),

judged as (
    select
        *,
        case
            when value = 0 and median_value >= {{ min_size }} and n_zeros = 1
                and not has_missing_parts
                then 'sudden_zero'
            when value is null and flag is not null
                then 'gap'
            -- A total short of a part the file marked as not collected: the gap explains it.
            when has_missing_parts and (robust_z <= -{{ z_threshold }} or value = 0)
                then 'partial_total'
            -- Too small to judge: a count going from 3 to 9 is not news.
            when greatest(value, expected_value) < {{ min_size }}
                then null
            when abs(abs(residual) - ln(1000)) < ln(3) and abs(robust_z) >= {{ z_threshold }}
                then 'unit_slip'
            when robust_z <= -{{ z_threshold }} then 'sharp_drop'
            when robust_z >= {{ z_threshold }} then 'sharp_rise'
        end as kind
    from features
),

flags as (
    select
        table_id, measure_id, dim_key, indicator_id, geo_code, geo_level, year,
        submission_id, kind,
        case when kind in ('gap', 'partial_total') then 'info' else 'warning' end as severity,
        case
            when kind = 'sudden_zero' then 99.0
            when kind in ('gap', 'partial_total') then 0.0
            else round(abs(robust_z), 2)
        end as score,
        value,
        expected_value,
        history_years,
        history_values,
        case kind
            -- Either way round: a figure 1000 times too large was typed in a unit 1000
            -- times smaller than the table's (units where it asks for thousands).
            when 'unit_slip' then
                geo_name_fa || ': رقم ' || {{ persian_digits("format('{:,.0f}', value)") }}
                || case when value > expected_value
                    then ' حدود هزار برابر رقم مورد انتظار ('
                    else ' حدود یک‌هزارم رقم مورد انتظار (' end
                || {{ persian_digits("format('{:,.0f}', expected_value)") }}
                || case when value > expected_value
                    then ') است؛ احتمالاً به جای هزار، به واحد گزارش شده است.'
                    else ') است؛ احتمالاً به جای واحد، به هزار گزارش شده است.' end
            when 'sudden_zero' then
                geo_name_fa || ': رقم صفر گزارش شده، در حالی که میانه سال‌های دیگر '
                || {{ persian_digits("format('{:,.0f}', median_value)") }} || ' است.'
            when 'gap' then
                geo_name_fa || ': برای این سال رقمی گزارش نشده است ('
                || {{ flag_symbol('flag') }} || ').'
            when 'partial_total' then
                geo_name_fa || ': این جمع کمتر از انتظار است، چون بخشی از اجزای آن گردآوری نشده (-) است.'
            else
                geo_name_fa || ': رقم ' || {{ persian_digits("format('{:,.0f}', value)") }}
                || ' حدود ' || {{ persian_digits("format('{:,.0f}', 100 * value / expected_value)") }}
                || ' درصد رقم مورد انتظار از روند سری ('
                || {{ persian_digits("format('{:,.0f}', expected_value)") }} || ') است.'
        end as explanation_fa,
        case kind
            when 'unit_slip' then
                geo_name_en || ': ' || format('{:,.0f}', value)
                || case when value > expected_value
                    then ' is about 1,000 times the ' else ' is about a thousandth of the ' end
                || format('{:,.0f}', expected_value) || ' its series predicts; probably reported in '
                || case when value > expected_value
                    then 'units instead of thousands.' else 'thousands instead of units.' end
            when 'sudden_zero' then
                geo_name_en || ': reported 0, where the other years have a median of '
                || format('{:,.0f}', median_value) || '.'
            when 'gap' then
                geo_name_en || ': no figure for this year (' || replace(flag, '_', ' ') || ': '
                || {{ flag_symbol('flag') }} || ').'
            when 'partial_total' then
                geo_name_en || ': this total is ' || format('{:,.0f}', 100 * value / expected_value)
                || '% of what its series predicts because some of its parts were not collected (-).'
            else
                geo_name_en || ': ' || format('{:,.0f}', value) || ' is '
                || format('{:,.0f}', 100 * value / expected_value) || '% of the '
                || format('{:,.0f}', expected_value) || ' its series predicts'
                || case when geo_level = 'county' then ' beside the other counties' else '' end
                || ' (robust z ' || format('{:.1f}', robust_z) || ').'
        end as explanation_en
    from judged
    where kind is not null
),

identities as (
    select
        ids.table_id, ids.measure_id, series.dim_key,
        ind.indicator_id, ids.geo_code,
        case when ids.geo_code in (select code from {{ province_geography() }} where level = 'province')
            then 'province' else 'county' end as geo_level,
        ids.year,
        null::bigint as submission_id,
        'broken_identity' as kind,
        -- A total short of a symbol cell cannot be held to the identity: noted, not raised.
        case when ids.has_missing_parts then 'info' else 'warning' end as severity,
        -- The gap in percent of the other table's total.
        round(100 * abs(ids.difference) / greatest(abs(ids.other_value), 1e-9), 2) as score,
        ids.value,
        ids.other_value as expected_value,
        []::integer[] as history_years,
        []::double[] as history_values,
        -- The other table by its printed number and title, the figures with the measure's
        -- decimals (a count prints none).
        'جمع این جدول (' || {{ persian_digits("printf('%,.' || measure.decimals || 'f', ids.value)") }}
        || ') با جمع جدول ' || {{ persian_digits("other.table_number") }} || ' «' || other.title_fa
        || '» (' || {{ persian_digits("printf('%,.' || measure.decimals || 'f', ids.other_value)") }}
        || ') برابر نیست.' as explanation_fa,
        'The total of this table (' || printf('%,.' || measure.decimals || 'f', ids.value)
        || ') differs from the total of table ' || other.table_number || ' "' || other.title_en
        || '" (' || printf('%,.' || measure.decimals || 'f', ids.other_value) || ').'
            as explanation_en
    from {{ ref('int_anomaly__identities') }} as ids
    inner join {{ ref('stg_catalog__tables') }} as other
        on other.table_id = ids.other_table
    inner join {{ ref('stg_catalog__measures') }} as measure
        on measure.table_id = ids.table_id and measure.measure_id = ids.measure_id
    inner join {{ ref('stg_catalog__series') }} as series
        on series.table_id = ids.table_id and series.is_total
    inner join {{ ref('int_indicators') }} as ind
        on ind.table_id = ids.table_id
        and ind.measure_id = ids.measure_id
        and ind.dim_key = series.dim_key
    where abs(ids.difference) > ids.allowed
),

all_flags as (
    select * from flags
    union all by name
    select * from identities
),

verdicts as (
    select *
    from {{ ref('stg_ledger__anomaly_verdicts') }}
    qualify row_number() over (
        partition by table_id, year, geo_code, measure_id, dim_key, kind
        order by verdict_id desc
    ) = 1
)

select
    all_flags.table_id || '/' || all_flags.year || '/' || all_flags.geo_code || '/'
        || all_flags.measure_id || '/' || all_flags.dim_key || '/' || all_flags.kind
        as anomaly_id,
    all_flags.*,
    verdicts.verdict,
    verdicts.verdict_note,
    verdicts.expert,
    earlier.year as suppressed_by_year,
    earlier.year is not null as is_suppressed
from all_flags
left join verdicts
    on verdicts.table_id = all_flags.table_id
    and verdicts.year = all_flags.year
    and verdicts.geo_code = all_flags.geo_code
    and verdicts.measure_id = all_flags.measure_id
    and verdicts.dim_key = all_flags.dim_key
    and verdicts.kind = all_flags.kind
left join (
    select table_id, geo_code, measure_id, dim_key, kind, year
    from {{ ref('stg_ledger__anomaly_verdicts') }}
    where verdict = 'real'
) as earlier
    on earlier.table_id = all_flags.table_id
    and earlier.geo_code = all_flags.geo_code
    and earlier.measure_id = all_flags.measure_id
    and earlier.dim_key = all_flags.dim_key
    and earlier.kind = all_flags.kind
    and earlier.year < all_flags.year
qualify row_number() over (partition by anomaly_id order by earlier.year desc nulls last) = 1
