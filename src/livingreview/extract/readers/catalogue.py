"""Library catalogue records ("Main Authors: | ... |", "Summary: | ... |")."""
from __future__ import annotations

import re

from livingreview.extract.readers.common import dedupe, find_doi, is_skip, line_spans


CATALOGUE_LABELS = re.compile(
    r"(?m)^(?:Main Authors?|Other Authors|Format|Language|Published|Series|Subjects|Online Access|"
    r"Tags|Summary|ISSN|ISBN|Physical Description|Saved in|Notes):")
# "Label: | value |" (the value may run over lines, never past the next "Label: |"),
# "Label: | value" (one pipe) or "Label: value".
_CAT_FIELD = re.compile(r"(?m)^(?P<label>[A-Z][A-Za-z .-]{1,40}?):[ \t]*"
                        r"(?:\|(?P<piped>(?:(?!\n[A-Z][A-Za-z .-]{1,40}?:[ \t]*\|)[^|])*)\||"
                        r"\|?[ \t]*(?P<line>[^|\n]*)$)")


def catalogue_fields(text: str) -> dict[str, tuple[int, int]]:
    """Label -> (start, end) of its value in a catalogue record ("Summary: | ... |")."""
    out: dict[str, tuple[int, int]] = {}
    for m in _CAT_FIELD.finditer(text):
        group = "piped" if m.group("piped") is not None else "line"
        s, e = m.span(group)
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        out.setdefault(m.group("label").strip(), (s, e))
    return out


def read_catalogue(text: str):
    cat = catalogue_fields(text)
    lines = line_spans(text)
    body: list[tuple[int, int]] = []
    fields: dict = {}
    first_label = min((s for s, _ in cat.values()), default=len(text))
    pre = [(s, e) for s, e in lines if e <= first_label and not CATALOGUE_LABELS.match(text[s:e])
           and not is_skip(text[s:e]) and text[s:e] != "Saved in:"]
    if pre:
        body.append(pre[0])
        fields["title"] = text[slice(*pre[0])]
    if "Summary" in cat and cat["Summary"][1] > cat["Summary"][0]:
        body.append(cat["Summary"])
    else:
        body.extend(pre[1:])
    value = {k: text[s:e] for k, (s, e) in cat.items()}
    authors = value.get("Main Authors", value.get("Main Author"))
    if authors is not None:
        sep = ";" if ";" in authors else ","
        fields["authors"] = [a.strip() for a in re.split(r"[\n" + sep + "]", authors) if a.strip()]
    for key in ("Series", "Journal", "Published in", "Source"):
        if value.get(key, "").strip():
            fields["journal"] = value[key].strip()
            break
    m = re.search(r"\b((?:19|20)\d{2})\b", value.get("Published", ""))
    if m:
        fields["year"] = int(m.group(1))
    for key in ("DOI", "Online Access"):
        doi = find_doi(value.get(key, ""))
        if doi:
            fields["doi"] = doi
            break
    if value.get("ISSN"):
        fields["issn"] = value["ISSN"].strip()
    return fields, dedupe(text, body)

