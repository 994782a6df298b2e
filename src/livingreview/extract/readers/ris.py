"""RIS exports: "TY  - JOUR" ... "ER  -" records of "XX  - value" lines.

One Document per record. Text of a record: its title (TI, else T1), a blank line, then its
abstract (AB, else N2), continuation lines joined by spaces and one line per labelled part.
Fields: title, authors AU/A1, year PY/Y1/DA, journal JF/T2/JO/J2, doi DO (or a doi.org UR),
publication type TY.
"""
from __future__ import annotations

import re

from livingreview.extract.document import Document
from livingreview.extract.readers.common import clean_inline, find_doi
from livingreview.extract.readers.sections import render_title_abstract, split_labels

_TAG = re.compile(r"^(?P<tag>[A-Z][A-Z0-9])  - ?(?P<value>.*)$")
LOOKS_LIKE = re.compile(r"(?m)^TY  - \S")
_TYPES = {"JOUR": "Journal Article", "ABST": "Abstract", "CONF": "Conference Paper", "CPAPER": "Conference Paper",
          "BOOK": "Book", "CHAP": "Book Section", "THES": "Thesis", "RPRT": "Report", "NEWS": "News",
          "ELEC": "Web Page", "GEN": "Generic"}


def record_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each record in `text`: from its "TY" line to the end of its "ER" line (or
    to the next "TY" line, or the end, when a record is not closed). Text between records is
    not part of any."""
    spans: list[tuple[int, int]] = []
    start = None
    offset = 0
    for line in text.splitlines(keepends=True):
        m = _TAG.match(line.rstrip("\r\n"))
        if m and m.group("tag") == "TY":
            if start is not None:
                spans.append((start, offset))
            start = offset
        elif m and m.group("tag") == "ER" and start is not None:
            spans.append((start, offset + len(line)))
            start = None
        offset += len(line)
    if start is not None:
        spans.append((start, offset))
    return spans


def split_records(text: str) -> list[list[tuple[str, str]]]:
    """Each record's (tag, value) pairs, from "TY" to "ER"; lines without a tag continue the value."""
    records = []
    for start, end in record_spans(text):
        current: list[list[str]] = []
        for line in text[start:end].splitlines():
            m = _TAG.match(line)
            if m:
                tag, value = m.group("tag"), m.group("value").strip()
                if tag != "ER":
                    current.append([tag, value])
            elif current and line.strip():
                current[-1][1] = (current[-1][1] + " " + line.strip()).strip()
        records.append([(t, v) for t, v in current])
    return records


def ris_fields(pairs: list[tuple[str, str]]) -> dict:
    """Title, authors, year, journal, doi and publication type of one record."""
    values: dict[str, list[str]] = {}
    for tag, value in pairs:
        if value:
            values.setdefault(tag, []).append(value)

    def first(*tags):
        return next((values[t][0] for t in tags if values.get(t)), None)

    fields: dict = {}
    title = first("TI", "T1")
    if title:
        fields["title"] = clean_inline(title)
    authors = values.get("AU") or values.get("A1")
    if authors:
        fields["authors"] = [clean_inline(a) for a in authors]
    for tag in ("PY", "Y1", "DA", "Y2"):
        m = re.search(r"\b(1[89]\d\d|2[01]\d\d)\b", first(tag) or "")
        if m:
            fields["year"] = int(m.group(1))
            break
    journal = first("JF", "T2", "JO", "J2", "JA")
    if journal:
        fields["journal"] = clean_inline(journal)
    doi = find_doi(first("DO") or "") or next((find_doi(u) for u in values.get("UR", []) if find_doi(u)), None)
    if doi:
        fields["doi"] = doi
    ty = first("TY")
    if ty:
        fields["publication_types"] = [_TYPES.get(ty, ty)]
    return fields


def read_ris(text: str, path: str) -> list[Document]:
    """One Document per record of an RIS export (module docstring)."""
    docs = []
    for pairs in split_records(text):
        fields = ris_fields(pairs)
        abstract = " ".join(v for t, v in pairs if t == "AB") or " ".join(v for t, v in pairs if t == "N2")
        rendered, body, sections = render_title_abstract(fields.get("title", ""), split_labels(clean_inline(abstract)))
        docs.append(Document(path=path, text=rendered, format="ris", fields=fields,
                             body=tuple(body), sections=sections))
    return docs
