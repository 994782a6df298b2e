"""Plain text of any other kind: news, press releases, meeting abstracts, patient pages."""
from __future__ import annotations

import re

from livingreview.extract.readers.common import dedupe, find_doi, plain_body_from


def read_plain(text: str):
    body = dedupe(text, plain_body_from(text, 0))
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

