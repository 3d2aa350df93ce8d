"""Reference data from the CSV seeds: chapters, agencies, units, code lists and geography.

These are the same files dbt loads as seeds; Python reads them here so the catalog check,
ingestion and the demo generator agree with the warehouse on every code.

The geography seeds hold every province; a Reference sees one, the installation's: its
province row, the counties it held in each span, the lineage touching them and their
aliases. `Reference.for_home(home)` is the home's; `Reference.provinces` lists them all.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from salnameh.settings import DEFAULT_PROVINCE, NATIONAL, REFERENCE_DIR, Home


@dataclass(frozen=True)
class Chapter:
    number: int
    title_fa: str
    title_en: str


@dataclass(frozen=True)
class Agency:
    agency_id: str
    name_fa: str
    name_en: str
    kind: str


@dataclass(frozen=True)
class Unit:
    unit: str
    title_fa: str
    title_en: str
    additive: bool


@dataclass(frozen=True)
class Code:
    list_id: str
    code: str
    sort_order: int
    label_fa: str
    label_en: str
    is_total: bool


@dataclass(frozen=True)
class GeoVersion:
    """One county or the province with one boundary, valid for a span of Jalali years.

    SCI codes outlive boundaries (Varamin kept 2306 through two splits), so a place is
    identified by its code together with its validity, never by its name.
    """

    code: str
    valid_from: int | None  # None: existed before the earliest year the seed records
    valid_to: int | None  # None: still valid
    level: str
    parent_code: str
    name_fa: str
    name_en: str
    note: str

    def valid_in(self, year: int) -> bool:
        starts = self.valid_from is None or self.valid_from <= year
        ends = self.valid_to is None or year <= self.valid_to
        return starts and ends


@dataclass(frozen=True)
class Province:
    code: str  # SCI's 2-digit code
    name_fa: str  # the latest name: «استان گیلان», "Gilan Province"
    name_en: str

    @property
    def short_fa(self) -> str:
        """The name without «استان»: «گیلان»."""
        return self.name_fa.removeprefix("استان").strip()

    @property
    def short_en(self) -> str:
        """The name without "Province": "Gilan"."""
        name = self.name_en.strip()
        for prefix in ("province of ", "province "):
            if name.lower().startswith(prefix):
                name = name[len(prefix) :]
        if name.lower().endswith(" province"):
            name = name[: -len(" province")]
        return name.strip()

    @property
    def title_fa(self) -> str:
        """«استان گیلان», however the seed writes the name."""
        return f"استان {self.short_fa}" if self.short_fa else "استان"


@dataclass(frozen=True)
class LineageEvent:
    year: int
    event: str  # split, leave_province, move_province, rename
    from_code: str
    to_code: str
    clean: bool
    note: str
    source: str = ""


# Phrases of an agency's name that name its province (Persian, English): the province's
# directorate, governorate, university of medical sciences, regional companies and
# regions (oil products, railway), and its broadcasting centre.
PROVINCIAL_NAMES = (
    ("استان {}", "استانداری {}", "علوم پزشکی {}", "منطقه‌ای {}", "منطقه {}", "مرکز {}"),
    ("{} Province", "{} Governorate", "{} University of Medical Sciences", "{} Regional",
     "{} Region", "{} Railway Region", "{} Centre"),
)  # fmt: skip
# Phrases that name the province's centre city: its municipality and urban railway.
CENTRE_NAMES = (("شهرداری {}", "شهری {} و حومه"), ("{} Municipality", "{} Urban and Suburban"))


# The words a catalog title or footnote may leave to the province (`{province}`: «استان
# گیلان», "Gilan Province"; `{centre}`: its centre city, «رشت», "Rasht"): one catalog for
# every province, each home's yearbook in its own names.
PLACEHOLDERS = ("{province}", "{centre}")


@dataclass(frozen=True)
class ProvinceWords:
    """What the placeholders say in one installation, Persian and English."""

    province_fa: str
    province_en: str
    centre_fa: str
    centre_en: str

    def fill(self, fa: str, en: str) -> tuple[str, str]:
        for placeholder, (word_fa, word_en) in zip(
            PLACEHOLDERS,
            ((self.province_fa, self.province_en), (self.centre_fa, self.centre_en)),
            strict=True,
        ):
            fa, en = fa.replace(placeholder, word_fa), en.replace(placeholder, word_en)
        return fa, en


# On SCI's hub a table holds every province: its title speaks of each one's.
NATIONAL_WORDS = ProvinceWords("هر استان", "each province", "مرکز استان", "the province centre")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _optional_year(text: str) -> int | None:
    return int(text) if text.strip() else None


class Reference:
    """The reference seeds of one seeds folder as one province sees them, read once."""

    def __init__(self, seeds_dir: Path = REFERENCE_DIR, province: str = DEFAULT_PROVINCE):
        self.seeds_dir = seeds_dir
        self.province = province

    @classmethod
    def for_home(cls, home: Home, seeds_dir: Path = REFERENCE_DIR) -> Reference:
        """The reference of the province the home serves."""
        return cls(seeds_dir, home.province)

    @cached_property
    def chapters(self) -> dict[int, Chapter]:
        rows = read_csv(self.seeds_dir / "chapters.csv")
        return {
            int(r["chapter_no"]): Chapter(int(r["chapter_no"]), r["title_fa"], r["title_en"])
            for r in rows
        }

    @cached_property
    def agencies(self) -> dict[str, Agency]:
        """The agencies by id, named for this province: the seed names the provincial ones
        after the default installation's province («اداره کل ... استان تهران»), and another
        province's reference puts its own name in those phrases (PROVINCIAL_NAMES) and its
        centre's in the city's (CENTRE_NAMES); a national body («بورس اوراق بهادار تهران»,
        the University of Tehran's geophysics institute) keeps its name."""
        seeded = self.provinces.get(DEFAULT_PROVINCE)
        own = self.provinces.get(self.province)
        renames = []
        if seeded and own and own.code != seeded.code and own.short_fa and own.short_en:
            centre = self.province_words
            seeded_centre = Reference(self.seeds_dir, DEFAULT_PROVINCE).province_words
            for phrases, old, new in (
                (PROVINCIAL_NAMES[0], seeded.short_fa, own.short_fa),
                (PROVINCIAL_NAMES[1], seeded.short_en, own.short_en),
                (CENTRE_NAMES[0], seeded_centre.centre_fa, centre.centre_fa),
                (CENTRE_NAMES[1], seeded_centre.centre_en, centre.centre_en),
            ):
                renames += [(phrase.format(old), phrase.format(new)) for phrase in phrases]

        def named(text: str) -> str:
            for old, new in renames:
                text = text.replace(old, new)
            return text

        rows = read_csv(self.seeds_dir / "agencies.csv")
        return {
            r["agency_id"]: Agency(
                r["agency_id"], named(r["name_fa"]), named(r["name_en"]), r["kind"]
            )
            for r in rows
        }

    @cached_property
    def province_words(self) -> ProvinceWords:
        """The placeholders' words for this province (the hub's general ones on the hub)."""
        own = self.provinces.get(self.province)
        centres = {r["province_code"]: r for r in read_csv(self.seeds_dir / "province_centres.csv")}
        if self.province == NATIONAL or own is None or self.province not in centres:
            return NATIONAL_WORDS
        centre = centres[self.province]
        return ProvinceWords(own.name_fa, own.name_en, centre["centre_fa"], centre["centre_en"])

    @cached_property
    def province_footnotes(self) -> dict[str, list[tuple[str, str]]]:
        """Footnotes that hold for one province only (province_footnotes.csv), by table:
        this province's; on the hub every province's, each led by the province's name."""
        found: dict[str, list[tuple[str, str]]] = {}
        for r in read_csv(self.seeds_dir / "province_footnotes.csv"):
            fa, en = r["footnote_fa"], r["footnote_en"]
            if self.province == NATIONAL:
                names = self.provinces[r["province_code"]]
                fa, en = f"{names.name_fa}: {fa}", f"{names.name_en}: {en}"
            elif r["province_code"] != self.province:
                continue
            found.setdefault(r["table_id"], []).append((fa, en))
        return found

    @cached_property
    def units(self) -> dict[str, Unit]:
        rows = read_csv(self.seeds_dir / "units.csv")
        return {
            r["unit"]: Unit(r["unit"], r["title_fa"], r["title_en"], r["additive"] == "true")
            for r in rows
        }

    @cached_property
    def code_lists(self) -> dict[str, list[Code]]:
        lists: dict[str, list[Code]] = {}
        for r in read_csv(self.seeds_dir / "codes.csv"):
            code = Code(
                r["list_id"],
                r["code"],
                int(r["sort_order"]),
                r["label_fa"],
                r["label_en"],
                r["is_total"] == "true",
            )
            lists.setdefault(code.list_id, []).append(code)
        for codes in lists.values():
            codes.sort(key=lambda c: c.sort_order)
        return lists

    @cached_property
    def code_list_titles(self) -> dict[str, tuple[str, str]]:
        """list_id -> (Persian, English) title, used as the dimension's column header."""
        rows = read_csv(self.seeds_dir / "code_lists.csv")
        return {r["list_id"]: (r["title_fa"], r["title_en"]) for r in rows}

    @cached_property
    def all_geography(self) -> list[GeoVersion]:
        """Every province's places, for questions across provinces (where a county went)."""
        return [
            GeoVersion(
                code=r["code"],
                valid_from=_optional_year(r["valid_from"]),
                valid_to=_optional_year(r["valid_to"]),
                level=r["level"],
                parent_code=r["parent_code"],
                name_fa=r["name_fa"],
                name_en=r["name_en"],
                note=r["note"],
            )
            for r in read_csv(self.seeds_dir / "geography.csv")
        ]

    @cached_property
    def provinces(self) -> dict[str, Province]:
        """Every province in the seed by code, named as in its latest version."""
        found: dict[str, GeoVersion] = {}
        for geo in self.all_geography:
            if geo.level != "province":
                continue
            held = found.get(geo.code)
            if held is None or (held.valid_from or 0) <= (geo.valid_from or 0):
                found[geo.code] = geo
        return {
            code: Province(code, geo.name_fa, geo.name_en) for code, geo in sorted(found.items())
        }

    @property
    def province_names(self) -> Province:
        """This reference's province (its code alone if the seed does not know it)."""
        return self.provinces.get(self.province, Province(self.province, "", ""))

    @cached_property
    def geography(self) -> list[GeoVersion]:
        """The province's rows and the rows of the counties while the province held them."""
        return [
            g
            for g in self.all_geography
            if (g.level == "province" and g.code == self.province)
            or (g.level == "county" and g.parent_code == self.province)
        ]

    @cached_property
    def geography_codes(self) -> frozenset[str]:
        return frozenset(g.code for g in self.geography)

    @cached_property
    def geography_aliases(self) -> dict[str, str]:
        """Other spellings of the province's county names -> SCI code (another province
        may use the same spelling for one of its own counties)."""
        rows = read_csv(self.seeds_dir / "geography_aliases.csv")
        return {r["alias"]: r["code"] for r in rows if r["code"] in self.geography_codes}

    @cached_property
    def all_lineage(self) -> list[LineageEvent]:
        return [
            LineageEvent(
                year=int(r["year"]),
                event=r["event"],
                from_code=r["from_code"],
                to_code=r["to_code"],
                clean=r["clean"] == "true",
                note=r["note"],
                source=r.get("source") or "",
            )
            for r in read_csv(self.seeds_dir / "geography_lineage.csv")
        ]

    @cached_property
    def lineage(self) -> list[LineageEvent]:
        """Events touching the province's places (a county that left or came in too)."""
        codes = self.geography_codes
        return [e for e in self.all_lineage if e.from_code in codes or e.to_code in codes]

    def total_code(self, list_id: str) -> str | None:
        """The code of a list's 'all members' entry (جمع), if it has one."""
        return next((c.code for c in self.code_lists[list_id] if c.is_total), None)

    def members(self, code_list: str, only: tuple[str, ...] | None = None) -> list[Code]:
        """A dimension's codes in declared order: the listed members, or the whole list."""
        codes = self.code_lists[code_list]
        if only is None:
            return list(codes)
        by_code = {c.code: c for c in codes}
        return [by_code[m] for m in only]

    def table_geos(self, geography: str, year: int) -> list[GeoVersion]:
        """The places a table of this geography level reports in a year, province first."""
        return self.geography_in(year, None if geography == "county" else "province")

    def geography_in(self, year: int, level: str | None = None) -> list[GeoVersion]:
        """Places valid in a Jalali year, province first, then counties by code."""
        found = [g for g in self.geography if g.valid_in(year)]
        if level is not None:
            found = [g for g in found if g.level == level]
        return sorted(found, key=lambda g: (g.level != "province", g.code))
