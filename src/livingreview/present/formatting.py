"""Source text made safe and short for page titles and navigation."""
from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~&$%^=:\"'@/])")


def markdown_escape(text: str) -> str:
    """Source text made inert in MyST Markdown: every punctuation mark backslash-escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def short_title(record: dict) -> str:
    """A navigation title such as 'Liao et al. 2025 · HIFU + ICI'.

    A document that is not a study is named by the start of its own title.
    """
    if not record["is_primary_study"] and record["title"]:
        words = record["title"].split()
        return " ".join(words[:6]) + ("…" if len(words) > 6 else "") + " · not a study"
    if record["authors"]:
        first = record["authors"][0]  # "Given Surname", or "Surname, Given" as MEDLINE and RIS write it
        surname = first.split(",")[0].strip() if "," in first else first.split()[-1]
        who = f"{surname} et al." if len(record["authors"]) > 1 else surname
    else:
        who = record["journal"] or record["id"]
    year = record["year"] or "n.d."
    therapies = " + ".join(record["local_therapy"] + record["systemic_therapy"])
    if not record["is_primary_study"]:
        return f"{who} {year} · not a study"
    return f"{who} {year} · {therapies}" if therapies else f"{who} {year}"
