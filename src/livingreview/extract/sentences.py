"""Sentences of a document's text as (start, end) offsets, for quoting whole statements.

Shared by arm detection and endpoint extraction; offsets index the decoded text,
so a quote cut from a sentence span is always at its span.
"""
from __future__ import annotations

import re
from functools import lru_cache

# pysbd keeps offsets but takes ~12 ms for a 3 kB abstract (under 100
# documents/second); this splitter does the few things abstracts need in
# well under a millisecond: no break after "vs.", "et al.", "e.g.", initials
# or inside decimals; a break at line ends (unless the next line continues in
# lower case) and at section labels glued to the previous sentence
# ("collected.ResultsFrom"); a sentence may open with a lower-case abbreviation ("mOS was").
_BREAK_RE = re.compile(
    r"(?<=[.!?])[\"'”’)\]]*[ \t\u00a0\u2009\u202f]+(?=[\"'“‘(\[]?(?:[A-Z0-9#*•\u2022-]|[a-z][A-Z]))"
    r"|(?<=[a-z)%\]])\.(?=[A-Z][a-z])"
    r"|[ \t]*\n\s*"
)
_ABBREV = frozenset(
    "vs v al e.g eg i.e ie fig figs no nos approx cf dr mr ms ref refs ca "
    "resp incl etc inc ltd st mt vol pp min max mo mos yr yrs jan feb mar apr "
    "jun jul aug sep sept oct nov dec univ dept".split()
)
# "arm B.", "group A.", "hepatitis B.": a letter naming a thing ends a sentence; it is no initial.
_NAMED_LETTER_RE = re.compile(r"\b(?:arms?|groups?|cohorts?|types?|phases?|stages?|class|parts?|hepatitis|vitamin"
                              r"|regimens?|schedules?|levels?|zones?|categor(?:y|ies)|sets?|panels?|strata|stratum)\s+[A-Z]\.$",
                              re.IGNORECASE)
def _is_initial(text: str, i: int) -> bool:
    """Whether the letter at text[i] (before a full stop) can be an initial: a capital standing
    alone ("J. Smith"), not the end of "LPV/r." or "arm b."."""
    return text[i].isupper() and (i == 0 or text[i - 1] in " \t\n(\u00a0.")


_WORD_BEFORE_RE = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")


@lru_cache(maxsize=2048)  # a full text's paragraphs are each split by arms, then endpoints
def split_sentences(text: str, start: int = 0, end: int | None = None) -> tuple[tuple[int, int], ...]:
    """(start, end) offsets of the sentences of text[start:end], whitespace trimmed.

    Cached: arm detection and endpoint extraction split the same body.
    """
    end = len(text) if end is None else end
    spans = []
    s = start
    for m in _breaks(text, start, end):
        if m.group().strip() == "" and "\n" in m.group():
            nxt = m.end()
            if nxt < end and (text[nxt].islower() or text[nxt] in "(["):  # a wrapped line goes on
                continue
            cut = m.start()
        else:
            glued = m.group() == "."
            if not glued and text[m.start() - 1] == ".":
                w = _WORD_BEFORE_RE.search(text, max(s, m.start() - 12), m.start())
                if w and (w.group(1).lower() in _ABBREV or (len(w.group(1)) == 1 and _is_initial(text, m.start() - 2)
                                                            and not _NAMED_LETTER_RE.search(
                        text, max(s, m.start() - 24), m.start()))):
                    continue
            cut = m.start() + 1 if glued else m.start()
        _add(text, s, cut, spans)
        s = m.end()
    _add(text, s, end, spans)
    return tuple(spans)


# Every match of _BREAK_RE starts at a full stop (a glued break), just after ".", "!" or "?",
# or at the run of spaces and tabs before a line feed; only those places are tried (finditer
# would try the pattern at every character). No match ends inside such a run.
_BREAK_PLACE_RE = re.compile(r"[.!?\n]")


def _breaks(text: str, start: int, end: int):
    """The matches of _BREAK_RE.finditer(text, start, end), found faster."""
    pos = start
    if 0 < start < end and text[start - 1] in ".!?":  # a break just after the stop before `start`
        m = _BREAK_RE.match(text, start, end)
        if m:
            yield m
            pos = m.end()
    for c in _BREAK_PLACE_RE.finditer(text, start, end):
        at = c.start()
        if text[at] == "\n":
            while at > start and text[at - 1] in " \t":
                at -= 1
            places = (at,)
        elif text[at] == ".":
            places = (at, at + 1)
        else:
            places = (at + 1,)
        for p in places:
            if p >= pos:
                m = _BREAK_RE.match(text, p, end)
                if m:
                    yield m
                    pos = m.end()


def trimmed(text: str, s: int, e: int) -> tuple[int, int] | None:
    """text[s:e] without its outer whitespace, as a span; None when nothing is left."""
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return (s, e) if e > s else None


def _add(text: str, s: int, e: int, spans: list) -> None:
    span = trimmed(text, s, e)
    if span:
        spans.append(span)
