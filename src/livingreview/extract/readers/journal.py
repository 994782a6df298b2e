"""Publisher article pages saved as text: navigation, metrics and captions skipped."""
from __future__ import annotations

import re

from livingreview.extract.readers.common import author_line, dedupe, find_doi, line_spans, plain_body_from


def read_journal(text: str):
    body = dedupe(text, plain_body_from(text, 0))
    fields: dict = {}
    if body:
        title_span = body[0]
        fields["title"] = text[slice(*title_span)]
        after = [text[s:e] for s, e in line_spans(text, title_span[1])][:3]
        for line in after:
            authors = author_line(line)
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

