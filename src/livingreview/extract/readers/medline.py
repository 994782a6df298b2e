"""PubMed MEDLINE exports (.nbib): "TAG - value" lines, values continued on 6-space lines.

One Document per record (records start at "PMID-" and are separated by blank lines). Text of
a record (what spans index): its title (TI), a blank line, then its abstract (AB) with the
continuation lines joined by single spaces and one line per labelled part ("RESULTS: ...").
Fields: title TI, authors FAU (else AU), year DP, journal JT (else TA), doi LID/AID "[doi]",
publication types PT, pmid PMID.
"""
from __future__ import annotations

import re

from livingreview.extract.document import Document
from livingreview.extract.readers.common import clean_inline, find_doi
from livingreview.extract.readers.sections import render_title_abstract, split_labels

_TAG = re.compile(r"^(?P<tag>[A-Z][A-Z0-9]{1,3}) {0,3}- ?(?P<value>.*)$")
_RECORD_START = re.compile(r"(?m)^PMID- ")
LOOKS_LIKE = re.compile(r"(?m)^PMID- *\d+\s*$[\s\S]{0,4000}?^(?:TI|AB|DP|FAU|AU|OWN|STAT) {0,3}- ")


def tagged_values(entry: str) -> list[tuple[str, str]]:
    """(tag, value) pairs of one record, continuation lines joined to their value by a space."""
    pairs: list[tuple[str, list[str]]] = []
    for line in entry.splitlines():
        if line.startswith(" "):  # a continuation line
            if pairs and line.strip():
                pairs[-1][1].append(line.strip())
            continue
        m = _TAG.match(line)
        if m:
            pairs.append((m.group("tag"), [m.group("value").strip()]))
        elif pairs and line.strip():
            pairs[-1][1].append(line.strip())
    return [(t, " ".join(p for p in parts if p)) for t, parts in pairs]


def split_records(text: str) -> list[str]:
    """The records of an export, each the text from one "PMID-" line to the next."""
    starts = [m.start() for m in _RECORD_START.finditer(text)]
    if not starts:
        return [text]
    return [text[a:b] for a, b in zip(starts, starts[1:] + [len(text)])]


def medline_fields(pairs: list[tuple[str, str]]) -> dict:
    """Title, authors, year, journal, doi, publication types, pmid of one record."""
    values: dict[str, list[str]] = {}
    for tag, value in pairs:
        values.setdefault(tag, []).append(value)
    fields: dict = {}
    if values.get("TI"):
        fields["title"] = clean_inline(values["TI"][0])
    authors = values.get("FAU") or values.get("AU")
    if authors:
        fields["authors"] = [clean_inline(a) for a in authors]
    m = re.search(r"\b(1[89]\d\d|2[01]\d\d)\b", (values.get("DP") or [""])[0])
    if m:
        fields["year"] = int(m.group(1))
    journal = (values.get("JT") or values.get("TA") or [None])[0]
    if journal:
        fields["journal"] = clean_inline(journal)
    for value in values.get("LID", []) + values.get("AID", []):
        if "[doi]" in value and find_doi(value):
            fields["doi"] = find_doi(value)
            break
    if values.get("PT"):
        fields["publication_types"] = values["PT"]
    if values.get("PMID"):
        fields["pmid"] = values["PMID"][0]
    return fields


def read_medline(text: str, path: str) -> list[Document]:
    """One Document per record of a MEDLINE export (module docstring)."""
    docs = []
    for entry in split_records(text):
        pairs = tagged_values(entry)
        fields = medline_fields(pairs)
        abstract = " ".join(v for t, v in pairs if t == "AB")
        rendered, body, sections = render_title_abstract(fields.get("title", ""), split_labels(clean_inline(abstract)))
        docs.append(Document(path=path, text=rendered, format="medline_nbib", fields=fields,
                             body=tuple(body), sections=sections))
    return docs
