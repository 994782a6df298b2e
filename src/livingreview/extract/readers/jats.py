"""JATS XML articles (PubMed Central, publishers): front matter, abstract and body sections.

Parsed with lxml, never resolving entities or fetching DTDs. One Document per <article>
(a <pmc-articleset> holds several). Text of an article: the article title, a blank line, then
each abstract section (its <title> on a line of its own, one line per <p>), then each body
section the same way; <ref-list>, figures, tables and their captions are left out.
Body: the title, the abstract's paragraphs and the body's paragraphs outside introduction,
discussion and back-matter sections. Fields: title, authors ("Given Surname"), year (the first
<pub-date> with a year, epub/ppub first), journal, doi, publication type (article-type).
"""
from __future__ import annotations

import re

from lxml import etree

from livingreview.extract.document import Document, SourceError
from livingreview.extract.readers.common import clean_inline, find_doi
from livingreview.extract.readers.sections import NOT_BODY, Rendering, section_role

LOOKS_LIKE = re.compile(r"<(?:article|pmc-articleset|front|article-meta)\b[^>]*>")
_SKIP_TAGS = {"fig", "table-wrap", "ref-list", "xref", "label", "caption", "table", "graphic",
              "media", "supplementary-material", "fn-group", "object-id", "disp-formula"}


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           recover=True, huge_tree=False, remove_comments=True, remove_pis=True)


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1] if isinstance(tag, str) else ""


def _text(el) -> str:
    """The element's text, skipping cross-references and labels, spacing collapsed."""
    parts: list[str] = []
    stack_safe_walk(el, parts)
    return clean_inline("".join(parts))


def stack_safe_walk(el, parts: list[str]) -> None:
    """Append the text of `el` (without xref/label/fn/fig/table children) to `parts`, iteratively."""
    todo = [("node", el)]
    while todo:
        kind, node = todo.pop()
        if kind == "text":
            parts.append(node)
            continue
        if node.text:
            parts.append(node.text)
        for child in reversed(list(node)):
            if child.tail:
                todo.append(("text", child.tail))
            name = _local(child.tag)
            if name not in ("xref", "label", "fn", "fig", "table-wrap"):
                todo.append(("node", child))
            if name == "sup":
                todo.append(("text", "^"))


def _find(el, name: str):
    for node in el.iter():
        if _local(node.tag) == name:
            return node
    return None


def _findall(el, name: str):
    return [node for node in el.iter() if _local(node.tag) == name]


def _children(el, name: str):
    return [c for c in el if _local(c.tag) == name]


def _sec_blocks(container, full_text: bool, out: list, depth: int = 0, parent: str | None = None) -> None:
    """(heading, paragraphs, role) of the loose <p>s and of each <sec> in `container`, nested
    sections after their parent (at most six levels)."""
    loose = [_text(p) for p in container if _local(p.tag) == "p"]
    if loose and depth == 0:
        out.append((None, loose, None))
    for sec in _children(container, "sec"):
        title_el = next(iter(_children(sec, "title")), None)
        heading = _text(title_el) if title_el is not None else ""
        paragraphs = [t for t in (_text(p) for p in sec if _local(p.tag) in ("p", "list")) if t]
        role = (section_role(heading, full_text) if heading else None) or parent
        out.append((heading or None, paragraphs, role))
        if depth < 6:
            _sec_blocks(sec, full_text, out, depth + 1, role)


def article_fields(article) -> dict:
    """Title, authors, year, journal, doi and type of one <article>."""
    fields: dict = {}
    meta = _find(article, "article-meta")
    scope = meta if meta is not None else article
    title = _find(scope, "article-title")
    if title is not None and _text(title):
        fields["title"] = _text(title)
    authors = []
    for contrib in _findall(scope, "contrib"):
        if contrib.get("contrib-type", "author") != "author":
            continue
        name = _find(contrib, "name")
        if name is not None:
            given, sur = _find(name, "given-names"), _find(name, "surname")
            authors.append(" ".join(_text(x) for x in (given, sur) if x is not None and _text(x)))
        elif _find(contrib, "collab") is not None:
            authors.append(_text(_find(contrib, "collab")))
    if authors:
        fields["authors"] = [a for a in authors if a]
    dates = _findall(scope, "pub-date")
    dates.sort(key=lambda d: 0 if (d.get("pub-type") or d.get("date-type") or "") in ("epub", "ppub", "pub") else 1)
    for date in dates:
        year = _find(date, "year")
        if year is not None and re.fullmatch(r"\s*(1[89]\d\d|2[01]\d\d)\s*", year.text or ""):
            fields["year"] = int(year.text)
            break
    journal = _find(article, "journal-title")
    if journal is not None and _text(journal):
        fields["journal"] = _text(journal)
    for aid in _findall(scope, "article-id"):
        if aid.get("pub-id-type") == "doi" and find_doi(aid.text or ""):
            fields["doi"] = find_doi(aid.text)
            break
    if article.get("article-type"):
        fields["publication_types"] = [article.get("article-type")]
    return fields


_CHAR_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")


def _no_surrogate(m: re.Match) -> str:
    """A character reference to a UTF-16 surrogate (never a character) becomes U+FFFD."""
    code = int(m.group(1), 16) if m.group(1) else int(m.group(2))
    return "&#xFFFD;" if 0xD800 <= code <= 0xDFFF else m.group(0)


def read_jats(text: str, path: str) -> list[Document]:
    """One Document per <article> of a JATS file (module docstring)."""
    text = _CHAR_REF.sub(_no_surrogate, text)
    try:
        root = etree.fromstring(text.encode("utf-8"), _parser())
    except etree.XMLSyntaxError as exc:
        raise SourceError(path, f"malformed XML ({exc})") from None
    if root is None:
        raise SourceError(path, "malformed XML (no root element)")
    articles = [root] if _local(root.tag) == "article" else _findall(root, "article") or [root]
    return [_article_document(a, path) for a in articles]


def _article_document(article, path: str) -> Document:
    fields = article_fields(article)
    r = Rendering()
    r.title(fields.get("title", ""))
    meta = _find(article, "article-meta")
    abstracts = [a for a in _findall(meta if meta is not None else article, "abstract")
                 if a.get("abstract-type") in (None, "", "structured", "summary")][:1]
    for abstract in abstracts:
        blocks: list = []
        _sec_blocks(abstract, False, blocks)
        for heading, paragraphs, role in blocks:
            r.block(heading, paragraphs, role=role or "abstract")
    body = next((b for b in article if _local(b.tag) == "body"), None)
    if body is not None:
        blocks = []
        _sec_blocks(body, True, blocks)
        for heading, paragraphs, role in blocks:
            role = role or "other"
            r.block(heading, paragraphs, role=role, body=role not in NOT_BODY)
    rendered = r.text()
    return Document(path=path, text=rendered, format="jats_xml", fields=fields, body=tuple(r.body),
                    sections=tuple(r.sections))
