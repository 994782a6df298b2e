"""Markdown summaries: "# Title", "**Authors:**" lines, "## Abstract" sections."""
from __future__ import annotations

import re

from livingreview.extract.readers.common import dedupe, find_doi, line_spans


_MD_DROP = re.compile(r"(?i)^(?:linked entities|full-text entities|full text|figures?|tables?|references|"
                      r"source|citations?|cited by|related(?: papers)?|similar (?:papers|articles)|metadata|"
                      r"entities|links|supplementary.*)$")


def read_markdown(text: str):
    """Title from "# ", metadata from the lines before the first "##" section, body from the
    sections that are not link/entity/figure tails; "---" or "Source:" ends the summary."""
    body: list[tuple[int, int]] = []
    fields: dict = {}
    in_sections, keep = False, True
    for s, e in line_spans(text):
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
    return fields, dedupe(text, body)


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

