"""The national hub's portal data functions, on given rows: the deliveries grid, the map of
Iran's frame, the explorer's places, the table of provinces and its CSV. The browser test
(tests/test_portal_national.py) runs them on a real hub."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from dashboards import county_profile, deliveries_view, explorer_data, province_map_data
from dashboards import yearbook_view as view
from salnameh.catalog import load_catalog
from salnameh.reference import Reference

pytestmark = pytest.mark.unit

PROVINCES = Reference().provinces


def package(province, year, edition, state, received="2026-12-06T20:38:41.897+00:00"):
    names = PROVINCES[province]
    return {
        "province": province,
        "province_fa": names.short_fa,
        "province_en": names.short_en,
        "year": year,
        "edition": edition,
        "state": state,
        "released_at": "2026-12-06T10:00:00.000+00:00",
        "received_at": received,
        "tables": 1,
        "observations": 1173,
        "manifest_sha256": "01f5519cab859630c3848aa4",
        "catalog_version": "9afe11de24c5",
    }


ROWS = [
    package("01", 1390, 1, "received"),
    package("25", 1390, 1, "superseded", "2026-11-01T08:00:00+00:00"),
    package("25", 1390, 2, "received"),
    package("25", 1391, 1, "received"),
]


def test_the_deliveries_grid_has_every_province_and_the_edition_in_force():
    grid = deliveries_view.delivery_grid(ROWS, PROVINCES, "fa")
    assert len(grid) == 31 and grid.index.name == "کد"
    assert list(grid.columns) == ["استان", "۱۳۹۱", "۱۳۹۰"]  # newest year first
    # 20:38 UTC on 6 December 2026 is 00:08 on 7 December in Tehran: 16 Azar 1405.
    assert grid.loc["۲۵", "۱۳۹۰"] == "ویرایش ۲، ۱۶ آذر ۱۴۰۵"  # not the superseded first
    assert grid.loc["۰۱", "۱۳۹۰"].startswith("ویرایش ۱")
    assert grid.loc["۰۱", "۱۳۹۱"] == "" and grid.loc["۰۰", "۱۳۹۰"] == ""
    english = deliveries_view.delivery_grid(ROWS, PROVINCES, "en")
    assert english.loc["25", "1390"] == "edition 2 · 16 Azar 1405"


def test_delivered_counts_and_the_package_list():
    assert deliveries_view.delivered_counts(ROWS, 31, "fa") == [
        "۱۳۹۱: ۱ استان از ۳۱",
        "۱۳۹۰: ۲ استان از ۳۱",
    ]
    assert deliveries_view.delivered_counts(ROWS, 31, "en")[1] == "1390: 2 of 31 provinces"
    listed = deliveries_view.package_list(ROWS, "fa")
    assert list(listed["state"]) == [
        "دریافت‌شده",
        "جایگزین‌شده با ویرایش بعدی",
        "دریافت‌شده",
        "دریافت‌شده",
    ]
    assert listed["received"][1] == "۱۰ آبان ۱۴۰۵" and listed["observations"][0] == "۱٬۱۷۳"


def fake_query(tables: dict[str, pd.DataFrame]):
    """query(sql, params) answering each known statement with its given rows."""

    def query(sql, params=()):
        return tables[sql].copy()

    return query


SERIES = pd.DataFrame(
    {
        "geo_code": ["23", "01", "25", "IR"],
        "geo_level": ["province", "province", "province", "nation"],
        "geo_name_fa": ["استان تهران", "استان گیلان", "استان قم", "ایران"],
        "geo_name_en": ["Tehran Province", "Gilan Province", "Qom Province", "Iran"],
        "value": [12183391.0, 2480874.0, 1151672.0, 15815937.0],
        "flag": [None, None, None, None],
        "share_of_nation": [0.770324, 0.156859, 0.072817, None],
        "rank_among_provinces": [1, 2, 3, None],
        "n_provinces": [None, None, None, 3],
        "break_note_fa": [None, None, None, "جمع ۳ استان از ۳۱"],
        "break_note_en": [None, None, None, "Sum of the 3 of 31 provinces"],
    }
)


def test_the_iran_map_frame_has_every_province_and_greys_those_without_a_figure():
    query = fake_query({province_map_data.VALUES: SERIES})
    frame = province_map_data.province_frame(query, "pop", 1390, 0, "fa")
    assert len(frame) == 31 and frame["delivered"].sum() == 3
    qom = frame.set_index("geo_code").loc["25"]
    assert qom["shown"] == "۱٬۱۵۱٬۶۷۲" and qom["rank"] == 3
    assert qom["share"] == pytest.approx(7.2817) and qom["share_text"] == "۷٫۳٪"
    assert frame.set_index("geo_code").loc["00", "shown"] == ""
    coloured, grey = province_map_data.province_features(frame)
    assert sorted(f["properties"]["geo_code"] for f in coloured) == ["01", "23", "25"]
    assert len(grey) == 28
    nation = province_map_data.nation_row(query, "pop", 1390)
    assert nation["value"] == 15815937.0 and nation["n_provinces"] == 3


PLACES = pd.DataFrame(
    {
        "geo_code": ["01", "23", "25", "0105", "2501", "2301"],
        "level": ["province"] * 3 + ["county"] * 3,
        "parent_code": [None, None, None, "01", "25", "23"],
        "name_fa": ["استان گیلان", "استان تهران", "استان قم", "رشت", "قم", "تهران"],
        "name_en": ["Gilan Province", "Tehran Province", "Qom Province", "Rasht", "Qom", "Tehran"],
    }
)


def test_a_hubs_places_start_with_iran_and_name_each_county_with_its_province():
    held = pd.DataFrame({"geo_code": ["IR", "01", "25", "0105", "2501"]})  # Tehran: none
    nation = pd.DataFrame(
        {
            "geo_code": ["IR"],
            "level": ["nation"],
            "parent_code": [None],
            "name_fa": ["ایران"],
            "name_en": ["Iran"],
        }
    )
    query = fake_query(
        {
            explorer_data.PLACES: PLACES,
            explorer_data.WITH_FIGURES: held,
            explorer_data.NATION_PLACE: nation,
        }
    )
    places = explorer_data.place_options(query, national=True)
    assert list(places["geo_code"]) == ["IR", "01", "25", "0105", "2501"]
    assert places.set_index("geo_code").loc["2501", "name_fa"] == "قم (استان قم)"
    # A province's home lists its places as they are.
    assert list(explorer_data.place_options(query)["name_fa"]) == list(PLACES["name_fa"])


def test_a_county_is_compared_with_its_own_province():
    assert county_profile.province_of(PLACES, "2501") == "25"
    assert county_profile.province_of(PLACES) == "01"


def test_the_table_of_provinces_has_irans_total_then_the_provinces_that_delivered():
    table = load_catalog().tables["pop_county_sex_age"]
    geography = view.NationalGeography(["25", "01"], "national")
    geos = geography.table_geos(table.geography, 1390)
    assert [g.code for g in geos] == ["IR", "01", "25"]
    values = pd.DataFrame(
        {
            "geo_code": ["IR", "25"],
            "dim_key": ["age_group_5y=total;sex=total"] * 2,
            "measure_id": ["population"] * 2,
            "value": [3632546.0, 1151672.0],
            "flag": [None, None],
        }
    )
    html = view.table_html(table, 1390, values, geography, "fa")
    assert '<th rowspan="2">استان</th>' in html and "کل کشور" in html
    assert "۳٬۶۳۲٬۵۴۶" in html and "۱٬۱۵۱٬۶۷۲" in html and "قم" in html
    assert "کل استان" not in html


def test_a_hubs_csv_names_the_province_of_each_row():
    values = pd.DataFrame(
        {
            "table_number": ["3-2", "3-2"],
            "table_id": ["pop_county_sex_age"] * 2,
            "year": [1390, 1390],
            "geo_code": ["IR", "25"],
            "geo_name_fa": ["ایران", "استان قم"],
            "geo_name_en": ["Iran", "Qom Province"],
            "dim_key": ["sex=total"] * 2,
            "measure_id": ["population"] * 2,
            "indicator_id": ["pop"] * 2,
            "value": [15815937.0, 1151672.0],
            "flag": [None, None],
            "unit": ["person"] * 2,
            "agency_id": ["sci"] * 2,
            "province": ["", "25"],
            "share_of_nation": [None, 0.0728],
            "rank_among_provinces": [None, 3],
        }
    )
    rows = list(csv.DictReader(io.StringIO(view.csv_bytes(values, True).decode("utf-8-sig"))))
    assert next(iter(rows[0])) == "province"
    assert rows[1]["province"] == "25" and rows[1]["rank_among_provinces"] == "3.0"
    plain = view.csv_bytes(values.drop(columns=["share_of_nation", "rank_among_provinces"]))
    assert "province" not in plain.decode("utf-8-sig").splitlines()[0]
    assert view.download_name(load_catalog().tables["pop_county_sex_age"], 1390, "csv", "25") == (
        "table-3-2-pop_county_sex_age-1390-25.csv"
    )
