"""The agreement with SCI, measured: SCI's timetable and the targets from their seeds, each
commitment judged from the ledger's evidence, the report for SCI and who may read it."""

import datetime as dt
from pathlib import Path

import pytest

from salnameh.access import Actor, Forbidden
from salnameh.agreement import AgreementError, measure, timetable
from salnameh.collection import extend_deadline, open_year
from salnameh.ledger import Ledger
from salnameh.reference import Reference
from salnameh.settings import home
from salnameh.users import Users

COORDINATOR = Actor("coord", "coordinator")
ANALYST = Actor("analyst", "analyst")
POST = Actor("post-liaison", "liaison", "post")


@pytest.mark.unit
def test_the_timetable_comes_from_its_seed_and_a_year_may_have_its_own_dates(seeds_copy):
    general = timetable(1401, seeds_copy)
    assert general["collection_by"] == dt.date(2023, 12, 21)  # 30 Azar 1402
    assert general["print_by"] == dt.date(2024, 3, 15)  # 25 Esfand 1402
    with (seeds_copy / "sci_timetable.csv").open("a", encoding="utf-8") as handle:
        handle.write("1401,collection_by,10,15,SCI's circular moved it for 1401\n")
    assert timetable(1401, seeds_copy)["collection_by"] == dt.date(2024, 1, 5)  # 15 Dey 1402
    assert timetable(1400, seeds_copy)["collection_by"] == dt.date(2022, 12, 21)  # 30 Azar 1401
    with (seeds_copy / "sci_timetable.csv").open("a", encoding="utf-8") as handle:
        handle.write("1401,publish_by,10,15,a milestone nobody knows\n")
    with pytest.raises(AgreementError, match=r"sci_timetable.csv row 9: milestone 'publish_by'"):
        timetable(1401, seeds_copy)


@pytest.fixture
def cycle(tmp_path, catalog):
    salnameh_home = home(tmp_path / "home").create()
    ledger = Ledger(salnameh_home.ledger_path)
    users = Users(ledger)
    users.add(None, "coord", "C", "coordinator", "a long password")
    users.add(COORDINATOR, "analyst", "A", "analyst", "a long password")
    users.add(COORDINATOR, "post-liaison", "P", "liaison", "a long password", "post")
    return salnameh_home, ledger, catalog, Reference()


@pytest.mark.integration
def test_each_commitment_is_judged_against_its_target_and_sci_date(cycle):
    salnameh_home, ledger, catalog, reference = cycle
    open_year(salnameh_home, ledger, catalog, reference, 1392, COORDINATOR)
    with pytest.raises(Forbidden):
        measure(ledger, 1392, POST)
    report = measure(ledger, 1392, ANALYST)
    by = {m["measure"]: m for m in report["measures"]}
    assert report["timetable"]["referrals_by"] == "2014-06-05"  # 15 Khordad 1393
    # Every table was referred, but in 1405, long after SCI's date: not met at the date.
    assert by["referrals_sent"]["value_to_date"] == 1 and by["referrals_sent"]["value"] == 0
    assert by["referrals_sent"]["state"] == "not_met"
    # One agency of them has a liaison.
    agencies = report["agencies"]
    assert by["agencies_designated"]["value_to_date"] == pytest.approx(1 / agencies)
    # Nothing published: late by every day since the date; no review yet: no data.
    assert by["electronic_publication"]["state"] == "not_met"
    assert by["electronic_publication"]["value"] > 4000
    assert by["review_turnaround_days"]["state"] == "no_data"
    assert report["not_met"] >= 5 and report["extensions"] == []
    # Before SCI's date, a commitment not yet kept is pending, not failed.
    early = measure(ledger, 1392, COORDINATOR, today=dt.date(2014, 5, 1))
    assert {m["measure"]: m["state"] for m in early["measures"]}["collection"] == "pending"
    extend_deadline(ledger, 1392, "post_units_county", dt.date(2014, 9, 1), "asked",
                    COORDINATOR)  # fmt: skip
    extended = measure(ledger, 1392)["extensions"]
    assert [(x["table_id"], x["until"]) for x in extended] == [("post_units_county", "2014-09-01")]


@pytest.mark.integration
def test_sla_reports_the_demo_year_against_its_targets_with_the_report_for_sci(
    demo_home, tmp_path, monkeypatch
):
    import json

    import openpyxl

    from tests.conftest import copy_home, run_salnameh
    from tests.test_collection import pdf_text
    from tests.test_portal_browser import demo_password

    root = copy_home(demo_home.root, tmp_path / "home")
    monkeypatch.setenv("SALNAMEH_PASSWORD", demo_password(root, "demo-coordinator"))
    extended = run_salnameh("extend", "rural_housing_county", "1401", "--until", "۱۴۰۵/۱۲/۲۰",
                            "--reason", "asked by letter", "--as", "demo-coordinator",
                            home=root)  # fmt: skip
    assert extended.returncode == 0, extended.stderr
    monkeypatch.setenv("SALNAMEH_PASSWORD", demo_password(root, "demo-expert"))
    refused = run_salnameh("extend", "rural_housing_county", "1401", "--until", "1405/12/25",
                           "--reason", "no", "--as", "demo-expert", home=root)  # fmt: skip
    assert refused.returncode == 3 and "تمدید مهلت جدول" in refused.stderr
    done = run_salnameh("sla", "--year", "1401", "--json", "--out", str(tmp_path / "sci"),
                        home=root)  # fmt: skip
    assert done.returncode == 1, done.stderr  # the demo's years are all late: not met
    report = json.loads(done.stdout)
    with (Path(__file__).parents[1] / "seeds/reference/agreement_targets.csv").open() as f:
        seeded = [line.split(",")[0] for line in f.read().splitlines()[1:]]
    assert [m["measure"] for m in report["measures"]] == seeded
    assert all(m["state"] in ("met", "not_met", "pending", "no_data") for m in report["measures"])
    assert [x["table_id"] for x in report["extensions"]] == ["rural_housing_county"]
    pdf, xlsx = (Path(p) for p in report["files"])
    sheet = openpyxl.load_workbook(xlsx).worksheets[0]
    assert sheet.sheet_view.rightToLeft and sheet.max_row == len(seeded) + 1
    assert "گزارش سنجش تفاهم" in pdf_text(pdf) and "asked by letter" in pdf_text(pdf)
    # The extension moves what the status counts from.
    status = run_salnameh("status", "--year", "1401", "--agency", "housing_foundation",
                          home=root)  # fmt: skip
    assert "extended to 2027-03-11" in status.stdout, status.stdout
