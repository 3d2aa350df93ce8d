"""The catalog: one YAML declaration per yearbook table, the source of all behaviour.

Forms, validation, dbt tests, indicators and the print layout are all derived from it.
`salnameh.declarations` reads the declarations into plain objects, `salnameh.catalog_check`
cross-checks them against the reference seeds; this module loads the checked catalog and
refuses one with problems.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from salnameh.catalog_check import check_catalog
from salnameh.declarations import Problem, TableDecl, Text
from salnameh.reference import Reference
from salnameh.settings import CATALOG_DIR, REFERENCE_DIR


class CatalogError(Exception):
    """The catalog has problems; their list says which file and field."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(
            f"the catalog has {len(problems)} problem(s); run `salnameh catalog check`:\n"
            f"{lines}{more}"
        )


@dataclass(frozen=True)
class Catalog:
    tables: dict[str, TableDecl]
    version: str  # content hash of the declarations, stamped on forms and submissions

    def __iter__(self):
        return iter(self.tables.values())

    def __len__(self) -> int:
        return len(self.tables)

    def table(self, table_id: str) -> TableDecl:
        try:
            return self.tables[table_id]
        except KeyError:
            raise KeyError(f"no table {table_id!r} in the catalog") from None

    def tables_of(self, year: int) -> list[str]:
        """The ids of the tables a year's yearbook has, in yearbook order: what an edition
        of that year lacks when one of them is not approved."""
        return [t.id for t in self if t.published_in(year)]

    def only(self, table_ids) -> Catalog:
        """The catalog of these tables alone (same version: the declarations are the
        same files); a demo of a few tables opens its years with these."""
        return Catalog({i: self.table(i) for i in table_ids}, self.version)

    def in_words_of(self, reference: Reference) -> Catalog:
        """The catalog as the reference's province says it: `{province}` and `{centre}` in
        table titles and footnotes put in its words, and after a table's own footnotes the
        ones that hold for that province alone (reference seeds). Measure titles name no
        place: forms' headers are matched against them."""
        words, own = reference.province_words, reference.province_footnotes

        def said(text: Text) -> Text:
            return Text(*words.fill(text.fa, text.en))

        tables = {
            table_id: replace(
                t,
                title=said(t.title),
                footnotes=tuple(map(said, t.footnotes))
                + tuple(Text(fa, en) for fa, en in own.get(table_id, ())),
            )
            for table_id, t in self.tables.items()
        }
        return Catalog(tables, self.version)


def catalog_version(catalog_dir: Path = CATALOG_DIR) -> str:
    digest = hashlib.sha256()
    for path in sorted(catalog_dir.glob("*.yaml")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def load_catalog(catalog_dir: Path = CATALOG_DIR, seeds_dir: Path | None = None) -> Catalog:
    """The whole catalog, checked; raises CatalogError naming every problem. The one
    compiled at set-up when the files are those it was compiled from (catalog_compiled)."""
    from salnameh import catalog_compiled

    seeds_dir = seeds_dir or REFERENCE_DIR
    compiled = catalog_compiled.read(catalog_dir, seeds_dir)
    return compiled if compiled is not None else load_from_files(catalog_dir, seeds_dir)


def compile_catalog() -> Path:
    """Check the project's catalog from its files and store it for load_catalog (a catalog
    with problems raises CatalogError and stores nothing): `make setup` runs this."""
    from salnameh import catalog_compiled

    return catalog_compiled.write(load_from_files(CATALOG_DIR, REFERENCE_DIR))


def load_from_files(catalog_dir: Path, seeds_dir: Path) -> Catalog:
    """The whole catalog read from its files and checked against the seeds."""
    tables, problems = check_catalog(catalog_dir, seeds_dir)
    if problems:
        raise CatalogError(problems)
    ordered = sorted(tables, key=lambda t: (t.chapter, _number_key(t.number), t.id))
    return Catalog({t.id: t for t in ordered}, catalog_version(catalog_dir))


def _number_key(number: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in number.split("-"))


if __name__ == "__main__":
    import sys

    # Imported by name, so the stored objects are salnameh.catalog's, not __main__'s.
    from salnameh.catalog import CatalogError as Problems
    from salnameh.catalog import compile_catalog as compile_it

    try:
        print(f"catalog compiled: {compile_it()}")
    except Problems as problems:  # set-up goes on; commands will say what is wrong
        print(f"catalog not compiled: {problems}", file=sys.stderr)
