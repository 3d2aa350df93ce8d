"""A drafted declaration written as YAML in the catalog's own layout, with its open points.

Written line by line rather than dumped, so the draft reads like the declarations beside
it (flow titles on measures, quoted numbers) and can carry comments: what was guessed,
what is left open, and a proposed code list as the seed rows to add.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import yaml

from ingestion.problems import Problem

if TYPE_CHECKING:
    from ingestion.drafting import Dimension, Gloss


def _scalar(value: object, flow: bool = False) -> str:
    """A YAML scalar, plain where it reads back unchanged, JSON-quoted otherwise."""
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    text = str(value)
    probe = f"{{a: {text}}}" if flow else f"a: {text}"
    try:
        if text and yaml.safe_load(probe) == {"a": text}:
            return text
    except yaml.YAMLError:
        pass
    return json.dumps(text, ensure_ascii=False)


def _text_field(name: str, text: Gloss, indent: str) -> list[str]:
    return [
        f"{indent}{name}:",
        f"{indent}  fa: {_scalar(text.fa)}",
        f"{indent}  en: {_scalar(text.en)}",
    ]


def write_yaml(fields: dict, sheet: str, findings: list[Problem]) -> str:
    """The draft as a person reads it: what to check first, then the fields in the
    catalog's order, then any proposed code list as rows to add to the seeds."""
    lines = [
        f"# Drafted by `salnameh catalog draft` from the sheet {sheet!r}: a draft to correct,",
        "# not a declaration yet. Check every field; those below were guessed or left open.",
    ]
    for finding in findings:
        mark = "open" if finding.severity == "warning" else "guessed"
        where = f"{finding.column}{finding.row}: " if finding.row else ""
        lines.append(f"#   [{mark}] {where}{finding.en}")
    lines += [
        f"id: {fields['id']}",
        f"chapter: {_scalar(fields['chapter'])}",
        f"number: {json.dumps(fields['number'])}",
    ]
    lines += _text_field("title", fields["title"], "")
    lines.append("follows: proposed")
    for key in ("agency", "source", "period", "years", "geography", "unit"):
        value = fields[key]
        if isinstance(value, list):
            lines.append(f"{key}: [{', '.join(map(str, value))}]")
        elif value is not None:
            lines.append(f"{key}: {_scalar(value)}")
    if fields["dimensions"]:
        lines.append("dimensions:")
        for dim in fields["dimensions"]:
            if dim.proposed:
                lines.append(
                    "  # PROPOSED code list, not in codes.csv yet: see the end of the file"
                )
            lines.append(f"  - code_list: {dim.list_id}")
            lines.append(f"    axis: {dim.axis}")
            if dim.members is not None:
                lines.append(f"    members: [{', '.join(_scalar(m, True) for m in dim.members)}]")
    lines.append("measures:")
    for m in fields["measures"]:
        lines.append(f"  - id: {m.id}")
        lines.append(
            f"    title: {{fa: {_scalar(m.title.fa, True)}, en: {_scalar(m.title.en, True)}}}"
        )
        if m.unit:
            lines.append(f"    unit: {_scalar(m.unit)}")
        lines.append(f"    type: {m.type}")
        if m.type == "decimal" and m.decimals != 1:
            lines.append(f"    decimals: {m.decimals}")
        if m.min is not None:
            lines.append(f"    min: {m.min:g}")
    if fields["rules"]:
        lines.append("rules:")
        for rule in fields["rules"]:
            first, *rest = rule.items()
            lines.append(f"  - {first[0]}: {first[1]}")
            for key, value in rest:
                shown = f"[{', '.join(value)}]" if isinstance(value, list) else value
                lines.append(f"    {key}: {shown}")
    if fields["footnotes"]:
        lines.append("footnotes:")
        for note_text in fields["footnotes"]:
            lines.append(f"  - fa: {_scalar(note_text.fa)}")
            lines.append(f"    en: {_scalar(note_text.en)}")
    for dim in fields["dimensions"]:
        if dim.proposed:
            lines += _proposed_list(dim)
    return "\n".join(lines) + "\n"


def _proposed_list(dim: Dimension) -> list[str]:
    fa, en = dim.proposed_titles
    lines = [
        "",
        f"# PROPOSED code list {dim.list_id}: no list of seeds/reference/codes.csv holds these",
        "# labels. Rename it, check the codes, then add these rows to the seeds:",
        "# code_lists.csv:",
        f"#   {dim.list_id},{fa or '?'},{en or '?'}",
        "# codes.csv (list_id,code,sort_order,label_fa,label_en,is_total):",
    ]
    for n, (label, code) in enumerate(zip(dim.labels, dim.codes, strict=True)):
        total = "true" if code == dim.total else "false"
        lines.append(f"#   {dim.list_id},{code},{n},{label.fa},{label.en or '?'},{total}")
    return lines
