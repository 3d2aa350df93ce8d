"""Matching the place a row is about: SCI code or any spelling of the name, valid that year.

Counties split (Pardis from Tehran in 1391, Qarchak from Varamin in 1389), so a name is
right only for the years its county existed. A name from the wrong year is an error that
says when the county existed and where its area belonged, so the liaison can fix the file.
"""

from __future__ import annotations

from dataclasses import dataclass

from salnameh.persian import name_key
from salnameh.reference import GeoVersion, Reference

PROVINCE_CODE = "23"

# How liaisons label the province row: "کل استان", "جمع استان", "استان تهران", "جمع کل" ...
PROVINCE_LABELS = (
    "کل استان", "جمع استان", "استان", "استان تهران", "کل استان تهران", "جمع کل", "جمع", "کل",
    "مجموع", "total", "province", "tehran province", "province total",
)  # fmt: skip


@dataclass(frozen=True)
class PlaceMatch:
    code: str | None  # None: the label is not a place valid in that year
    known: bool  # the label names some place (maybe in another year)
    fa: str = ""
    en: str = ""


class Places:
    """Every spelling and code of every place, indexed once for a table's year."""

    def __init__(self, reference: Reference, geography: str, year: int) -> None:
        self.reference = reference
        self.year = year
        self.geography = geography
        self.expected = reference.table_geos(geography, year)
        self._province = {name_key(label) for label in PROVINCE_LABELS}
        self._by_key: dict[str, list[GeoVersion]] = {}
        for geo in reference.geography:
            if geo.level == "province":
                self._province |= {name_key(geo.name_fa), name_key(geo.name_en), geo.code}
                continue
            for key in (name_key(geo.name_fa), name_key(geo.name_en), geo.code):
                self._by_key.setdefault(key, []).append(geo)
        for alias, code in reference.geography_aliases.items():
            versions = [g for g in reference.geography if g.code == code]
            self._by_key.setdefault(name_key(alias), []).extend(versions)
        self._cache: dict[str, PlaceMatch] = {}

    def match(self, label: object) -> PlaceMatch:
        if isinstance(label, float) and label.is_integer():
            label = int(label)  # an SCI code typed as a number: 2301.0 from Excel
        text = str(label)
        if text not in self._cache:
            self._cache[text] = self._match(name_key(text))
        return self._cache[text]

    def _match(self, key: str) -> PlaceMatch:
        if not key:
            return PlaceMatch(None, False)
        # In a province table the row is the province however it is named ("تهران" too).
        if key in self._province or (
            self.geography == "province" and key in {name_key("تهران"), "tehran"}
        ):
            return PlaceMatch(PROVINCE_CODE, True)
        versions = self._by_key.get(key, [])
        if not versions:
            return PlaceMatch(None, False)
        valid = [g for g in versions if g.valid_in(self.year)]
        if valid and self.geography == "county":
            return PlaceMatch(valid[0].code, True)
        if valid:  # a county in a province-level table
            geo = valid[0]
            return PlaceMatch(
                None, True,
                f"جدول در سطح استان است و ردیف شهرستان «{geo.name_fa}» در آن جایی ندارد.",
                f"This table is for the province as a whole; the county row "
                f"'{geo.name_en}' does not belong in it.",
            )  # fmt: skip
        return self._wrong_year(versions[0])

    def _wrong_year(self, geo: GeoVersion) -> PlaceMatch:
        """The county exists, but not in this year: say when it did and where it belonged."""
        spans = [g for g in self.reference.geography if g.code == geo.code]
        first = min((g.valid_from for g in spans if g.valid_from), default=None)
        last = max((g.valid_to for g in spans if g.valid_to), default=None)
        if first is not None and self.year < first:
            parent = next(
                (e.from_code for e in self.reference.lineage
                 if e.to_code == geo.code and e.year == first),
                None,
            )  # fmt: skip
            parent_geo = next(
                (g for g in self.reference.geography if g.code == parent and g.valid_in(self.year)),
                None,
            )
            where_fa = f" و محدوده آن جزو شهرستان {parent_geo.name_fa} بود" if parent_geo else ""
            where_en = f"; its area was part of {parent_geo.name_en} county" if parent_geo else ""
            return PlaceMatch(
                None, True,
                f"شهرستان {geo.name_fa} ({geo.code}) از سال {first} تشکیل شده است؛ در سال "
                f"{self.year} وجود نداشت{where_fa}. ارقام آن را در همان شهرستان گزارش کنید.",
                f"{geo.name_en} county ({geo.code}) exists from {first}; in {self.year} it "
                f"did not exist yet{where_en}. Report its figures under that county.",
            )  # fmt: skip
        return PlaceMatch(
            None, True,
            f"شهرستان {geo.name_fa} ({geo.code}) پس از سال {last} در تقسیمات کشوری نیست.",
            f"{geo.name_en} county ({geo.code}) is not a county of Tehran province after "
            f"{last}; in {self.year} it belongs to Alborz province or was merged.",
        )  # fmt: skip

    def names(self, code: str) -> tuple[str, str]:
        """(Persian, English) name of a place expected in this year."""
        if code == PROVINCE_CODE:
            return "کل استان", "Province total"
        geo = next(g for g in self.expected if g.code == code)
        return geo.name_fa, geo.name_en
