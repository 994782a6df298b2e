"""Saved HTML article pages, read with lxml's HTML parser (never regexes over markup).

Bibliographic fields come from the page's meta tags first (citation_title, citation_author,
citation_publication_date / citation_date / citation_year, citation_doi,
citation_journal_title), then Dublin Core (dc.*) and Open Graph (og:*), then the <h1>.
Text inside <script>, <style>, <noscript>, <template>, <nav>, <header>, <footer>, <aside>, <form>
and <button> is never read. Text of a page (what spans index): the title, a blank line, the
front matter lines between the <h1> and the abstract (not body), then each section of the
abstract and of the article (its heading on a line of its own, one line per paragraph or
list item). The abstract is the element whose id or class names an abstract, else what
follows an "Abstract" heading. Body: the title, the abstract, and the article's sections other
than introduction, discussion, references and back matter.
"""
from __future__ import annotations

import re

import lxml.html
from lxml import etree

from livingreview.extract.document import Document, SourceError
from livingreview.extract.readers.common import clean_inline, find_doi
from livingreview.extract.readers.sections import NOT_BODY, Rendering, section_role

LOOKS_LIKE = re.compile(r"(?i)<!doctype html|<html[\s>]|<head[\s>]|<body[\s>]|<meta\s[^>]*name=[\"']citation_")
_DROP = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "button",
         "svg", "iframe", "select", "figure", "figcaption", "table")
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BLOCKS = {"p", "li", "dd", "dt", "blockquote", "pre", "div", "section", "article", "main", "ul", "ol", "dl",
           "td", "th", "caption", "address"} | _HEADINGS
_LEAVES = _HEADINGS | {"li", "p", "dd"}
_ABSTRACT_ATTR = re.compile(r"(?i)\babstract\b|^abs\d*$|abstract[-_]?(?:content|section|text)")
_REFS_ATTR = re.compile(r"(?i)\b(?:references?|bibliography|ref-list|citations?-list|similar|related|"
                        r"metrics|keywords?|share|cookie|banner|breadcrumb)s?\b")


def _meta(root) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for el in root.iter("meta"):
        name = (el.get("name") or el.get("property") or "").strip().lower()
        content = el.get("content")
        if name and content and content.strip():
            out.setdefault(name, []).append(clean_inline(content))
    return out


def page_fields(meta: dict[str, list[str]], h1: str | None, head_title: str | None) -> dict:
    """Title, authors, year, journal and doi from meta tags (citation_*, then dc.*, then og:*)."""

    def first(*names):
        return next((meta[n][0] for n in names if meta.get(n)), None)

    fields: dict = {}
    title = first("citation_title", "dc.title", "og:title", "twitter:title") or h1
    if not title and head_title:
        title = re.split(r"\s+[|\u2013\u2014]\s+|\s+-\s+(?=[A-Z][^|]*$)", head_title)[0]
    if title:
        fields["title"] = clean_inline(title)
    authors = meta.get("citation_author") or meta.get("dc.creator") or meta.get("dc.contributor")
    if authors:
        fields["authors"] = authors
    for name in ("citation_publication_date", "citation_date", "citation_year", "citation_online_date",
                 "dc.date", "prism.publicationdate", "article:published_time"):
        m = re.search(r"\b(1[89]\d\d|2[01]\d\d)\b", first(name) or "")
        if m:
            fields["year"] = int(m.group(1))
            break
    doi = find_doi(first("citation_doi", "dc.identifier", "prism.doi", "bepress_citation_doi") or "")
    if doi:
        fields["doi"] = doi
    journal = first("citation_journal_title", "prism.publicationname", "citation_conference_title",
                    "dc.source", "og:site_name")
    if journal:
        fields["journal"] = journal
    kind = first("citation_article_type", "dc.type")
    if kind:
        fields["publication_types"] = [kind]
    return fields


def _blocks(root) -> list[tuple[str, str, bool]]:
    """(kind "h"/"p", text, in_abstract) of every leaf block in document order."""
    out: list[tuple[str, str, bool]] = []
    body = root.find("body")
    start = body if body is not None else root
    # Iterative walk: (element, inside an abstract container, inside a references container).
    todo = [(start, False)]
    while todo:
        el, in_abs = todo.pop()
        tag = el.tag if isinstance(el.tag, str) else ""
        attrs = " ".join(filter(None, (el.get("id"), el.get("class"))))
        if tag in _HEADINGS:
            text = clean_inline(el.text_content())
            if text:
                out.append(("h", text, in_abs))
            continue
        here_abs = in_abs or bool(attrs and _ABSTRACT_ATTR.search(attrs))
        if attrs and not here_abs and _REFS_ATTR.search(attrs) and tag not in ("body", "main", "article"):
            # A references/metrics container: its headings and items, never body.
            for node in el.iter(*_HEADINGS, "li", "p", "dd"):
                text = clean_inline(node.text_content())
                if text and not any(a in _LEAVES for a in (c.tag for c in node.iterdescendants())):
                    out.append(("x", text, False))
            continue
        kids = [c for c in el if isinstance(c.tag, str)]
        has_block = any(c.tag in _BLOCKS for c in kids)
        if tag in _BLOCKS and not has_block and tag not in ("ul", "ol", "dl"):
            text = clean_inline(el.text_content())
            if text:
                out.append(("p", text, here_abs))
            continue
        if not has_block and tag not in _BLOCKS:
            continue
        # Loose text directly in a container with block children counts as a paragraph.
        if el.text and el.text.strip() and tag in _BLOCKS:
            out.append(("p", clean_inline(el.text), here_abs))
        for child in reversed(kids):
            todo.append((child, here_abs))
    return out


def read_html(text: str, path: str) -> list[Document]:
    """The page's one Document (module docstring)."""
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise SourceError(path, f"could not be read as html_page: {exc}") from None
    meta = _meta(root)
    head_title_el = root.find(".//title")
    head_title = clean_inline(head_title_el.text_content()) if head_title_el is not None else None
    for el in list(root.iter(*_DROP)):
        if el.getparent() is None:
            continue
        if el.tag in ("header", "footer") and any(a.tag in ("article", "main") for a in el.iterancestors()):
            continue  # an article's own header holds its title and authors
        el.drop_tree()
    h1_el = next(root.iter("h1"), None)
    h1 = clean_inline(h1_el.text_content()) if h1_el is not None else None
    fields = page_fields(meta, h1, head_title)
    blocks = _blocks(root)

    r = Rendering()
    r.title(fields.get("title", ""))
    # Front matter: the lines between the <h1> and the abstract.
    k = 0
    if h1 is not None:
        k = next((i + 1 for i, (kind, t, _) in enumerate(blocks) if kind == "h" and t == h1), 0)
    abs_start = next((i for i, (kind, t, a) in enumerate(blocks) if a or (kind == "h" and section_role(t) == "abstract")),
                     None)
    if abs_start is None:  # no abstract marked: the first paragraph of prose starts the study text
        abs_start = next((i for i in range(k, len(blocks)) if blocks[i][0] == "p" and len(blocks[i][1].split()) >= 25),
                         len(blocks))
    for kind, t, _ in blocks[k:abs_start]:
        r.line(t)
    heading, paras, role, in_abstract = None, [], None, True
    seen_results = False

    def flush():
        if heading or paras:
            the_role = role or ("abstract" if in_abstract else "other")
            r.block(heading, paras, role=the_role, body=the_role not in NOT_BODY)

    for kind, t, in_abs in blocks[abs_start:]:
        if kind == "x":  # inside a references/metrics container: never body
            role_x = section_role(t)
            if role_x or role not in NOT_BODY:
                flush()
                heading, paras = (t, []) if role_x else (None, [t])
                role = role_x if role_x in NOT_BODY else "other"
            else:
                paras.append(t)
            continue
        if kind == "h":
            flush()
            if in_abstract and not in_abs and any(b[2] for b in blocks):
                in_abstract = False  # left the abstract container
            heading, paras = t, []
            role = section_role(t, full_text=not in_abstract)
            if role in ("background",) and seen_results:
                role = "introduction"
                in_abstract = False
            if role in ("results", "conclusions"):
                seen_results = True
            if role == "abstract":
                in_abstract = True
        else:
            if in_abstract and not in_abs and any(b[2] for b in blocks):
                flush()
                heading, paras, role, in_abstract = None, [], "other", False
            paras.append(t)
    flush()
    return [Document(path=path, text=r.text(), format="html_page", fields=fields, body=tuple(r.body),
                     sections=tuple(r.sections))]
