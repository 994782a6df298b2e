"""Read a source file into a `Document`: decode, detect its format, mark its body.

`read_source` does the I/O and the byte-level checks (missing, empty, binary,
not UTF-8); `decode_text` is the pure function behind it. A leading UTF-8 byte
order mark is dropped: `Document.text` and every span index the text WITHOUT
the BOM.

Formats are told apart by content, never by file name (`detect_format`). A
PubMed Central (PMC) article page counts as `pubmed_page`: it carries the same
NCBI banner, "Affiliations", disclaimer and reference tail as a PubMed page and
is read by the same rules (its full text after the abstract is not body).

JSON wrappers are rendered as title, blank line, abstract (HTML removed), blank
line, then whatever text followed the JSON value in the file.
"""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from itertools import islice

from livingreview.extract.document import Document, SourceError
from livingreview.extract.numbers import trimmed

FORMATS = ("pubmed_page", "semantic_scholar_json", "json_record", "catalogue_record",
           "markdown_summary", "journal_page", "plain_text")

_BOM = "\ufeff"
# Control characters other than tab, line feed, carriage return and form feed, and
# the replacement character a bad decode leaves behind.
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")
_MIN_BODY_WORDS = 4  # a title-like line at least
_WORD = re.compile(r"[^\W\d_]{2,}")


# ------------------------------------------------------------------- bytes in

def decode_bytes(raw: bytes, path: str) -> list[Document]:
    """The documents in a file's bytes (several for a search export), or SourceError saying why
    not. `path` is only carried into each Document and its errors; nothing is read here."""
    if not raw.strip():
        raise SourceError(path, "empty file")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError(path, "not UTF-8: the file is UTF-16 (byte-order mark); save it as UTF-8")
    if b"\x00" in raw or _mostly_binary_bytes(raw):
        raise SourceError(path, "binary file, not text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(path, f"not UTF-8 text (invalid byte 0x{raw[exc.start]:02x} at offset "
                                f"{exc.start}); save it as UTF-8") from None
    return [decode_text(text, path)]


def _mostly_binary_bytes(raw: bytes) -> bool:
    """Control bytes other than whitespace in more than 10% of the first 4 KiB."""
    head = raw[:4096]
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return control > len(head) * 0.10


# ---------------------------------------------------------------- pure decoding

def decode_text(raw: str, path: str) -> Document:
    """Turn decoded file text into a Document, or raise SourceError saying why not."""
    text = raw[1:] if raw.startswith(_BOM) else raw
    if not text.strip():
        raise SourceError(path, "empty file (only whitespace)")
    control = len(_CONTROL.findall(text))
    if "\x00" in text or control > len(text) * 0.10:
        raise SourceError(path, "binary content, not text")
    fmt = detect_format(text)
    if fmt in ("semantic_scholar_json", "json_record"):
        doc = _decode_json(text, path, fmt)
    else:
        fields, body = _READERS[fmt](text)
        doc = Document(path=path, text=text, format=fmt, fields=fields, body=tuple(body))
    words = islice(_WORD.finditer(doc.body_text()), _MIN_BODY_WORDS)
    if sum(1 for _ in words) < _MIN_BODY_WORDS:
        raise SourceError(path, "no recognisable study content (no title or abstract-like text)")
    return doc


# ------------------------------------------------------------- format detection

_JSON_START = re.compile(r"\s*(?:\{\s*[\"}]|\[\s*[{\]])")
_S2_KEYS = {"paperid", "paperId", "corpusId", "externalIds", "fieldsOfStudy", "s2FieldsOfStudy",
            "citationCount", "influentialCitationCount", "referenceCount", "PeriodicalName"}
_CATALOGUE_LABELS = re.compile(
    r"(?m)^(?:Main Authors?|Other Authors|Format|Language|Published|Series|Subjects|Online Access|"
    r"Tags|Summary|ISSN|ISBN|Physical Description|Saved in|Notes):")
_NCBI_STRONG = re.compile(
    r"An official website of the United States government|National Library of Medicine|\bNCBI\b|"
    r"PubMed Disclaimer|PMC Disclaimer|PMC Copyright notice|Europe PMC")
_NCBI_WEAK = re.compile(r"(?m)^(?:PMID:|PMCID:|Similar articles$|LinkOut - more resources$|Cited by$|"
                        r"Full text links$|MeSH terms$)")
_JOURNAL_MARKERS = (
    r"Download PDF", r"Download citation", r"Cite this article", r"Article metrics",
    r"(?m)^\s*[\d,.]+[kK]?\s+(?:Views|Citations|Downloads|Accesses)\s*$",
    r"(?m)^(?:Views|Citations|Downloads|Accesses)\s*[:|]?\s*[\d,]+\s*$",
    r"\bAltmetric\b", r"Rights and permissions", r"Reprints and permissions", r"About this article",
    r"Check for updates", r"(?m)^Open Access\s*$", r"(?m)^Received:?\s.*\d{4}", r"(?m)^Accepted:?\s.*\d{4}",
)


def detect_format(text: str) -> str:
    """The source format, judged from the content alone (see module docstring)."""
    text = text[1:] if text.startswith(_BOM) else text
    if _JSON_START.match(text):
        value = _parse_json_prefix(text)
        record = _find_record(value[0]) if value else None
        if record is not None and _is_semantic_scholar(record):
            return "semantic_scholar_json"
        return "json_record"
    if re.match(r"\s*# \S", text) and re.search(r"(?m)^(?:\*\*Authors?:\*\*|## (?:Abstract|TL;DR|Summary))", text):
        return "markdown_summary"
    if len(set(m.group(0) for m in _CATALOGUE_LABELS.finditer(text))) >= 3:
        return "catalogue_record"
    if _NCBI_STRONG.search(text) or len(set(_NCBI_WEAK.findall(text))) >= 2:
        return "pubmed_page"
    if sum(1 for p in _JOURNAL_MARKERS if re.search(p, text)) >= 2:
        return "journal_page"
    return "plain_text"


def _is_semantic_scholar(record: dict) -> bool:
    platform = str(record.get("platform", "")).lower().replace(" ", "")
    return "semanticscholar" in platform or len(_S2_KEYS & set(record)) >= 2


# ------------------------------------------------------------------ JSON wrapper

def _parse_json_prefix(text: str):
    """(value, end offset) of the JSON value that opens `text`, or None."""
    start = len(text) - len(text.lstrip())
    try:
        return json.JSONDecoder().raw_decode(text, start)
    except json.JSONDecodeError:
        return None


_CONTAINER_KEYS = ("message", "data", "record", "result", "results", "resultList", "paper", "article",
                   "item", "items", "hits", "response", "docs")


def _find_record(value, depth: int = 0):
    """The dict holding the paper: the value itself or one nested in a usual wrapper key."""
    if depth > 4:
        return None
    if isinstance(value, list):
        for item in value[:1]:
            return _find_record(item, depth + 1)
        return None
    if not isinstance(value, dict):
        return None
    if _first_key(value, _TITLE_KEYS) is not None or _first_key(value, _ABSTRACT_KEYS) is not None:
        return value
    for key in _CONTAINER_KEYS:
        if key in value:
            found = _find_record(value[key], depth + 1)
            if found is not None:
                return found
    return value


_TITLE_KEYS = ("title", "Title", "ArticleTitle", "articleTitle", "display_name")
_ABSTRACT_KEYS = ("abstract", "Abstract", "abstractText", "AbstractText", "summary", "description")


def _first_key(record: dict, keys):
    for key in keys:
        value = record.get(key)
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            value = " ".join(value)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _decode_json(text: str, path: str, fmt: str) -> Document:
    parsed = _parse_json_prefix(text)
    if parsed is None:
        raise SourceError(path, _json_failure(text))
    value, end = parsed
    record = _find_record(value)
    if record is None:
        raise SourceError(path, "no recognisable study content (JSON value holds no record)")
    title = _clean_inline(strip_html(_first_key(record, _TITLE_KEYS) or ""))
    abstract = strip_html(_first_key(record, _ABSTRACT_KEYS) or "")
    tail = text[end:].strip()
    parts = [p for p in (title, abstract, tail) if p]
    rendered = "\n\n".join(parts)
    body: list[tuple[int, int]] = []
    offset = 0
    if title:
        body.append((0, len(title)))
        offset = len(title) + 2
    if abstract:
        body.extend(sp for sp in _line_spans(rendered, offset, offset + len(abstract))
                    if not _ABSTRACT_HEAD.match(rendered[slice(*sp)]))
        offset += len(abstract) + 2
    if tail:
        body.extend(_plain_body_from(rendered, offset, title_done=True))
    body = _dedupe(rendered, body)
    return Document(path=path, text=rendered, format=fmt, fields=json_fields(record), body=tuple(body))


def _json_failure(text: str) -> str:
    start = len(text) - len(text.lstrip())
    try:
        json.JSONDecoder().raw_decode(text, start)
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()) - 1 or exc.msg.startswith("Unterminated string"):
            return (f"truncated: the JSON record breaks off at character {exc.pos} "
                    f"and holds no complete object")
        return f"malformed JSON record ({exc.msg} at character {exc.pos})"
    return "malformed JSON record"


def json_fields(record: dict) -> dict:
    """Title, authors, doi, journal, year and publication types stated by JSON keys."""
    fields: dict = {}
    title = _first_key(record, _TITLE_KEYS)
    if title:
        fields["title"] = _clean_inline(strip_html(title))
    authors = _json_authors(record)
    if authors is not None:
        fields["authors"] = authors
    doi = None
    ext = record.get("externalIds")
    for value in (record.get("doi"), record.get("DOI"), ext.get("DOI") if isinstance(ext, dict) else None,
                  record.get("ListUrlMain"), record.get("url"), record.get("URL"), record.get("DOIUrl")):
        if isinstance(value, str) and find_doi(value):
            doi = find_doi(value)
            break
    if doi:
        fields["doi"] = doi
    journal = _json_journal(record)
    if journal:
        fields["journal"] = journal
    year = _json_year(record)
    if year:
        fields["year"] = year
    types = record.get("publicationTypes") or record.get("publication_types") or record.get("pubType") \
        or record.get("type")
    if isinstance(types, str) and types.strip():
        fields["publication_types"] = [t.strip() for t in re.split(r"[;,]", types) if t.strip()]
    elif isinstance(types, list):
        fields["publication_types"] = [str(t).strip() for t in types if str(t).strip()]
    return fields


def _json_authors(record: dict):
    for key in ("authors", "author", "authorString", "Authors", "creators"):
        value = record.get(key)
        if isinstance(value, str):
            return [a.strip() for a in re.split(r"[,;]", value.rstrip(". ")) if a.strip()]
        if isinstance(value, list):
            names = []
            for item in value:
                if isinstance(item, str):
                    names.append(item.strip())
                elif isinstance(item, dict):
                    if isinstance(item.get("author"), dict):
                        item = item["author"]
                    name = item.get("name") or item.get("display_name") or item.get("full_name") or \
                        " ".join(str(item[k]) for k in ("given", "family") if item.get(k))
                    if name:
                        names.append(str(name).strip())
            return [n for n in names if n]
    return None


def _json_journal(record: dict):
    journal = record.get("journal")
    if isinstance(journal, dict):
        journal = journal.get("name") or journal.get("title")
    info = record.get("journalInfo")
    candidates = [journal, record.get("container-title"), record.get("venue"), record.get("journalTitle"),
                  record.get("PeriodicalName"),
                  info.get("journal", {}).get("title") if isinstance(info, dict) else None]
    for value in candidates:
        if isinstance(value, list):
            value = value[0] if value and isinstance(value[0], str) else None
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _json_year(record: dict):
    for key in ("year", "publicationYear", "publication_year", "pubYear", "publicationDate",
                "published", "issued", "published-print", "published-online", "EPubDate", "date"):
        value = record.get(key)
        if isinstance(value, dict):
            parts = value.get("date-parts")
            value = parts[0][0] if parts and parts[0] else None
        if isinstance(value, int) and 1800 < value < 2200:
            return value
        if isinstance(value, str):
            m = re.search(r"\b(1[89]\d\d|2[01]\d\d)\b", value)
            if m:
                return int(m.group(1))
    return None


class _TextExtractor(HTMLParser):
    _BLOCK = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
              "section", "blockquote", "title", "sec", "abstract"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def _is_block(self, tag: str) -> bool:
        return tag.rsplit(":", 1)[-1] in self._BLOCK

    def handle_starttag(self, tag, attrs):
        if self._is_block(tag):
            self.parts.append("\n")
        elif tag.rsplit(":", 1)[-1] == "sup":
            self.parts.append("^")

    def handle_endtag(self, tag):
        if self._is_block(tag):
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def strip_html(fragment: str) -> str:
    """Plain text of an HTML fragment: tags dropped, block tags as line breaks, entities unescaped.

    Superscripts keep a caret ("10<sup>9</sup>" -> "10^9") so two numbers never fuse.
    """
    parser = _TextExtractor()
    parser.feed(fragment)
    parser.close()
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def _clean_inline(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# ------------------------------------------------------------- line machinery

_LINE_RE = re.compile(r"[^\n]+")


def _line_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line in text[start:end], trimmed of outer whitespace."""
    end = len(text) if end is None else end
    spans = []
    for m in _LINE_RE.finditer(text, start, end):
        span = trimmed(text, m.start(), m.end())
        if span:
            spans.append(span)
    return spans


def _merge(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Join a line to the previous one when it continues a hard-wrapped sentence (single
    line break, previous line not ending in . ! ? : ;). The first span (the title) stays alone."""
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if len(merged) > 1 and _wrapped(text, merged[-1][1], s):
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def _wrapped(text: str, a: int, b: int) -> bool:
    gap = text[a:b]
    return gap.count("\n") == 1 and not gap.strip() and text[a - 1] not in ".!?:;"


def _norm(s: str) -> str:
    return " ".join(s.split()).casefold()  # = re.sub(r"\s+", " ", s).strip(), faster


def _dedupe(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Drop body lines that repeat an earlier one, and "..." teasers of a longer kept line."""
    lines = [(s, e) for span in spans for (s, e) in _line_spans(text, *span)]
    seen: set[str] = set()
    kept = []
    for s, e in lines:
        key = _norm(text[s:e])
        if key in seen:
            continue
        seen.add(key)
        kept.append((s, e))
    whole = [_norm(text[s:e]) for s, e in kept]
    result = []
    for (s, e), key in zip(kept, whole):
        # = re.sub(r"(?:\.\.\.|\u2026)$", "", key).strip(): keys hold no newline
        stem = (key[:-3] if key.endswith("...") else key[:-1] if key.endswith("\u2026") else key).strip()
        if stem != key and len(stem) > 20 and any(stem in other and other != key for other in whole):
            continue
        result.append((s, e))
    return _merge(result, text)


# --------------------------------------------------------- boilerplate tables

_STOP = re.compile(
    r"(?i)^(?:references|bibliography|cited by|similar articles|linkout - more resources|"
    r"pubmed disclaimer|pmc disclaimer|conflicts? of interest(?: statement)?|competing interests|"
    r"declaration of competing interest|figures?(?: and tables)?|tables|supplementary (?:information|materials?|data)|"
    r"acknowledge?ments?|funding(?: information)?|author contributions|data availability(?: statement)?|"
    r"ethics (?:approval|declarations|statement)|rights and permissions|about this article|comment in|"
    r"mesh terms|substances|grants and funding|related information|publication types|"
    r"keywords?:?.*|key words:?.*|(?:\d\.?\s*)?introduction|main text|full text links|"
    r"similar content being viewed by others|associated data|footnotes|abbreviations|"
    r"copyright(?: notice)?|related articles|further reading|sources|read more)$")
_SKIP = re.compile(
    r"(?i)^(?:skip to (?:main )?(?:page )?content|u\.s\. flag|an official website of the united states government|"
    r"dot gov|the \.gov means it.s official\..*|federal government websites often end in.*|https|"
    r"the site is secure\.|the https:// ensures.*|access keys .*|affiliations?|author information|"
    r"expand|collapse|show (?:more|less|all).*|full text links|cite(?: this article)?|share|save|email|send to|"
    r"display options|actions|collections|page navigation|permalink|copy|download pdf|download citation|"
    r"pdf|epub|print|article metrics|metrics|open access|original (?:research|article)|research article|"
    r"check for updates|menu|search|log ?in|sign ?in|register|subscribe|home|journals?|"
    r"abstract|summary|free (?:pmc )?article|review|item in clipboard|pmid:.*|pmcid:.*|doi:.*|"
    r"(?:published|received|accepted|revised|published online|first published|issue date)\s*:?\s*"
    r"(?:on\s+)?(?:\d{1,2}\s+)?(?:[a-z]+\.?\s+)?(?:\d{1,2},?\s+)?(?:19|20)\d{2}\b.*|"
    r"citation:.*|correspondence:?.*|\*?corresponding author.*|©.*|copyright ©.*|"
    r"this (?:question|page|article|content) (?:is|was) (?:drawn|provided|intended|written|for).*|"
    r"we do not provide individuali[sz]ed advice\.?|advertisement|related stories|"
    # Page metrics, one or several to a line: "3,091 Views 22 Citations", "Views: 310 | Downloads: 52".
    r"(?:[\d,.]+[k]?\s+(?:views|citations|downloads|accesses|reads|mentions|shares|altmetric)\b\s*[|\u00b7\u2022,;]?\s*)+|"
    r"(?:(?:views|citations|downloads|accesses|citation count|times cited)\s*[:|]?\s*[\d,]+\s*[|\u00b7\u2022,;]?\s*)+|"
    r"(?:journal\s+)?impact\s+factor\s*[:|]?\s*\d.*|citescore\s*[:|]?\s*\d.*|"
    # Figure and table captions: "Figure 2. Kaplan-Meier ...", "Fig. 3 | ...", "Table 1: ...".
    r"(?:supplementary\s+)?(?:fig(?:ure)?s?\.?|table)\s*S?\d+[a-z]?\s*(?:[.:|\u2013\u2014-]\s.*)?|"
    r"here.s how you know|official websites use \.gov.*|secure \.gov websites use https.*|"
    r"search pmc full-text archive|as a library, nlm provides access.*|learn more:.*|"
    r"article notes|copyright and license information|share this article|by [A-Z][^.]{0,60}|"
    r"引用次数\s*[:：]\s*\d+|[^.;]{0,80}\.?\s*(?:19|20)\d{2}\b[^;]{0,30};.*|.*\bet\s+al\.\s+.*\.\s*\.?\s*)$")
_NAV_PIPES = re.compile(r"^(?:[^|]{1,30}\|){2,}[^|]{0,30}$")
_ABSTRACT_HEAD = re.compile(r"(?i)^(?:abstract|summary|structured abstract)\s*:?$")


def _is_skip(line: str) -> bool:
    return bool(_SKIP.match(line) or _NAV_PIPES.match(line))


def _title_candidate(line: str) -> bool:
    words = line.split()
    if not 4 <= len(words) <= 60 or _is_skip(line) or _STOP.match(line):
        return False
    if re.match(r"(?i)^(?:department|division|school|faculty|institute|\d+\s*[A-Z]|https?:|www\.)", line):
        return False
    if _pubmed_author_line(line):
        return False
    return line.count(",") < max(3, len(words) // 4)


def _plain_body_from(text: str, start: int, title_done: bool = False) -> list[tuple[int, int]]:
    """Body of a page read as lines: title, then the abstract (or all prose) up to a stop heading."""
    lines = _line_spans(text, start)
    body: list[tuple[int, int]] = []
    i = 0
    if not title_done:
        title_idx = _find_title(text, lines)
        if title_idx is None:
            return []
        body.append(lines[title_idx])
        i = title_idx + 1
    heads = [k for k in range(i, len(lines)) if _ABSTRACT_HEAD.match(text[slice(*lines[k])])]
    if heads and not any(_STOP.match(text[slice(*lines[k])]) for k in range(i, heads[0])):
        i = heads[0] + 1
    for s, e in lines[i:]:
        line = text[s:e]
        if _STOP.match(line):
            break
        if not _is_skip(line):
            body.append((s, e))
    return body


def _find_title(text: str, lines: list[tuple[int, int]]):
    """The title line: the one before "Affiliations" if there is one, else the first title-like line."""
    for k, (s, e) in enumerate(lines):
        if re.match(r"(?i)^(?:affiliations?|author information)$", text[s:e]):
            back = k - 1
            while back >= 0 and _pubmed_author_line(text[slice(*lines[back])]):
                back -= 1
            if back >= 0 and _title_candidate(text[slice(*lines[back])]):
                return back
            break
    # A publisher page: the title stands just before the "Abstract" heading, with at most
    # an author line between (the first title-like line may be the journal's name).
    for k, (s, e) in enumerate(lines):
        if _ABSTRACT_HEAD.match(text[s:e]):
            back = k - 1
            if back >= 0 and _pubmed_author_line(text[slice(*lines[back])]):
                back -= 1
            if back >= 0 and _title_candidate(text[slice(*lines[back])]):
                return back
            break
    for k, (s, e) in enumerate(lines):
        if _title_candidate(text[s:e]):
            return k
    return None


# ------------------------------------------------------------ format readers

_DOI = re.compile(r"\b10\.\d{4,9}/[^\s\"'<>|\]\[]+", re.IGNORECASE)
_DOI_SUFFIX = re.compile(r"(?i)(?:[.,;:)}]+|/full(?:text)?|/abstract|/pdf|\.pdf|/epdf|/html?|\.html?|/meta|/full\.md)$")


def find_doi(text: str):
    """The first DOI in `text`, bare and lower case, with URL tails ("/full", ".pdf") and
    trailing punctuation removed; None if there is none."""
    m = _DOI.search(text)
    if not m:
        return None
    doi = m.group(0)
    while True:
        trimmed = _DOI_SUFFIX.sub("", doi)
        if trimmed == doi:
            break
        doi = trimmed
    return doi.lower() if re.match(r"10\.\d{4,9}/\S+$", doi) else None


def _read_pubmed(text: str):
    body = _plain_body_from(text, 0)
    body = _dedupe(text, body)
    fields: dict = {}
    lines = _line_spans(text)
    if body:
        title_span = body[0]
        fields["title"] = text[slice(*title_span)]
        head = text[:title_span[0]]
        fields.update(_pubmed_head(head))
        for s, e in lines:
            if s <= title_span[1]:
                continue
            line = text[s:e]
            if _ABSTRACT_HEAD.match(line):
                break
            parsed = _pubmed_author_line(line)
            if parsed:
                fields.update(parsed)
                break
    region = text[:body[-1][1]] if body else text
    doi = find_doi(region)
    if doi:
        fields["doi"] = doi
    pmid = re.search(r"PMID:\s*(\d+)", region)
    if pmid:
        fields["pmid"] = pmid.group(1)
    return fields, body


def _pubmed_head(head: str) -> dict:
    fields = {}
    m = re.search(r"(?m)(?:^|\.\s*)((?:19|20)\d{2})\s+(?:[A-Z][a-z]{2}|\d{1,2}\b|;)", head)
    m = m or re.search(r"eCollection\s+((?:19|20)\d{2})", head)
    if m:
        fields["year"] = int(m.group(1))
    j = re.search(r"(?m)^([A-Z][A-Za-z &]+)\.\s+(?:19|20)\d{2}\b", head)
    if j:
        fields["journal"] = j.group(1).strip()
    return fields


def _pubmed_author_line(line: str):
    """"Yao Liao et al. Oncol Lett. ." or "Yao Liao 1, Xiao Li 2" -> authors (and journal)."""
    m = re.match(r"^(?P<first>[^\d.,;]{3,60}?)\s+et\s+al\.\s*(?P<journal>[A-Z][^.]{1,80})?\.?", line)
    if m:
        out = {"authors": [m.group("first").strip()]}
        if m.group("journal") and m.group("journal").strip():
            out["journal"] = m.group("journal").strip()
        return out
    names = [re.sub(r"[\d*†\s]+$", "", a).strip()
             for a in re.split(r",\s*|\s+&\s+|\s+and\s+", line.rstrip("."))]
    names = [n for n in names if n]
    name = r"(?:[A-Z][\w'\u00c0-\u024f-]*\.?\s?){2,4}|[A-Z][\w'\u00c0-\u024f-]+,?\s[A-Z]{1,3}"
    if len(names) >= 2 and all(re.fullmatch(name, n) and len(n.split()) <= 4 for n in names):
        return {"authors": names}
    return None


def _read_journal(text: str):
    body = _dedupe(text, _plain_body_from(text, 0))
    fields: dict = {}
    if body:
        title_span = body[0]
        fields["title"] = text[slice(*title_span)]
        after = [text[s:e] for s, e in _line_spans(text, title_span[1])][:3]
        for line in after:
            authors = _pubmed_author_line(line)
            if authors and "journal" not in authors:
                fields["authors"] = authors["authors"]
                break
    region = text[:body[-1][1]] if body else text
    labelled = re.search(r"(?mi)^doi\s*:?\s*\n?\s*(?:https?://(?:dx\.)?doi\.org/)?(10\.\S+)", text)
    doi = find_doi(region) or (find_doi(labelled.group(1)) if labelled else None)
    if doi:
        fields["doi"] = doi
    m = re.search(r"(?mi)^(?:published(?: online)?|first published|issue date)\s*:?\s.*?\b((?:19|20)\d{2})\b",
                  region)
    if m:
        fields["year"] = int(m.group(1))
    j = re.search(r"(?m)^(?:Journal|Source|Published in):\s*(.+?)\s*$", region) or \
        re.search(r"(?m)^([A-Z][\w&:,' -]{3,80}?)\s+(?:volume|vol\.)\s*\d+", region)
    if j:
        fields["journal"] = j.group(1).strip()
    return fields, body


def _read_plain(text: str):
    body = _dedupe(text, _plain_body_from(text, 0))
    fields: dict = {}
    if body:
        fields["title"] = text[slice(*body[0])]
        region = text[:body[-1][1]]
        m = re.search(r"(?mi)^(?:published|posted|updated|date)\b[^\n]*?\b((?:19|20)\d{2})\b", region)
        if m:
            fields["year"] = int(m.group(1))
        doi = find_doi(region)
        if doi:
            fields["doi"] = doi
    return fields, body


_CAT_FIELD = re.compile(r"(?m)^(?P<label>[A-Z][A-Za-z .-]{1,40}?):[ \t]*(?:\|(?P<piped>[^|]*)\||(?P<line>[^|\n]*)$)")


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


def _read_catalogue(text: str):
    cat = catalogue_fields(text)
    lines = _line_spans(text)
    body: list[tuple[int, int]] = []
    fields: dict = {}
    first_label = min((s for s, _ in cat.values()), default=len(text))
    pre = [(s, e) for s, e in lines if e <= first_label and not _CATALOGUE_LABELS.match(text[s:e])
           and not _is_skip(text[s:e]) and text[s:e] != "Saved in:"]
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
    return fields, _dedupe(text, body)


_MD_DROP = re.compile(r"(?i)^(?:linked entities|full-text entities|full text|figures?|tables?|references|"
                      r"source|citations?|cited by|related(?: papers)?|similar (?:papers|articles)|metadata|"
                      r"entities|links|supplementary.*)$")


def _read_markdown(text: str):
    """Title from "# ", metadata from the lines before the first "##" section, body from the
    sections that are not link/entity/figure tails; "---" or "Source:" ends the summary."""
    body: list[tuple[int, int]] = []
    fields: dict = {}
    in_sections, keep = False, True
    for s, e in _line_spans(text):
        line = text[s:e]
        if line.startswith("# ") and "title" not in fields:
            fields["title"] = line[2:].strip()
            body.append((s + 2, e))
        elif re.match(r"#{2,6}\s", line):
            in_sections = True
            keep = not _MD_DROP.match(line.lstrip("#").strip())
        elif line == "---" or line.startswith("Source:"):
            in_sections, keep = True, False
        elif not in_sections:
            _markdown_meta(line, fields)
        elif keep:
            bullet = re.match(r"[-*+]\s+", line)
            body.append((s + (bullet.end() if bullet else 0), e))
    return fields, _dedupe(text, body)


def _markdown_meta(line: str, fields: dict) -> None:
    labelled = re.match(r"\*\*(?P<label>[^*]+?):\*\*\s*(?P<value>.*)$", line)
    if labelled:
        label, value = labelled.group("label").lower(), labelled.group("value").strip()
        if label in ("authors", "author"):
            fields["authors"] = [a.strip() for a in value.split(",") if a.strip()]
        elif label in ("journal", "venue", "source") and value:
            fields["journal"] = value
        elif label in ("year", "published", "date"):
            m = re.search(r"\b((?:19|20)\d{2})\b", value)
            if m:
                fields["year"] = int(m.group(1))
        elif label == "doi" and find_doi(value):
            fields["doi"] = find_doi(value)
        return
    if " · " in line:
        rest = []
        for item in (p.strip() for p in line.split(" · ")):
            if find_doi(item):
                fields.setdefault("doi", find_doi(item))
            elif re.fullmatch(r"(?:19|20)\d{2}(?:-\d{2}(?:-\d{2})?)?", item):
                fields.setdefault("year", int(item[:4]))
            elif item and item not in ("PMC", "PubMed", "Europe PMC", "arXiv", "medRxiv", "bioRxiv",
                                       "Semantic Scholar", "Open Access"):
                rest.append(item)
        if rest:
            fields.setdefault("journal", rest[-1])


_READERS = {
    "pubmed_page": _read_pubmed,
    "journal_page": _read_journal,
    "plain_text": _read_plain,
    "catalogue_record": _read_catalogue,
    "markdown_summary": _read_markdown,
}
