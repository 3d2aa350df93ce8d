"""Matching the place a row is about: SCI code or any spelling of the name, valid that year.

Counties split (Pardis from Tehran in 1391, Qarchak from Varamin in 1389), so a name is
right only for the years its county existed. A name from the wrong year is an error that
says when the county existed and where its area belonged, so the liaison can fix the file.
"""

from __future__ import annotations

from dataclasses import dataclass

from salnameh.persian import name_key
from salnameh.reference import GeoVersion, Province, Reference

# How liaisons label the province row whatever the province: "کل استان", "جمع کل" ...
GENERIC_PROVINCE_LABELS = (
    "کل استان", "جمع استان", "استان", "جمع کل", "جمع", "کل", "مجموع",
    "total", "province", "province total",
)  # fmt: skip


def bare_names(province: Province) -> tuple[str, str]:
    """The province's name without «استان» or "province": («گیلان», "Gilan")."""
    return province.short_fa, province.short_en


def province_labels(province: Province) -> set[str]:
    """Keys of every way a row names the province as a whole: the generic labels and its
    own names with «استان»/"province" («استان گیلان», «کل استان گیلان», "Gilan province")."""
    fa, en = bare_names(province)
    labels = [*GENERIC_PROVINCE_LABELS, province.name_fa, province.name_en, province.code]
    if fa:
        labels += [f"استان {fa}", f"کل استان {fa}", f"جمع استان {fa}"]
    if en:
        labels += [f"{en} province", f"province of {en}", f"{en} province total"]
    return {name_key(label) for label in labels if label}


@dataclass(frozen=True)
class PlaceMatch:
    code: str | None  # None: the label is not a place valid in that year
    known: bool  # the label names some place (maybe in another year)
    fa: str = ""
    en: str = ""


class Places:
    """Every spelling and code of every place of the reference's province, indexed once
    for a table's year."""

    def __init__(self, reference: Reference, geography: str, year: int) -> None:
        self.reference = reference
        self.province = reference.province_names
        self.province_code = reference.province
        self.year = year
        self.geography = geography
        self.expected = reference.table_geos(geography, year)
        self._province = province_labels(self.province)
        # In a province table the row is the province however it is named: its bare name
        # too («تهران» there is the province, in a county table the county).
        self._bare = {name_key(name) for name in bare_names(self.province) if name}
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
        if key in self._province or (self.geography == "province" and key in self._bare):
            return PlaceMatch(self.province_code, True)
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
        where_fa, where_en = self._went_to(geo.code)
        province_fa, province_en = bare_names(self.province)
        return PlaceMatch(
            None, True,
            f"شهرستان {geo.name_fa} ({geo.code}) پس از سال {last} در تقسیمات کشوری "
            f"استان {province_fa} نیست{where_fa}.",
            f"{geo.name_en} county ({geo.code}) is not a county of {province_en} province "
            f"after {last}; in {self.year} it {where_en}.",
        )  # fmt: skip

    def _went_to(self, code: str) -> tuple[str, str]:
        """Where a county that left the province is in the table's year, as far as the
        seeds say: its version then (under its own code or the code its departure gave it)
        in another province, else the note of its departure."""
        departure = next(
            (e for e in self.reference.lineage
             if e.from_code == code and e.event in ("leave_province", "move_province")),
            None,
        )  # fmt: skip
        codes = {code, departure.to_code} if departure else {code}
        elsewhere = next(
            (g for g in self.reference.all_geography
             if g.code in codes and g.level == "county" and g.valid_in(self.year)
             and g.parent_code != self.province_code),
            None,
        )  # fmt: skip
        there = self.reference.provinces.get(elsewhere.parent_code) if elsewhere else None
        if there is not None:
            fa, en = bare_names(there)
            return f" و در سال {self.year} جزو استان {fa} است", f"belongs to {en} province"
        if departure is not None and departure.note:
            return "", f"belongs to another province or was merged ({departure.note})"
        return "", "belongs to another province or was merged"

    def names(self, code: str) -> tuple[str, str]:
        """(Persian, English) name of a place expected in this year."""
        if code == self.province_code:
            return "کل استان", "Province total"
        geo = next(g for g in self.expected if g.code == code)
        return geo.name_fa, geo.name_en
