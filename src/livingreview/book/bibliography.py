"""`data/references.bib`: one BibTeX entry per registered document, keyed by its record id.

Read by sphinxcontrib-bibtex (through pybtex), so field text is LaTeX-escaped:
the characters BibTeX or LaTeX would otherwise read as markup are written as
their LaTeX escapes, which pybtex decodes back to the original characters.
"""
from __future__ import annotations

import re

HEADER = (
    "% Generated from data/registry.yaml by `python -m livingreview add`/`remove`; do not edit.\n"
    "% One entry per registered document; the key is the study record's id.\n"
)

# What pybtex (which reads the file for sphinxcontrib-bibtex) decodes back to each character.
# `$` and `^` it leaves alone; braces it cannot carry at all (see `_field`).
_LATEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
}
_SPECIAL = re.compile("|".join(re.escape(c) for c in _LATEX_ESCAPES))
# Pairs TeX would turn into one typographic character ("--" into an en dash): split by "{}".
_LIGATURE = re.compile(r"(?<=-)(?=-)|(?<=')(?=')|(?<=`)(?=`)|(?<=[?!])(?=`)|(?<=,)(?=,)")
_AND = re.compile(r"\band\b", re.IGNORECASE)


def escape(text: str) -> str:
    """`text` written so that pybtex reads back exactly it (whitespace runs become one space)."""
    text = _LIGATURE.sub("{}", " ".join(text.split()))
    return _SPECIAL.sub(lambda m: _LATEX_ESCAPES[m.group()], text)


def _field(text: str | None) -> str | None:
    # A brace cannot be written so that pybtex prints it; rather than alter the
    # source's text the field is left out.
    if not text or not text.strip() or "{" in text or "}" in text:
        return None
    return escape(text)


def _authors(names: list[str]) -> str | None:
    names = [n for n in names if n and n.strip()]
    if not names or any(_field(n) is None for n in names):
        return None
    # A name holding the word "and" would be split in two by BibTeX: brace it whole.
    return " and ".join(f"{{{_field(n)}}}" if _AND.search(n) else _field(n) for n in names)


def _doi(doi: str | None) -> str | None:
    # sphinxcontrib-bibtex prints the doi field raw (into a link), so it is not escaped.
    doi = (doi or "").strip()
    return None if not doi or "{" in doi or "}" in doi or " " in doi else doi


def bibtex_entry(record: dict) -> str:
    """One entry for a study record: `@article` when it names authors and a journal, else `@misc`.

    (BibTeX styles require an author for an article; a document without one is
    a `@misc`, whose styles print the journal from `howpublished`.)
    """
    author = _authors(record.get("authors") or [])
    journal = _field(record.get("journal"))
    year = record.get("year")
    title = _field(record.get("title"))
    fields = [
        ("author", author),
        # Braced whole so styles keep its capitals ("HIFU", "HR") instead of sentence-casing it.
        ("title", f"{{{title}}}" if title else None),
        ("journal", journal),
        ("year", str(int(year)) if year is not None else None),
        ("doi", _doi(record.get("doi"))),
    ]
    kind = "article" if author and journal else "misc"
    if kind == "misc" and journal:
        fields.insert(3, ("howpublished", journal))
    body = "".join(f"  {name} = {{{value}}},\n" for name, value in fields if value is not None)
    return f"@{kind}{{{record['id']},\n{body}}}\n"


def references_bib(records: list[dict]) -> str:
    """The whole `references.bib`: a header, then entries in id order."""
    entries = [bibtex_entry(r) for r in sorted(records, key=lambda r: r["id"])]
    return HEADER + "".join(f"\n{entry}" for entry in entries)
