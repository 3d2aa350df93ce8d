import pytest

from salnameh.reference import Reference

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def reference():
    return Reference()


def codes_in(reference, year):
    return {g.code for g in reference.geography_in(year, "county")}


def test_sixteen_counties_since_1391(reference):
    assert len(codes_in(reference, 1391)) == 16
    assert len(codes_in(reference, 1402)) == 16


def test_pardis_and_qarchak_do_not_exist_in_1390(reference):
    counties = codes_in(reference, 1390)
    assert "2320" not in counties and "2321" not in counties
    assert len(counties) == 14


def test_alborz_counties_belong_to_tehran_until_1388(reference):
    assert {"2305", "2308", "2315"} <= codes_in(reference, 1388)
    assert not {"2305", "2308", "2315"} & codes_in(reference, 1389)
    assert not {"2316", "2317", "2318", "2319"} & codes_in(reference, 1388)


def test_a_code_keeps_one_version_per_year(reference):
    for year in range(1376, 1410):
        found = [g.code for g in reference.geography_in(year)]
        assert len(found) == len(set(found)), year


def test_every_split_has_a_child_starting_that_year(reference):
    splits = [e for e in reference.lineage if e.event == "split"]
    assert {(e.year, e.from_code, e.to_code) for e in splits} >= {
        (1391, "2301", "2320"),
        (1391, "2306", "2321"),
        (1389, "2309", "2316"),
        (1389, "2309", "2317"),
        (1389, "2306", "2318"),
        (1389, "2312", "2319"),
    }
    unclean = [e for e in splits if not e.clean]
    assert [e.to_code for e in unclean] == ["2319"]  # Nasirabad moved to Robat Karim


def test_at_least_thirty_agencies_with_both_names(reference):
    assert len(reference.agencies) >= 30
    for agency in reference.agencies.values():
        assert agency.name_fa and agency.name_en
    assert {"sci", "tums", "sbmu", "iums", "education", "police", "welfare"} <= set(
        reference.agencies
    )


def test_code_lists_have_labels_and_one_total(reference):
    for list_id in ("sex", "residence", "age_group_5y", "school_level"):
        codes = reference.code_lists[list_id]
        assert sum(c.is_total for c in codes) == 1
        assert all(c.label_fa and c.label_en for c in codes)
    ages = [c.code for c in reference.code_lists["age_group_5y"] if not c.is_total]
    assert ages[:2] == ["0-4", "5-9"] and "100+" in ages
