"""The province is configuration: a home records it, the reference seeds describe it.

No code of the product may name Tehran (23, its 23xx counties, «تهران») as a constant;
the one statement of the default installation is `salnameh.settings.DEFAULT_PROVINCE`.
A home made for another province (Gilan, 01, in a seeds folder that holds it) sees only
that province's geography, and its places match by that province's names.
"""

from __future__ import annotations

import ast
import csv
import json
import re
from pathlib import Path

import pytest
import yaml

from ingestion.places import Places
from salnameh.installation import InstallationRefused, initialise
from salnameh.reference import Reference
from salnameh.settings import DBT_PROJECT_DIR, DEFAULT_PROVINCE, PROJECT_ROOT, home
from tests.conftest import run_salnameh

SCANNED = ("salnameh", "app", "ingestion", "publishing", "dashboards", "orchestration",
           "dbt_project/models", "dbt_project/macros")  # fmt: skip
# The default installation's one statement.
ALLOWED = {("salnameh/settings.py", 'DEFAULT_PROVINCE = "23"')}
# Iran's time zone is named after its capital: a clock, not a place of the yearbook.
NOT_A_PLACE = re.compile(r"Asia/Tehran|Tehran time")

TEHRAN = re.compile(r"^23$|(?<!\d)23\d\d(?!\d)|تهران|tehran", re.IGNORECASE)


def _python_strings(path: Path) -> list[tuple[int, str]]:
    """Every string literal of a module with its line, docstrings and the comments of SQL
    held in strings left out (prose)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [
        (node.lineno, re.sub(r"--[^\n]*", "", node.value))
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        and id(node) not in docstrings
    ]  # fmt: skip


def _sql_strings(path: Path) -> list[tuple[int, str]]:
    """Every quoted literal of a SQL file with its line, comments left out."""
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        code = re.sub(r"--.*$", "", line)
        found += [(number, text) for text in re.findall(r"'([^']*)'", code)]
    return found


def province_constants() -> list[str]:
    hits = []
    for folder in SCANNED:
        for path in sorted((PROJECT_ROOT / folder).rglob("*")):
            relative = path.relative_to(PROJECT_ROOT).as_posix()
            if path.suffix == ".py":
                strings = _python_strings(path)
            elif path.suffix == ".sql":
                strings = _sql_strings(path)
            else:
                continue
            lines = path.read_text(encoding="utf-8").splitlines()
            for number, text in strings:
                if not TEHRAN.search(NOT_A_PLACE.sub("", text).strip()):
                    continue
                line = lines[number - 1].strip()
                if (relative, line) in ALLOWED:
                    continue
                hits.append(f"{relative}:{number}: {line}")
    return hits


def test_no_code_names_tehran_but_the_default_installation():
    hits = province_constants()
    assert not hits, "a province constant in code (take it from the home's Reference):\n" + (
        "\n".join(hits)
    )


def test_the_scanner_finds_a_planted_constant(tmp_path: Path):
    planted = tmp_path / "planted.py"
    planted.write_text('"""Tehran in prose is fine."""\nCODE = "23"\nNAME = "شهرستان تهران"\n')
    assert [n for n, t in _python_strings(planted) if TEHRAN.search(t)] == [2, 3]
    sql = tmp_path / "planted.sql"
    sql.write_text("-- '23' in a comment is fine\nselect * from g where code = '2301'\n")
    assert [n for n, t in _sql_strings(sql) if TEHRAN.search(t)] == [2]


def test_dbt_default_province_is_the_settings_default():
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    assert project["vars"]["province"] == DEFAULT_PROVINCE


# ------------------------------------------------------------------ another province

# Three real Gilan counties, as the SCI 1395 census names and codes them
# (data/census/national/iran_census1395_pop_by_province_county_sex_agegroup.csv).
GILAN = [
    {"code": "01", "level": "province", "parent_code": "", "name_fa": "استان گیلان",
     "name_en": "Gilan Province"},
    {"code": "0101", "level": "county", "parent_code": "01", "name_fa": "آستارا",
     "name_en": "Astara"},
    {"code": "0105", "level": "county", "parent_code": "01", "name_fa": "رشت",
     "name_en": "Rasht"},
    {"code": "0107", "level": "county", "parent_code": "01", "name_fa": "رودسر",
     "name_en": "Rudsar"},
]  # fmt: skip


@pytest.fixture
def gilan_seeds(seeds_copy: Path) -> Path:
    """A seeds folder holding Gilan besides Tehran (the national seed holds it already)."""
    path = seeds_copy / "geography.csv"
    if "01" not in Reference(seeds_copy).provinces:
        with path.open(encoding="utf-8", newline="") as handle:
            fields = next(csv.reader(handle))
        with path.open("a", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
            for row in GILAN:
                writer.writerow({"valid_from": "", "valid_to": "", "note": "", **row})
    return seeds_copy


def test_a_gilan_home_reports_01_and_sees_only_gilan(tmp_path: Path, gilan_seeds: Path):
    gilan_home = initialise(home(tmp_path / "gilan"), "01", Reference(gilan_seeds))
    assert home(tmp_path / "gilan").province == "01"
    reference = Reference.for_home(gilan_home, gilan_seeds)
    codes = {g.code for g in reference.geography}
    assert "01" in codes and {"0101", "0105", "0107"} <= codes
    assert all(c == "01" or (len(c) == 4 and c.startswith("01")) for c in codes)
    assert all(e.from_code in codes or e.to_code in codes for e in reference.lineage)
    assert set(reference.geography_aliases.values()) <= codes
    assert {"01", DEFAULT_PROVINCE} <= set(reference.provinces)  # every province, listed
    assert reference.provinces["01"].name_en == "Gilan Province"


def test_a_home_without_installation_file_is_the_default_installation(tmp_path: Path):
    old = home(tmp_path / "old")
    old.create()
    assert old.province == DEFAULT_PROVINCE
    assert Reference.for_home(old).province == DEFAULT_PROVINCE


def test_places_match_the_province_row_by_its_own_names(gilan_seeds: Path):
    reference = Reference(gilan_seeds, province="01")
    county_table = Places(reference, "county", 1395)
    for label in ("کل استان", "استان گیلان", "کل استان گیلان", "Gilan Province", "جمع کل"):
        assert county_table.match(label).code == "01", label
    assert county_table.match("رشت").code == "0105"
    assert county_table.match("استان تهران").code is None  # another province's name
    assert county_table.match("دماوند").code is None  # a Tehran county is unknown here
    assert Places(reference, "province", 1395).match("گیلان").code == "01"


def test_init_records_the_province_and_keeps_it(tmp_path: Path):
    root = tmp_path / "home"
    done = run_salnameh("init", home=root)
    assert done.returncode == 0, done.stderr
    recorded = json.loads((root / "installation.json").read_text(encoding="utf-8"))
    assert recorded == {"province": DEFAULT_PROVINCE}
    again = run_salnameh("init", home=root)  # without --province: the home keeps its own
    assert again.returncode == 0, again.stderr


@pytest.mark.parametrize("code", ["99", "31", "1", "ab", "023"])
def test_init_refuses_a_code_that_is_no_province(tmp_path: Path, code: str):
    done = run_salnameh("init", "--province", code, home=tmp_path / "home")
    assert done.returncode == 2
    assert "00 to 30" in done.stderr and "کد استان" in done.stderr
    assert not (tmp_path / "home" / "installation.json").exists()


def test_init_refuses_to_switch_a_home_to_another_province(tmp_path: Path, gilan_seeds):
    root = tmp_path / "home"
    assert run_salnameh("init", home=root).returncode == 0
    done = run_salnameh("init", "--province", "01", home=root)
    assert done.returncode == 2
    assert "cannot change to province 01" in done.stderr and "استان" in done.stderr
    assert home(root).province == DEFAULT_PROVINCE
    # A home made before homes recorded their province, with a ledger: province 23's data.
    legacy = home(tmp_path / "legacy")
    legacy.create()
    legacy.ledger_path.write_bytes(b"")
    with pytest.raises(InstallationRefused, match="belongs to province 23"):
        initialise(legacy, "01", Reference(gilan_seeds))
    assert not legacy.installation_path.exists()


@pytest.mark.skipif(
    "01" not in Reference().provinces, reason="the national seed does not hold Gilan yet"
)
def test_init_province_01_from_the_command_line(tmp_path: Path):
    root = tmp_path / "gilan"
    done = run_salnameh("init", "--province", "01", home=root)
    assert done.returncode == 0, done.stderr
    assert "province 01" in done.stdout
    reference = Reference.for_home(home(root))
    assert {g.code[:2] for g in reference.geography} == {"01"}


def test_the_demo_refuses_a_province_other_than_the_homes(tmp_path: Path, gilan_seeds: Path):
    root = tmp_path / "gilan"
    initialise(home(root), "01", Reference(gilan_seeds))
    done = run_salnameh("demo", "--province", "25", "--years", "1395", home=root)
    assert done.returncode == 2
    assert "belongs to province 01 and cannot change to province 25" in done.stderr
    assert not (root / "demo").exists()


def test_dbt_is_given_the_homes_province(tmp_path: Path, gilan_seeds: Path):
    from salnameh.warehouse import dbt_vars

    root = tmp_path / "gilan"
    initialise(home(root), "01", Reference(gilan_seeds))
    assert dbt_vars(home(root)) == {"province": "01"}
    assert dbt_vars(home(tmp_path / "new")) == {"province": DEFAULT_PROVINCE}
