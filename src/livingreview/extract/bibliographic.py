"""Bibliographic metadata of a Document: title, authors, journal, year, DOI.

The structure's own statement (`Document.fields`: JSON keys, MEDLINE/RIS tags, meta tags,
catalogue fields) is taken first when it is plausible; otherwise the text is read the way
papers print these facts. The title is never boilerplate (a licence or copyright line, a
journal or site name, "Abstract", navigation); authors are returned as printed minus
affiliation markers and "et al."; the year comes from a publication line ("Hepatology
Research. 2026 Mar;56(3):210-219.", "Published: 12 March 2024", "2019;30(4):123", a news
dateline "June 14, 2022 --", "Citation: J Clin Oncol 40, 2022"), else a copyright line
("© 2023"); the DOI is bare and lower case.
"""
from __future__ import annotations

import re

from livingreview.extract.document import Document
from livingreview.extract.readers.common import (
    ABSTRACT_HEAD, boilerplate_line, find_doi, is_skip, parse_author_line)

_YEAR = r"(1[89]\d\d|20\d\d)"
_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
# Publication lines, most telling first; each captures the year.
_YEAR_LINES = (
    # "Published: 12 March 2024", "Published online March 15, 2018", "Date: 2024-03-12".
    re.compile(rf"(?im)^[ \t]*(?:published(?:[ \t]+online)?|first[ \t]+published|publication[ \t]+date|"
               rf"date[ \t]+of[ \t]+publication|issue[ \t]+date|epub|posted|released?|date)\b[ \t]*:?[ \t]*"
               rf"(?:on[ \t]+)?(?:\w+,?[ \t]+)?(?:\d{{1,2}}[ \t]+)?(?:{_MONTH}\.?[ \t]+)?(?:\d{{1,2}},?[ \t]+)?{_YEAR}\b"),
    # "Hepatology Research. 2026 Mar;56(3):210-219.", "JAMA Oncol. 2018;4(5):661-669."
    re.compile(rf"(?m)[A-Z][\w&.' -]{{1,80}}\.[ \t]+{_YEAR}(?:[ \t]+{_MONTH}(?:[ \t]+\d{{1,2}})?)?[ \t]*;[ \t]*\d"),
    # "2019;30(4):123" and "2019 Nov;8(16)" anywhere.
    re.compile(rf"(?<![\d.]){_YEAR}(?:[ \t]+{_MONTH}(?:[ \t]+\d{{1,2}})?)?[ \t]*;[ \t]*\d+[ \t]*\(\s*[\w-]+\s*\)"),
    # "Citation: J Clin Oncol 40, 2022 (suppl 4; abstr 380)".
    re.compile(rf"(?im)^[ \t]*(?:citation|cite this(?: article)?|source|how to cite)[ \t]*:[^\n]*?\b{_YEAR}\b"),
    # News and press datelines: "TUESDAY, June 14, 2022 (OncoWire) --", "PRINCETON, N.J., June 2024 --".
    re.compile(rf"(?m)^[A-Z][\w.,' ]{{0,60}}?\b{_MONTH}\.?[ \t]+(?:\d{{1,2}},?[ \t]+)?{_YEAR}\b[^\n]{{0,60}}?"
               rf"(?:--|\u2014|\u2013|\u2015)"),
    # A dated line standing alone near the title: "December 2016", "12 March 2024".
    re.compile(rf"(?im)(?:^|\u00b7|\|)[ \t]*(?:\d{{1,2}}[ \t]+)?{_MONTH}\.?[ \t]+(?:\d{{1,2}},?[ \t]+)?{_YEAR}[ \t]*(?:$|\u00b7|\|)"),
)
_COPYRIGHT = re.compile(rf"(?i)(?:©|\(c\)|\bcopyright\b)[ \t]*(?:©[ \t]*)?{_YEAR}\b")


def _may_hold_copyright(text: str) -> bool:
    """Whether `text` could hold a _COPYRIGHT match: each starts with "©", "(c)" or "copyr" in
    any case (no letter of these has another case form for the regex), so a text without them
    need not be scanned."""
    if "©" in text:
        return True
    low = text.lower()
    return "(c)" in low or "copyr" in low


_NOT_TITLE_EXACT = re.compile(r"(?i)^(?:abstract|summary|title|untitled|full text|article|home|pdf|"
                              r"research article|original article|review)\W*$")


def is_title(text: str | None, journal: str | None = None) -> bool:
    """True for a plausible title: 2 to 80 words, not boilerplate, not the journal's name."""
    if not text or not text.strip():
        return False
    t = " ".join(text.split())
    if not 2 <= len(t.split()) <= 80 or _NOT_TITLE_EXACT.match(t) or ABSTRACT_HEAD.match(t):
        return False
    if journal and t.casefold().rstrip(". ") == journal.casefold().rstrip(". "):
        return False
    return not (boilerplate_line(t) or is_skip(t))


def clean_authors(names) -> list[str]:
    """Names as printed minus markers, "et al." and empties; a one-string list is split."""
    out: list[str] = []
    for name in names or []:
        if not isinstance(name, str):
            continue
        if ("," in name and name.count(",") > 1) or ";" in name:
            parsed = parse_author_line(name)
            if parsed:
                out.extend(parsed)
                continue
        n = re.sub(r"[\u00b9\u00b2\u00b3\u2070-\u2079*\u2020\u2021\u00a7\u00b6]+|(?<=[^\W\d])\d+(?:,\d+)*$", "",
                   name).strip(" ,;")
        if n and not re.fullmatch(r"(?i)et\.?\s*al\.?|and others|others", n):
            out.append(" ".join(n.split()))
    return out


def _pair_surnames(names: list[str]) -> list[str]:
    """["Peng", "Zhenwei", "Fan", "Wenzhe"] (a "Surname, Given, Surname, Given" field split at
    every comma) -> ["Peng, Zhenwei", "Fan, Wenzhe"]; other lists unchanged."""
    if len(names) >= 4 and len(names) % 2 == 0 and all(len(n.split()) == 1 for n in names[::2]) and \
            all(re.fullmatch(r"[A-Z][\w'\u00c0-\u024f-]*(?:\s[A-Z][\w'.\u00c0-\u024f-]*)*", n) for n in names):
        return [f"{a}, {b}" for a, b in zip(names[::2], names[1::2])]
    return names


def publication_year(text: str) -> int | None:
    """The year a publication line in `text` states (module docstring), or None."""
    semicolon = ";" in text  # the citation-line patterns need one
    for k, rx in enumerate(_YEAR_LINES):
        if k in (1, 2) and not semicolon:
            continue
        m = rx.search(text)
        if m:
            return int(m.group(1))
    return None


def _head(doc: Document) -> str:
    """The text around the title: everything before the abstract, plus the title's next lines."""
    if not doc.body:
        return doc.text[:3000]
    title_end = doc.body[0][1]
    abstract_start = doc.body[1][0] if len(doc.body) > 1 else len(doc.text)
    end = max(abstract_start, min(len(doc.text), title_end + 600))
    first_para_end = doc.body[1][1] if len(doc.body) > 1 else end
    return doc.text[:max(end, min(first_para_end, title_end + 1500))]


_ET_AL = re.compile(r"^(?P<names>.+?)\s+et\s+al\.(?:\s*(?P<journal>[A-Z][^.\n]{1,80})\.)?")


def _author_from_text(doc: Document) -> tuple[list[str], str | None]:
    """Authors (and a journal named after "et al.") from the first author line between the
    title and the abstract: "Lena Okafor, Tomasz Brandt et al. J Immunother Cancer. ."."""
    if not doc.body:
        return [], None
    start = doc.body[0][1]
    end = doc.body[1][0] if len(doc.body) > 1 else min(len(doc.text), start + 2000)
    lines = doc.text[start:end].splitlines()[:12]
    # A plain page keeps its author line in the body, just after the title.
    lines += [doc.text[s:e] for s, e in doc.body[1:3] if e - s < 400]
    for line in lines:
        m = _ET_AL.match(line.strip())
        names = parse_author_line(m.group("names") if m else line)
        if names:
            return names, (m.group("journal") or "").strip() or None if m else None
    return [], None


def _journal(fields: dict) -> str | None:
    journal = fields.get("journal")
    if not isinstance(journal, str) or not journal.strip():
        return None
    journal = " ".join(journal.split())
    journal = re.split(r"\s+;\s+|\s*\n", journal)[0].strip(" .;,")
    return journal or None


def bibliographic(doc: Document) -> dict:
    """title, authors, journal, year and doi of `doc` (module docstring); missing ones None/[]."""
    fields = doc.fields
    spans = doc.body
    journal = _journal(fields)
    title = None
    for candidate in (fields.get("title"), doc.text[slice(*spans[0])] if spans else None):
        if is_title(candidate, journal):
            title = " ".join(candidate.split())
            break
    authors = _pair_surnames(clean_authors(fields.get("authors")))
    if not authors and "authors" not in fields:
        authors, named = _author_from_text(doc)
        journal = journal or named
    year = fields.get("year")
    if not (isinstance(year, int) and 1800 < year < 2200):
        year = publication_year(_head(doc))
        if year is None:
            m = _COPYRIGHT.search(doc.text) if _may_hold_copyright(doc.text) else None
            year = int(m.group(1)) if m else None
    doi = fields.get("doi") or find_doi(doc.text[:spans[-1][1]] if spans else doc.text)
    return {"title": title, "authors": authors, "journal": journal, "year": year, "doi": doi}
