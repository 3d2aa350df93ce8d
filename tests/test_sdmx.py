"""SDMX's rules for our codes and periods, the structure message read back by pysdmx, and
the public snapshot's column rule, without the demo."""

import json

import duckdb
import pytest

from publishing.edition import Edition
from publishing.sdmx import (
    OBS_STATUS,
    OBS_STATUS_NAMES,
    obs_status,
    sdmx_agency,
    sdmx_id,
    structure_message,
    time_period,
)
from salnameh.catalog import load_catalog
from salnameh.persian import SYMBOLS
from salnameh.reference import Reference
from salnameh.snapshots import _write_public, mart_rules

pytestmark = pytest.mark.unit

EDITION = Edition(1401, 1, "2024-01-02 10:00:00", [])


def test_every_code_the_seeds_and_catalog_hold_is_an_sdmx_identifier_once():
    """An export cannot stop on a code: every code of every list, place, unit, agency and
    measure becomes a valid SDMX id, and no two codes of one list become the same id."""
    reference = Reference()
    lists = {f"codes:{k}": [c.code for c in v] for k, v in reference.code_lists.items()}
    lists["geography"] = sorted({g.code for g in reference.all_geography})
    lists["units"] = list(reference.units)
    lists["agencies"] = list(reference.agencies)
    for table in load_catalog():
        lists[f"measures:{table.id}"] = [m.id for m in table.measures]
    for name, codes in lists.items():
        ids = [sdmx_id(code) for code in codes]
        assert len(set(ids)) == len(set(codes)), name
    assert sdmx_id("100+") == "100_PLUS" and sdmx_id("female") == "female"
    with pytest.raises(ValueError, match="cannot be an SDMX identifier"):
        sdmx_id("a/b")


def test_a_jalali_year_is_its_span_of_gregorian_days():
    assert time_period(1401) == "2022-03-21/P365D"
    assert time_period(1403) == "2024-03-20/P366D"  # a leap year of 366 days


def test_every_symbol_has_an_sdmx_status_and_an_unknown_flag_is_no_normal_value():
    assert set(OBS_STATUS) == set(SYMBOLS.values())
    assert set(OBS_STATUS.values()) | {"A"} == set(OBS_STATUS_NAMES)
    assert obs_status(None) == "A" and obs_status(float("nan")) == "A"
    assert obs_status("not_collected") == "L" and obs_status("not_available") == "O"
    with pytest.raises(KeyError):
        obs_status("revised")  # a new flag must be mapped, not passed off as normal


@pytest.mark.parametrize("table_id", ["pop_county_sex_age", "land_cover_area_type"])
def test_a_tables_structure_message_validates_and_holds_what_its_data_needs(table_id, tmp_path):
    """SDMX's XSD (through pysdmx) accepts the message, and the DSD it holds has the
    table's dimensions in order, each coded by a list of the message."""
    from pysdmx.io import read_sdmx
    from pysdmx.model import DataStructureDefinition

    reference = Reference()
    table = load_catalog().in_words_of(reference).table(table_id)
    path = tmp_path / f"{table_id}.xml"
    path.write_bytes(structure_message(table, EDITION, reference, sdmx_agency(reference)))
    message = read_sdmx(path, validate=True)
    (dsd,) = [s for s in message.structures if isinstance(s, DataStructureDefinition)]
    dimensions = [c.id for c in dsd.components.dimensions]
    expected = ["REF_AREA", *(d.code_list.upper() for d in table.dimensions), "MEASURE"]
    assert dimensions == [*expected, "TIME_PERIOD"]
    for component in dsd.components.dimensions[:-1]:
        assert component.local_codes is not None and len(component.local_codes) > 0
    attributes = {c.id: c.attachment_level for c in dsd.components.attributes}
    assert attributes == {
        "OBS_STATUS": "O", "UNIT_MEASURE": "O", "YB_SYMBOL": "O",
        "SOURCE_AGENCY": "D", "EDITION": "D", "REF_YEAR_SH": "D",
    }  # fmt: skip
    status = next(c for c in dsd.components.attributes if c.id == "OBS_STATUS")
    assert status.local_codes.agency == "SDMX" and status.local_codes.id == "CL_OBS_STATUS"


def test_a_column_marked_internal_stays_out_of_the_public_snapshot(tmp_path):
    """The column rule beside the mart's row rule: the released row goes public without
    its uploader; the internal warehouse keeps it."""
    warehouse, public = tmp_path / "warehouse.duckdb", tmp_path / "public.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE TABLE marts.fct (v INT, uploader VARCHAR, is_released BOOLEAN)")
        con.execute("INSERT INTO marts.fct VALUES (1, 'demo-expert', true), (2, 'x', false)")
        con.execute("COMMENT ON COLUMN marts.fct.uploader IS 'who uploaded it'")
        con.execute("COMMENT ON COLUMN marts.fct.v IS 'the figure'")
    node = {
        "resource_type": "model", "name": "fct", "alias": "fct", "schema": "marts",
        "config": {"materialized": "table",
                   "meta": {"publish": "released", "publish_filter": "is_released"}},
        "columns": {"uploader": {"config": {"meta": {"publish": "internal"}}},
                    "v": {"config": {"meta": {}}}},
    }  # fmt: skip
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"nodes": {"model.salnameh.fct": node}}))
    _write_public(warehouse, public, mart_rules(manifest))
    with duckdb.connect(str(public), read_only=True) as con:
        rows = con.execute("SELECT * FROM marts.fct").fetchall()
        columns = [d[0] for d in con.execute("SELECT * FROM marts.fct").description]
    assert columns == ["v", "is_released"] and rows == [(1, True)]
    node["columns"]["v"]["config"]["meta"] = {"publish": "all"}
    manifest.write_text(json.dumps({"nodes": {"model.salnameh.fct": node}}))
    with pytest.raises(ValueError, match=r"fct\.v: a column's meta\.publish can only be internal"):
        mart_rules(manifest)
