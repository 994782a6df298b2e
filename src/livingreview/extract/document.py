"""The decoded source document every extractor works on.

A document's `text` is what all spans index into, and what `python -m livingreview text PATH
[--entry N]` prints. For plain-text formats it is the file's text as decoded (BOM dropped,
CR LF and lone CR made LF); for JSON, XML, HTML, MEDLINE and RIS it is a rendering each reader
module documents (title, blank line, abstract with its section headings, then any body
sections). A file holding several records (a search export) gives one Document per entry,
each with the same `path` and the text of that entry alone.
"""
from __future__ import annotations

from dataclasses import dataclass, field


class SourceError(Exception):
    """A source document that cannot be turned into a study record."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


#: What a section holds. Endpoints are taken only from "title", "abstract", "results" and
#: "conclusions"; "background", "introduction" and "discussion" quote other trials' numbers,
#: "methods" holds protocol targets and doses, "references"/"other" are never study text.
SECTION_ROLES = ("title", "abstract", "background", "introduction", "methods", "results",
                 "conclusions", "discussion", "references", "other")


@dataclass(frozen=True)
class Section:
    """A labelled stretch of `Document.text`: its heading as printed, its role, its span."""

    heading: str
    role: str
    start: int
    end: int


@dataclass(frozen=True)
class Document:
    """A source document, decoded, with the parts that hold the study marked."""

    path: str
    text: str
    format: str
    # Metadata the document's structure states outright (JSON keys, catalogue
    # fields, a markdown header): title, authors, journal, year, doi,
    # publication_types. Missing keys mean the structure did not say.
    fields: dict = field(default_factory=dict)
    # (start, end) ranges of `text` holding the study's own words: title and
    # abstract or summary, never navigation, metrics, references or captions.
    body: tuple = ()
    # The sections a reader found inside the body, in text order (empty when the text has
    # no headings; then the whole body counts as abstract).
    sections: tuple = ()

    def body_text(self) -> str:
        """The body ranges joined by blank lines (for quick inspection only)."""
        return "\n\n".join(self.text[s:e] for s, e in self.body)
