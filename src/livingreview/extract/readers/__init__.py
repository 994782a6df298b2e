"""Read a source file into Documents: decode, detect its format, mark body and sections.

`decode_bytes` takes a file's bytes (checks: empty, PDF, UTF-16, binary, not UTF-8) and gives
every Document the file holds: one, or one per entry of a search export (MEDLINE, RIS, Europe
PMC resultList, Crossref items, JSON array), each with the same `path`. `decode_text` is the
pure function for text holding one document. Any failure is a SourceError with its reason;
an unexpected error inside a reader becomes SourceError(path, "could not be read as <format>:
<reason>"), never a traceback.

Normalisation, the same for every format so that spans index what `text PATH` prints: a leading
UTF-8 byte order mark is dropped, and CR LF and lone CR (old Mac) line endings become LF.

Formats are told apart by content, never by file name (`detect_format`); each has its own
module here, whose docstring says what its `Document.text` is (the file's text for plain-text
formats; a rendering of title, abstract and sections for JSON, XML, HTML, MEDLINE and RIS).
A PubMed Central (PMC) article page counts as `pubmed_page`.
"""
from __future__ import annotations

import dataclasses
import re
from itertools import islice

from livingreview.extract.document import Document, SourceError
from livingreview.extract.readers import html as html_reader
from livingreview.extract.readers import jats, json_record, medline, ris
from livingreview.extract.readers.catalogue import CATALOGUE_LABELS, read_catalogue
from livingreview.extract.readers.common import find_doi, strip_html
from livingreview.extract.readers.journal import read_journal
from livingreview.extract.readers.markdown import read_markdown
from livingreview.extract.readers.pdf import MAGIC as PDF_MAGIC, pdf_text
from livingreview.extract.readers.plain import read_plain
from livingreview.extract.readers.pubmed import read_pubmed
from livingreview.extract.readers.sections import drop_from_body, find_sections

__all__ = ["FORMATS", "decode_bytes", "decode_text", "decode_entries", "detect_format", "find_doi",
           "strip_html"]

FORMATS = ("pubmed_page", "semantic_scholar_json", "json_record", "catalogue_record",
           "markdown_summary", "journal_page", "plain_text", "medline_nbib", "ris", "europepmc_json",
           "crossref_json", "jats_xml", "html_page", "pdf")

_BOM = "\ufeff"
# Control characters other than tab, line feed, carriage return and form feed, and
# the replacement character a bad decode leaves behind.
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))
_MIN_BODY_WORDS = 4  # a title-like line at least
_WORD = re.compile(r"[^\W\d_]{2,}")
_JSON_FORMATS = ("semantic_scholar_json", "json_record", "europepmc_json", "crossref_json")


# ------------------------------------------------------------------- bytes in

def decode_bytes(raw: bytes, path: str) -> list[Document]:
    """The documents in a file's bytes (several for a search export), or SourceError saying why
    not. `path` is only carried into each Document and its errors; nothing is read here."""
    fmt = "text"
    try:
        if not raw.strip():
            raise SourceError(path, "empty file")
        if raw.lstrip()[:5] == PDF_MAGIC:
            fmt = "pdf"
            return decode_entries(pdf_text(raw, path), path, as_pdf=True)
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise SourceError(path, "not UTF-8: the file is UTF-16 (byte-order mark); save it as UTF-8")
        if b"\x00" in raw or _mostly_binary_bytes(raw):
            raise SourceError(path, "binary file, not text")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SourceError(path, f"not UTF-8 text (invalid byte 0x{raw[exc.start]:02x} at offset "
                                    f"{exc.start}); save it as UTF-8") from None
        return decode_entries(text, path)
    except SourceError:
        raise
    except Exception as exc:  # a reader's bug must not become a traceback
        raise SourceError(path, f"could not be read as {_guess(raw, fmt)}: "
                                f"{type(exc).__name__}: {exc}") from None


def _guess(raw: bytes, fmt: str) -> str:
    if fmt == "pdf":
        return "pdf"
    try:
        return detect_format(raw.decode("utf-8", "replace"))
    except Exception:
        return "text"


def _mostly_binary_bytes(raw: bytes) -> bool:
    """Control bytes other than whitespace in more than 10% of the first 4 KiB."""
    head = raw[:4096]
    control = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return control > len(head) * 0.10


# ---------------------------------------------------------------- pure decoding

def normalise(raw: str) -> str:
    """The text spans index: BOM dropped, CR LF and lone CR line endings made LF."""
    text = raw[1:] if raw.startswith(_BOM) else raw
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def decode_text(raw: str, path: str) -> Document:
    """Turn decoded file text holding one document into a Document, or raise SourceError."""
    docs = decode_entries(raw, path)
    if len(docs) != 1:
        raise SourceError(path, f"holds {len(docs)} records; give them one file each")
    return docs[0]


def decode_entries(raw: str, path: str, as_pdf: bool = False) -> list[Document]:
    """Every Document in decoded file text (one per entry of an export), or SourceError."""
    text = normalise(raw)
    if not text.strip():
        raise SourceError(path, "empty file (only whitespace)")
    control = len(_CONTROL.findall(text))
    if "\x00" in text or control > len(text) * 0.10:
        raise SourceError(path, "binary content, not text")
    fmt = detect_format(text)
    try:
        docs = _read(fmt, text, path)
    except SourceError:
        raise
    except Exception as exc:
        raise SourceError(path, f"could not be read as {'pdf' if as_pdf else fmt}: "
                                f"{type(exc).__name__}: {exc}") from None
    if as_pdf:
        docs = [dataclasses.replace(d, format="pdf") for d in docs]
    kept = [d for d in docs if _has_content(d)]
    if not kept:
        raise SourceError(path, "no recognisable study content (no title or abstract-like text)")
    return kept


def _has_content(doc: Document) -> bool:
    words = islice(_WORD.finditer(doc.body_text()), _MIN_BODY_WORDS)
    return sum(1 for _ in words) >= _MIN_BODY_WORDS


_LINE_READERS = {
    "pubmed_page": read_pubmed,
    "journal_page": read_journal,
    "plain_text": read_plain,
    "catalogue_record": read_catalogue,
    "markdown_summary": read_markdown,
}


def _read(fmt: str, text: str, path: str) -> list[Document]:
    if fmt in _JSON_FORMATS:
        if _JSON_START.match(text):
            return json_record.decode_json(text, path)
        return json_record.decode_embedded(text, path) or []
    if fmt == "medline_nbib":
        return medline.read_medline(text, path)
    if fmt == "ris":
        return ris.read_ris(text, path)
    if fmt == "jats_xml":
        return jats.read_jats(text, path)
    if fmt == "html_page":
        return html_reader.read_html(text, path)
    fields, body = _LINE_READERS[fmt](text)
    sections = find_sections(text, body)
    body = drop_from_body(body, sections)
    return [Document(path=path, text=text, format=fmt, fields=fields, body=tuple(body), sections=sections)]


# ------------------------------------------------------------- format detection

_JSON_START = re.compile(r"\s*(?:\{\s*[\"}]|\[\s*[{\]])")
_NCBI_STRONG = re.compile(
    r"An official website of the United States government|National Library of Medicine|\bNCBI\b|"
    r"PubMed Disclaimer|PMC Disclaimer|PMC Copyright notice|Europe PMC")
_NCBI_WEAK = re.compile(r"(?m)^(?:PMID:|PMCID:|Similar articles$|LinkOut - more resources$|Cited by$|"
                        r"Full text links$|MeSH terms$)")
# Literals one of which every match of the pattern above holds: a long text without any is
# not searched (the same answer, without a regex scan of a whole full text).
_NCBI_STRONG_CUES = ("An official website of the United States government", "National Library of Medicine", "NCBI",
                     "PubMed Disclaimer", "PMC Disclaimer", "PMC Copyright notice", "Europe PMC")
_NCBI_WEAK_CUES = ("PMID:", "PMCID:", "Similar articles", "LinkOut - more resources", "Cited by",
                   "Full text links", "MeSH terms")
_JOURNAL_MARKERS = tuple(re.compile(p) for p in (
    r"Download PDF", r"Download citation", r"Cite this article", r"Article metrics",
    r"(?m)^\s*[\d,.]+[kK]?\s+(?:Views|Citations|Downloads|Accesses)\s*$",
    r"(?m)^(?:Views|Citations|Downloads|Accesses)\s*[:|]?\s*[\d,]+\s*$",
    r"\bAltmetric\b", r"Rights and permissions", r"Reprints and permissions", r"About this article",
    r"Check for updates", r"(?m)^Open Access\s*$", r"(?m)^Received:?\s.*\d{4}", r"(?m)^Accepted:?\s.*\d{4}",
))
# Words one of which every match of the marker at the same place holds: a marker is searched
# for only where one is in the text.
_STATS_WORDS = ("Views", "Citations", "Downloads", "Accesses")
_MARKER_CUES = (("Download PDF",), ("Download citation",), ("Cite this article",), ("Article metrics",),
                _STATS_WORDS, _STATS_WORDS, ("Altmetric",), ("Rights and permissions",),
                ("Reprints and permissions",), ("About this article",), ("Check for updates",), ("Open Access",),
                ("Received",), ("Accepted",))
_HTML_DOCTYPE = re.compile(r"(?i)<!doctype html|<html[\s>]")
_MARKDOWN_START = re.compile(r"\s*# \S")
_MARKDOWN_LABELS = re.compile(r"(?m)^(?:\*\*Authors?:\*\*|## (?:Abstract|TL;DR|Summary))")


def _at_least(matches, n: int) -> bool:
    """Whether the iterable holds `n` or more distinct items (stops as soon as it does)."""
    seen = set()
    for item in matches:
        seen.add(item)
        if len(seen) >= n:
            return True
    return False


def detect_format(text: str) -> str:
    """The source format, judged from the content alone (see module docstring)."""
    text = normalise(text)
    if _JSON_START.match(text):
        try:
            value = json_record.parse_prefix(text)
        except json_record.JSONTooDeep:
            return "json_record"
        records = json_record.find_records(value[0]) if value else []
        return json_record.record_format(records[0]) if records else "json_record"
    head = text[:4096].lstrip()
    if head.startswith("<"):
        if jats.LOOKS_LIKE.search(head) and not _HTML_DOCTYPE.search(head):
            return "jats_xml"
        if html_reader.LOOKS_LIKE.search(head):
            return "html_page"
    if head.startswith("PMID-") or medline.LOOKS_LIKE.match(head):
        return "medline_nbib"
    if ris.LOOKS_LIKE.match(head):
        return "ris"
    if "{" in text and _EMBEDDED_JSON.search(text):
        docs = _embedded(text)
        if docs:
            return docs[0].format
    if _MARKDOWN_START.match(text) and _MARKDOWN_LABELS.search(text):
        return "markdown_summary"
    if _at_least((m.group(0) for m in CATALOGUE_LABELS.finditer(text)), 3):
        return "catalogue_record"
    if (any(c in text for c in _NCBI_STRONG_CUES) and _NCBI_STRONG.search(text)) \
            or (any(c in text for c in _NCBI_WEAK_CUES) and len(set(_NCBI_WEAK.findall(text))) >= 2):
        return "pubmed_page"
    markers = (p for p, cues in zip(_JOURNAL_MARKERS, _MARKER_CUES) if any(c in text for c in cues) and p.search(text))
    if sum(1 for _ in islice(markers, 2)) >= 2:
        return "journal_page"
    return "plain_text"


_EMBEDDED_JSON = re.compile(r'(?m)(?<=\n)[ \t]*\{[ \t]*"')


def _embedded(text: str):
    try:
        return json_record.decode_embedded(text, "")
    except SourceError:
        return None
