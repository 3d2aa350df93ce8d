"""dbt on a temporary warehouse: the reference seeds load and their tests run for real."""

import duckdb
import pytest

from salnameh.settings import home
from salnameh.warehouse import BuildError, build_warehouse

pytestmark = pytest.mark.integration


def test_build_loads_reference_seeds_with_their_types(tmp_path):
    salnameh_home = home(tmp_path / "home")
    result = build_warehouse(salnameh_home)
    assert result.failed == [] and result.passed >= 20
    with duckdb.connect(str(salnameh_home.warehouse_path), read_only=True) as con:
        counties_1390, tehrans = con.execute(
            "select count(*), count(*) filter (where parent_code = '23')"
            " from reference.geography where level = 'county'"
            " and coalesce(valid_from, 0) <= ? and coalesce(valid_to, 9999) >= ?",
            [1390, 1390],
        ).fetchone()
        gilan_first = con.execute(
            "select min(code) from reference.geography where parent_code = '01'"
        ).fetchone()[0]
        code_type = con.execute(
            "select data_type from information_schema.columns "
            "where table_schema = 'reference' and table_name = 'geography' and column_name = 'code'"
        ).fetchone()[0]
    # The seed is the nation's (397 counties in the 1390 census), Tehran's 14 among them.
    assert (counties_1390, tehrans) == (397, 14)
    assert code_type == "VARCHAR" and gilan_first == "0101"  # codes keep leading zeros


def test_a_broken_seed_fails_the_build(tmp_path, monkeypatch):
    import salnameh.warehouse as warehouse

    project = tmp_path / "dbt_project"
    import shutil

    shutil.copytree(
        warehouse.DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs")
    )
    seeds = tmp_path / "seeds" / "reference"
    shutil.copytree(warehouse.DBT_PROJECT_DIR.parent / "seeds" / "reference", seeds)
    with (seeds / "chapters.csv").open("a", encoding="utf-8") as handle:
        handle.write("3,تکراری,Duplicate chapter\n")
    monkeypatch.setattr(warehouse, "DBT_PROJECT_DIR", project)
    with pytest.raises(BuildError, match="unique_chapters_chapter_no"):
        build_warehouse(home(tmp_path / "home"))
