"""SDMX for an edition: SDMX-CSV 2.0 data and an SDMX-ML 3.0 structure message per table.

Each table is a dataflow `YB_<TABLE>` of the province's planning organisation (the SDMX
agency `IR_<PROVINCE>_MPO`). `sdmx/<table>.xml` is a whole structure message for it: the
code lists of its dimensions and attributes, the concept scheme, the data structure
definition and the dataflow, so that any SDMX tool can read `sdmx/<table>.csv` with it and
nothing else. Everything but the table's own measures, DSD and dataflow is the same in
every message that holds it (a code list always whole, one concept scheme of every
concept), so two messages never disagree about an artefact of the same id and version.

A cell's yearbook symbol travels twice: as SDMX's observation status (OBS_STATUS, codes
of SDMX's own CL_OBS_STATUS, so any SDMX reader understands it) and as YB_SYMBOL, our own
code list, because SDMX has one code (M) for both × and ××. The mapping is stated once,
in `OBS_STATUS` below; the structure message carries it as an annotation on each
YB_SYMBOL code, and docs/decisions.md explains it.

Time is Gregorian in SDMX: TIME_PERIOD is the Jalali year as its exact span of days
(1401 is `2022-03-21/P365D`); REF_YEAR_SH keeps the Jalali year itself.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd

from publishing.edition import Edition
from salnameh.catalog import Catalog
from salnameh.declarations import TableDecl
from salnameh.jalali import jalali_year_bounds
from salnameh.persian import FLAG_SYMBOL, SYMBOL_MEANINGS
from salnameh.reference import Reference

# The yearbook's symbols (DOMAIN.md, section 4) as SDMX observation status codes. A value
# without a symbol is normal (A).
OBS_STATUS = {
    "not_collected": "L",  # «-»: the figure exists but was not collected
    "not_available": "O",  # «...»: missing, no further detail
    "not_applicable": "M",  # «×»: the figure cannot exist
    "cannot_calculate": "M",  # «××»: it cannot exist either (a ratio over zero)
    "negligible": "N",  # «//»: not significant
    "provisional": "P",  # «*»
    "estimated": "E",  # «**»
}
NORMAL = "A"
# SDMX's CL_OBS_STATUS, as much of it as the mapping uses, in SDMX's own words. The
# message says it is partial (isPartial): the list itself is SDMX's, not ours.
SDMX_OBS_STATUS = ("SDMX", "CL_OBS_STATUS", "2.2")
OBS_STATUS_NAMES = {
    "A": "Normal value",
    "E": "Estimated value",
    "L": "Missing value; data exist but were not collected",
    "M": "Missing value; data cannot exist",
    "N": "Not significant",
    "O": "Missing value",
    "P": "Provisional value",
}
VERSION = "1.0"
SCHEME = "CS_YEARBOOK"


def obs_status(flag: object) -> str:
    return OBS_STATUS[flag] if isinstance(flag, str) else NORMAL


def sdmx_agency(reference: Reference) -> str:
    """The SDMX agency id of the province's planning organisation: IR_<PROVINCE>_MPO."""
    name = re.sub(r"[^A-Za-z0-9]+", "_", reference.province_names.short_en).strip("_").upper()
    return f"IR_{name or reference.province}_MPO"


_ID = re.compile(r"^[A-Za-z0-9_@$-]+$")


def sdmx_id(code: str) -> str:
    """A code as an SDMX identifier, which allows letters, digits and _@$- only: the
    yearbook's «100+» age group becomes 100_PLUS."""
    identifier = code.replace("+", "_PLUS")
    if not _ID.match(identifier):
        raise ValueError(f"code {code!r} cannot be an SDMX identifier (letters, digits, _@$-)")
    return identifier


def members_of(dim_key: object) -> dict[str, str]:
    """A cell's dimension members from its key, `sex=female;age_group_5y=15_19`."""
    if not isinstance(dim_key, str) or not dim_key:
        return {}
    return dict(part.split("=", 1) for part in dim_key.split(";"))


def time_period(year: int) -> str:
    """A Jalali year as SDMX's time range: its first Gregorian day and its length."""
    first, last = jalali_year_bounds(year)
    return f"{first.isoformat()}/P{(last - first).days + 1}D"


def dataflow_id(table_id: str) -> str:
    return f"YB_{table_id.upper()}"


def structure_ref(agency: str, table_id: str) -> str:
    return f"{agency}:{dataflow_id(table_id)}({VERSION})"


def dimension_ids(table: TableDecl) -> list[str]:
    return ["REF_AREA", *(d.code_list.upper() for d in table.dimensions), "MEASURE",
            "TIME_PERIOD"]  # fmt: skip


def table_frame(table: TableDecl, rows: pd.DataFrame, edition: Edition,
                agency: str) -> pd.DataFrame:  # fmt: skip
    """A table's rows of an edition as SDMX-CSV 2.0: one row per observation."""
    members = rows["dim_key"].map(members_of)
    frame = pd.DataFrame({
        "STRUCTURE": "dataflow",
        "STRUCTURE_ID": structure_ref(agency, table.id),
        "ACTION": "I",
        "REF_AREA": rows["geo_code"].astype(str).to_numpy(),
    })  # fmt: skip
    for dimension in table.dimensions:
        codes = members.map(lambda m, c=dimension.code_list: sdmx_id(m[c]))
        frame[dimension.code_list.upper()] = codes.to_numpy()
    frame["MEASURE"] = rows["measure_id"].map(sdmx_id).to_numpy()
    frame["TIME_PERIOD"] = rows["year"].map(time_period).to_numpy()
    frame["OBS_VALUE"] = rows["value"].to_numpy()
    frame["OBS_STATUS"] = rows["flag"].map(obs_status).to_numpy()
    frame["UNIT_MEASURE"] = rows["unit"].map(sdmx_id).to_numpy()
    frame["YB_SYMBOL"] = rows["flag"].map(lambda f: f if isinstance(f, str) else "").to_numpy()
    frame["SOURCE_AGENCY"] = sdmx_id(table.agency)
    frame["EDITION"] = edition.number
    frame["REF_YEAR_SH"] = rows["year"].to_numpy()
    return frame


def write_sdmx(values: pd.DataFrame, edition: Edition, catalog: Catalog,
               reference: Reference, out: Path) -> list[Path]:  # fmt: skip
    """`sdmx/<table>.csv` (SDMX-CSV 2.0) and `sdmx/<table>.xml` (its SDMX-ML 3.0 structure)
    for every table of the edition."""
    folder = out / "sdmx"
    folder.mkdir(parents=True, exist_ok=True)
    agency = sdmx_agency(reference)
    written = []
    for table_id, rows in values.groupby("table_id", sort=False):
        table = catalog.table(table_id)
        data = folder / f"{table_id}.csv"
        table_frame(table, rows, edition, agency).to_csv(data, index=False, encoding="utf-8")
        structure = folder / f"{table_id}.xml"
        structure.write_bytes(structure_message(table, edition, reference, agency))
        written += [data, structure]
    return written


# ------------------------------------------------------------------ the structure message

_NS = {
    "mes": "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/message",
    "str": "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/structure",
    "com": "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/common",
}
for _prefix, _uri in _NS.items():
    ET.register_namespace(_prefix, _uri)
_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _tag(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{_NS[prefix]}}}{local}"


def _sub(parent: ET.Element, name: str, text: str | None = None, **attributes) -> ET.Element:
    element = ET.SubElement(parent, _tag(name), {k: str(v) for k, v in attributes.items()})
    if text is not None:
        element.text = text
    return element


def _names(element: ET.Element, fa: str | None, en: str) -> None:
    """Persian first where there is Persian; SDMX wants at least one name."""
    if fa:
        _sub(element, "com:Name", fa).set(_LANG, "fa")
    _sub(element, "com:Name", en).set(_LANG, "en")


def _maintainable(parent: ET.Element, name: str, agency: str, identifier: str,
                  version: str = VERSION, **extra) -> ET.Element:  # fmt: skip
    return _sub(parent, name, id=identifier, version=version, agencyID=agency,
                isExternalReference="false", **extra)  # fmt: skip


def _urn(kind: str, agency: str, identifier: str, version: str = VERSION) -> str:
    package = {
        "Codelist": "codelist",
        "Concept": "conceptscheme",
        "DataStructure": "datastructure",
    }[kind]
    return f"urn:sdmx:org.sdmx.infomodel.{package}.{kind}={agency}:{identifier}({version})"


def _concept_urn(agency: str, concept: str) -> str:
    return f"{_urn('Concept', agency, SCHEME)}.{concept}"


# Concepts of every table besides the code lists' own: (id, Persian, English).
_CONCEPTS = [
    ("REF_AREA", "محل", "Reference area"),
    ("MEASURE", "سنجه", "Measure"),
    ("TIME_PERIOD", "دوره زمانی", "Time period"),
    ("OBS_VALUE", "مقدار", "Observation value"),
    ("OBS_STATUS", "وضعیت مشاهده", "Observation status"),
    ("UNIT_MEASURE", "واحد", "Unit of measure"),
    ("YB_SYMBOL", "نشانه سالنامه", "Yearbook symbol"),
    ("SOURCE_AGENCY", "دستگاه منبع", "Source agency"),
    ("EDITION", "ویرایش", "Edition of the yearbook"),
    ("REF_YEAR_SH", "سال (هجری شمسی)", "Reference year (Solar Hijri)"),
]


def structure_message(table: TableDecl, edition: Edition, reference: Reference,
                      agency: str) -> bytes:  # fmt: skip
    """The table's SDMX-ML 3.0 structure message, in the order SDMX's schema wants:
    dataflows, code lists, concept schemes, data structures."""
    root = ET.Element(_tag("mes:Structure"))
    header = _sub(root, "mes:Header")
    _sub(header, "mes:ID", f"{dataflow_id(table.id)}_{edition.year}_E{edition.number}")
    _sub(header, "mes:Test", "false")
    _sub(header, "mes:Prepared", _datetime(edition.released_at_utc))
    _sub(header, "mes:Sender", id=agency)
    structures = _sub(root, "mes:Structures")

    flow = _maintainable(_sub(structures, "str:Dataflows"), "str:Dataflow", agency,
                         dataflow_id(table.id))  # fmt: skip
    _names(flow, f"{table.title.fa} (جدول {table.number})",
           f"{table.title.en} (table {table.number})")  # fmt: skip
    _sub(flow, "str:Structure", _urn("DataStructure", agency, _dsd_id(table)))

    lists = _sub(structures, "str:Codelists")
    _code_lists(lists, table, reference, agency)
    _concept_scheme(_sub(structures, "str:ConceptSchemes"), reference, agency)
    _data_structure(_sub(structures, "str:DataStructures"), table, agency)
    ET.indent(root, space=" ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _datetime(released_at_utc: object) -> str:
    return pd.Timestamp(str(released_at_utc)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _dsd_id(table: TableDecl) -> str:
    return f"DSD_{dataflow_id(table.id)}"


def _measure_list_id(table: TableDecl) -> str:
    return f"CL_{dataflow_id(table.id)}_MEASURE"


def _code_list(parent: ET.Element, agency: str, identifier: str, fa: str, en: str,
               codes: list[tuple[str, str | None, str]], version: str = VERSION,
               partial: bool = False) -> ET.Element:  # fmt: skip
    element = _maintainable(parent, "str:Codelist", agency, identifier, version,
                            isPartial=str(partial).lower())  # fmt: skip
    _names(element, fa, en)
    for code, code_fa, code_en in codes:
        _names(_sub(element, "str:Code", id=code), code_fa, code_en)
    return element


def _code_lists(parent: ET.Element, table: TableDecl, reference: Reference,
                agency: str) -> None:  # fmt: skip
    places: dict[str, tuple[str, str]] = {}
    for geo in sorted(reference.geography, key=lambda g: g.valid_from or 0):
        places[geo.code] = (geo.name_fa, geo.name_en)  # the latest name of a code
    _code_list(parent, agency, "CL_AREA", "محل", "Reference area",
               [(code, fa, en) for code, (fa, en) in sorted(places.items())])  # fmt: skip
    for list_id in (d.code_list for d in table.dimensions):  # each list whole
        fa, en = reference.code_list_titles[list_id]
        _code_list(parent, agency, f"CL_{list_id.upper()}", fa, en,
                   [(sdmx_id(c.code), c.label_fa, c.label_en)
                    for c in reference.members(list_id)])  # fmt: skip
    _code_list(parent, agency, _measure_list_id(table), f"سنجه‌های جدول {table.number}",
               f"Measures of table {table.number}",
               [(sdmx_id(m.id), m.title.fa, m.title.en) for m in table.measures])  # fmt: skip
    _code_list(parent, agency, "CL_UNIT", "واحد", "Unit of measure",
               [(sdmx_id(u.unit), u.title_fa, u.title_en)
                for u in reference.units.values()])  # fmt: skip
    _code_list(parent, agency, "CL_AGENCY", "دستگاه", "Agency",
               [(sdmx_id(a.agency_id), a.name_fa, a.name_en)
                for a in reference.agencies.values()])  # fmt: skip
    symbols = _code_list(parent, agency, "CL_YB_SYMBOL", "نشانه‌های سالنامه",
                         "Yearbook symbols", [])  # fmt: skip
    for flag, code in OBS_STATUS.items():
        element = _sub(symbols, "str:Code", id=flag)
        notes = _sub(element, "com:Annotations")
        note = _sub(notes, "com:Annotation")
        _sub(note, "com:AnnotationTitle", code)
        _sub(note, "com:AnnotationType", "OBS_STATUS")
        _sub(note, "com:AnnotationText", f"{FLAG_SYMBOL[flag]} is OBS_STATUS {code}: "
             f"{OBS_STATUS_NAMES[code]}").set(_LANG, "en")  # fmt: skip
        fa, en = SYMBOL_MEANINGS[flag]
        _names(element, f"{FLAG_SYMBOL[flag]} {fa}", f"{FLAG_SYMBOL[flag]} {en}")
    sdmx_agency_id, list_id, version = SDMX_OBS_STATUS
    _code_list(parent, sdmx_agency_id, list_id, None, "Observation status",
               [(code, None, name) for code, name in OBS_STATUS_NAMES.items()],
               version=version, partial=True)  # fmt: skip


def _concept_scheme(parent: ET.Element, reference: Reference, agency: str) -> None:
    scheme = _maintainable(parent, "str:ConceptScheme", agency, SCHEME, isPartial="false")
    _names(scheme, "مفاهیم سالنامه آماری", "Concepts of the statistical yearbook")
    concepts = _CONCEPTS[:1] + [
        (list_id.upper(), fa, en) for list_id, (fa, en) in reference.code_list_titles.items()
    ] + _CONCEPTS[1:]  # fmt: skip
    for identifier, fa, en in concepts:
        _names(_sub(scheme, "str:Concept", id=identifier), fa, en)


def _component(parent: ET.Element, name: str, identifier: str, agency: str,
               codes: str | None = None, text_type: str | None = None,
               **attributes) -> ET.Element:  # fmt: skip
    element = _sub(parent, name, id=identifier, **attributes)
    _sub(element, "str:ConceptIdentity", _concept_urn(agency, identifier))
    representation = _sub(element, "str:LocalRepresentation")
    if codes is not None:
        _sub(representation, "str:Enumeration", codes)
    else:
        _sub(representation, "str:TextFormat", textType=text_type)
    return element


def _attribute(parent: ET.Element, identifier: str, agency: str, usage: str,
               on_observation: bool, codes: str | None = None,
               text_type: str | None = None) -> None:  # fmt: skip
    element = _component(parent, "str:Attribute", identifier, agency, codes, text_type,
                         usage=usage)  # fmt: skip
    relationship = _sub(element, "str:AttributeRelationship")
    if on_observation:
        _sub(relationship, "str:Observation")
        _sub(_sub(element, "str:MeasureRelationship"), "str:Measure", "OBS_VALUE")
    else:
        _sub(relationship, "str:Dataflow")


def _data_structure(parent: ET.Element, table: TableDecl, agency: str) -> None:
    dsd = _maintainable(parent, "str:DataStructure", agency, _dsd_id(table))
    _names(dsd, table.title.fa, table.title.en)
    components = _sub(dsd, "str:DataStructureComponents")
    dimensions = _sub(components, "str:DimensionList")
    coded = [("REF_AREA", "CL_AREA")]
    coded += [(d.code_list.upper(), f"CL_{d.code_list.upper()}") for d in table.dimensions]
    coded.append(("MEASURE", _measure_list_id(table)))
    for position, (identifier, list_id) in enumerate(coded, start=1):
        _component(dimensions, "str:Dimension", identifier, agency,
                   codes=_urn("Codelist", agency, list_id), position=position)  # fmt: skip
    _component(dimensions, "str:TimeDimension", "TIME_PERIOD", agency,
               text_type="ObservationalTimePeriod")  # fmt: skip
    attributes = _sub(components, "str:AttributeList")
    sdmx_agency_id, list_id, version = SDMX_OBS_STATUS
    _attribute(attributes, "OBS_STATUS", agency, "mandatory", True,
               codes=_urn("Codelist", sdmx_agency_id, list_id, version))  # fmt: skip
    _attribute(attributes, "UNIT_MEASURE", agency, "mandatory", True,
               codes=_urn("Codelist", agency, "CL_UNIT"))  # fmt: skip
    _attribute(attributes, "YB_SYMBOL", agency, "optional", True,
               codes=_urn("Codelist", agency, "CL_YB_SYMBOL"))  # fmt: skip
    _attribute(attributes, "SOURCE_AGENCY", agency, "mandatory", False,
               codes=_urn("Codelist", agency, "CL_AGENCY"))  # fmt: skip
    _attribute(attributes, "EDITION", agency, "mandatory", False, text_type="Integer")
    _attribute(attributes, "REF_YEAR_SH", agency, "mandatory", False, text_type="Integer")
    measures = _sub(components, "str:MeasureList")
    _component(measures, "str:Measure", "OBS_VALUE", agency, text_type="Double")
