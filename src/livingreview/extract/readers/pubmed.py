"""PubMed and PubMed Central pages saved as text: title before "Affiliations", abstract up to the reference tail."""
from __future__ import annotations

import re

from livingreview.extract.readers.common import ABSTRACT_HEAD, author_line, dedupe, find_doi, line_spans, plain_body_from


def read_pubmed(text: str):
    body = plain_body_from(text, 0)
    body = dedupe(text, body)
    fields: dict = {}
    lines = line_spans(text)
    if body:
        title_span = body[0]
        fields["title"] = text[slice(*title_span)]
        head = text[:title_span[0]]
        fields.update(_pubmed_head(head))
        for s, e in lines:
            if s <= title_span[1]:
                continue
            line = text[s:e]
            if ABSTRACT_HEAD.match(line):
                break
            parsed = author_line(line)
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

