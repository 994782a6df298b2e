"""JSON records: Semantic Scholar, Europe PMC and Crossref results, and any other JSON.

Rendering (what `Document.text` is for every JSON format): the record's title, a blank line,
its abstract with HTML or JATS tags removed (block tags become line breaks, so "<jats:sec>
<jats:title>Results</jats:title>" gives a "Results" heading line), a blank line, then whatever
text followed the JSON value in the file. A file holding several records (a JSON array, a Europe
PMC `resultList`, a Crossref `message.items`) gives one Document per record, each rendered alone.

A record whose keys are not the usual ones is still read: the JSON tree is searched (iteratively,
never by recursion) for the longest abstract-like string and a title-like one. Lone UTF-16
surrogates ("\\ud800") are replaced by U+FFFD so that the text can always be printed.
"""
from __future__ import annotations

import json
import re

from livingreview.extract.document import Document, SourceError
from livingreview.extract.readers.common import (
    ABSTRACT_HEAD, clean_inline, dedupe, find_doi, line_spans, plain_body_from, strip_html)
from livingreview.extract.readers.sections import drop_from_body, find_sections, is_bare_heading, split_labels

_MAX_DEPTH = 64  # how deep the record search looks into a JSON tree
_SURROGATE = re.compile("[\ud800-\udfff]")


class JSONTooDeep(ValueError):
    """A JSON value nested deeper than the parser can follow."""


def parse_prefix(text: str, start: int | None = None):
    """(value, end offset) of the JSON value that opens `text` (or starts at `start`), or None.
    Raises JSONTooDeep for a value nested too deeply for the parser."""
    if start is None:
        start = len(text) - len(text.lstrip())
    try:
        return json.JSONDecoder().raw_decode(text, start)
    except json.JSONDecodeError:
        return None
    except RecursionError:
        raise JSONTooDeep("JSON nested too deeply to read") from None


def _clean(value):
    """`value` with every lone surrogate in its strings replaced by U+FFFD (iterative walk)."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    root = [value]
    stack = [(root, 0)]
    while stack:
        holder, key = stack.pop()
        item = holder[key]
        if isinstance(item, str):
            if _SURROGATE.search(item):
                holder[key] = _SURROGATE.sub("\ufffd", item)
        elif isinstance(item, dict):
            for k in list(item):
                if isinstance(k, str) and _SURROGATE.search(k):
                    item[_SURROGATE.sub("\ufffd", k)] = item.pop(k)
            stack.extend((item, k) for k in item)
        elif isinstance(item, list):
            stack.extend((item, i) for i in range(len(item)))
    return root[0]


_CONTAINER_KEYS = ("message", "data", "record", "result", "results", "resultList", "paper", "article",
                   "item", "items", "hits", "response", "docs")
_LIST_KEYS = ("items", "result", "results", "data", "hits", "records", "docs", "papers", "works")
_TITLE_KEYS = ("title", "Title", "ArticleTitle", "articleTitle", "display_name")
_ABSTRACT_KEYS = ("abstract", "Abstract", "abstractText", "AbstractText", "summary", "description")
_S2_KEYS = {"paperid", "paperId", "corpusId", "externalIds", "fieldsOfStudy", "s2FieldsOfStudy",
            "citationCount", "influentialCitationCount", "referenceCount", "PeriodicalName"}
_EPMC_KEYS = {"pmid", "pmcid", "authorString", "pubYear", "journalInfo", "abstractText", "pubTypeList",
              "journalTitle", "isOpenAccess", "inEPMC", "firstPublicationDate"}
_CROSSREF_KEYS = {"DOI", "container-title", "short-container-title", "published-print", "published-online",
                  "issued", "reference-count", "is-referenced-by-count", "member", "prefix"}


def _first_key(record: dict, keys):
    for key in keys:
        value = record.get(key)
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            value = " ".join(value)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _has_paper(record) -> bool:
    return isinstance(record, dict) and (
        _first_key(record, _TITLE_KEYS) is not None or _first_key(record, _ABSTRACT_KEYS) is not None)


def find_record(value):
    """The dict holding the paper: the value itself, or one nested in a usual wrapper key
    (breadth first, at most four levels); the outer dict when none holds a title or abstract."""
    level = [value]
    outer = value if isinstance(value, dict) else None
    for _ in range(5):
        nxt = []
        for item in level:
            if isinstance(item, list):
                nxt.extend(item[:1])
            elif isinstance(item, dict):
                if _has_paper(item):
                    return item
                outer = outer if outer is not None else item
                nxt.extend(item[k] for k in _CONTAINER_KEYS if k in item)
        level = nxt
    return outer


def find_records(value) -> list:
    """Every record of a search result: a JSON array's, a `resultList.result`'s, an `items`
    list's; else the one record find_record gives (possibly without title or abstract)."""
    candidates = None
    if isinstance(value, list):
        candidates = value
    elif isinstance(value, dict):
        scopes = [value] + [value[k] for k in ("message", "resultList", "response", "hits", "data")
                            if isinstance(value.get(k), dict)]
        for scope in scopes:
            for key in _LIST_KEYS:
                items = scope.get(key)
                if isinstance(items, list) and items and sum(map(_has_paper, items)) >= 1:
                    candidates = items
                    break
            if candidates is not None:
                break
    if candidates is not None:
        found = [r for r in (find_record(v) for v in candidates) if _has_paper(r)]
        if found:
            return found
    record = find_record(value)
    return [record] if record is not None else []


def record_format(record: dict) -> str:
    """Which JSON format a record is in, from its keys."""
    keys = set(record)
    platform = str(record.get("platform", "")).lower().replace(" ", "")
    if "semanticscholar" in platform or len(_S2_KEYS & keys) >= 2:
        return "semantic_scholar_json"
    if len(_EPMC_KEYS & keys) >= 2:
        return "europepmc_json"
    if len(_CROSSREF_KEYS & keys) >= 2 or ("DOI" in keys and isinstance(record.get("title"), list)):
        return "crossref_json"
    return "json_record"


# ------------------------------------------------------------ any JSON at all

_URLISH = re.compile(r"^(?:https?://|www\.|10\.\d{4,9}/)\S*$")


def _strings(value):
    """(key, string) of every string in the tree, iteratively and at most _MAX_DEPTH deep."""
    stack = [(None, value, 0)]
    while stack:
        key, item, depth = stack.pop()
        if isinstance(item, str):
            yield key, item
        elif depth < _MAX_DEPTH and isinstance(item, dict):
            stack.extend((k, v, depth + 1) for k, v in reversed(list(item.items())))
        elif depth < _MAX_DEPTH and isinstance(item, list):
            stack.extend((key, v, depth + 1) for v in reversed(item))


def _word_count(s: str) -> int:
    return len(s.split())


def generic_parts(value) -> tuple[str, str]:
    """(title, abstract) of a JSON value whatever its keys: the longest prose string (20 words
    or more) as abstract, a one-line string of 4 to 50 words (one under a key naming a title
    first) as title."""
    strings = [(str(k or ""), s) for k, s in _strings(value) if s.strip() and not _URLISH.match(s.strip())]
    prose = [s for _, s in strings if _word_count(s) >= 20]
    abstract = max(prose, key=len) if prose else ""
    titled, plain = None, None
    for key, s in strings:
        if s is abstract or "\n" in s.strip() or not 4 <= _word_count(s) <= 50:
            continue
        if re.search(r"(?i)title|headline|name", key) and titled is None:
            titled = s
        if plain is None and not s.rstrip().endswith((".", "…", "?")):
            plain = s
    return (titled or plain or "").strip(), abstract


# ------------------------------------------------------------ fields

def json_fields(record: dict) -> dict:
    """Title, authors, doi, journal, year and publication types stated by JSON keys."""
    fields: dict = {}
    if isinstance(record.get("pubTypeList"), dict):  # Europe PMC
        pub = record["pubTypeList"].get("pubType")
        record = {**record, "pubType": pub}
    title = _first_key(record, _TITLE_KEYS)
    if title:
        fields["title"] = clean_inline(strip_html(title))
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
            names = [a.strip() for a in re.split(r"[,;]", value.rstrip(". ")) if a.strip()]
            return [n for n in names if not re.fullmatch(r"(?i)et\.? al\.?|and others", n)]
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



# ------------------------------------------------------------ documents

def json_failure(text: str) -> str:
    """Why the JSON value opening `text` cannot be parsed (truncated or malformed)."""
    start = len(text) - len(text.lstrip())
    try:
        json.JSONDecoder().raw_decode(text, start)
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()) - 1 or exc.msg.startswith("Unterminated string"):
            return (f"truncated: the JSON record breaks off at character {exc.pos} "
                    f"and holds no complete object")
        return f"malformed JSON record ({exc.msg} at character {exc.pos})"
    except RecursionError:
        return "JSON nested too deeply to read"
    return "malformed JSON record"


def decode_json(text: str, path: str, start: int | None = None, keep_tail: bool = True) -> list[Document]:
    """The Documents of the JSON value opening `text` (or starting at `start`). With
    `keep_tail` (the JSON opens the file), text after the value is rendered after the record."""
    try:
        parsed = parse_prefix(text, start)
    except JSONTooDeep as exc:
        raise SourceError(path, str(exc)) from None
    if parsed is None:
        raise SourceError(path, json_failure(text))
    value, end = parsed
    value = _clean(value)
    records = find_records(value)
    if not records:
        raise SourceError(path, "no recognisable study content (JSON value holds no record)")
    tail = _SURROGATE.sub("\ufffd", text[end:].strip()) if keep_tail and len(records) == 1 else ""
    docs = []
    for record in records:
        docs.append(render_record(record, value, tail, path))
    return docs


def render_record(record: dict, value, tail: str, path: str) -> Document:
    """One record rendered (module docstring): title, abstract, tail; body and sections marked."""
    fmt = record_format(record)
    title = clean_inline(strip_html(_first_key(record, _TITLE_KEYS) or ""))
    abstract = strip_html(_first_key(record, _ABSTRACT_KEYS) or "")
    generic = False
    if not title and not abstract:
        # No usual keys: search the tree for a title-like and an abstract-like string.
        title, abstract = generic_parts(record if _has_paper(record) else value)
        title = clean_inline(strip_html(title)) if title else ""
        abstract = strip_html(abstract) if "<" in abstract else "\n".join(
            line.strip() for line in abstract.splitlines() if line.strip())
        generic = True
    if abstract and "\n" not in abstract and len(split_labels(abstract)) > 2:
        abstract = "\n".join(split_labels(abstract))
    parts = [p for p in (title, abstract, tail) if p]
    rendered = "\n\n".join(parts)
    body: list[tuple[int, int]] = []
    offset = 0
    if title:
        body.append((0, len(title)))
        offset = len(title) + 2
    if abstract and generic:
        body.extend(plain_body_from(rendered, offset, title_done=bool(title)))
        offset += len(abstract) + 2
    elif abstract:
        body.extend(sp for sp in line_spans(rendered, offset, offset + len(abstract))
                    if not ABSTRACT_HEAD.match(rendered[slice(*sp)]) and not is_bare_heading(rendered[slice(*sp)]))
        offset += len(abstract) + 2
    if tail:
        body.extend(plain_body_from(rendered, offset, title_done=True))
    body = dedupe(rendered, body)
    fields = json_fields(record)
    if generic:
        fields.pop("title", None)
        if title:
            fields["title"] = title
        doi = next((find_doi(s) for _, s in _strings(record) if find_doi(s)), None)
        if doi and "doi" not in fields:
            fields["doi"] = doi
    sections = find_sections(rendered, body)
    if title:
        body = drop_from_body(body, sections)
    return Document(path=path, text=rendered, format=fmt, fields=fields, body=tuple(body),
                    sections=sections)


_EMBEDDED = re.compile(r'(?m)^[ \t]*(?=\{[ \t]*"|\[[ \t]*\{)')


def decode_embedded(text: str, path: str) -> list[Document] | None:
    """The record(s) of a JSON value standing on its own line inside a saved page ("Corpus
    record (JSON)" under the site's banner), or None when no such line holds a paper."""
    for m in _EMBEDDED.finditer(text):
        if m.start() == 0:
            continue
        try:
            parsed = parse_prefix(text, m.end())
        except JSONTooDeep:
            continue
        if parsed is None:
            continue
        records = find_records(_clean(parsed[0]))
        if any(_first_key(r, _TITLE_KEYS) and _first_key(r, _ABSTRACT_KEYS) for r in records):
            return decode_json(text, path, m.end(), keep_tail=False)
    return None
