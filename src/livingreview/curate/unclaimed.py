"""The numbers a reviewer should look at: those in results sentences that no endpoint uses.

A results sentence is a sentence of the study's own text (the document's body, in a section
whose role may state results, or in unheaded text) that names an outcome. Left out as noise:
dates and years, p-values, the 95 of "95% CI", CI bounds of a claimed value, patient counts
(n = 28, "94 patients", any arm's or the study's n), numbers inside names (PD-1, CTLA-4), and
obvious baseline or protocol numbers (age, sex, ECOG, Child-Pugh, BCLC, stage, grade, follow-up,
dose, cycles). What remains is listed with its sentence and its span in the decoded text.
"""
from __future__ import annotations

import re

from livingreview.extract.document import Document
from livingreview.extract.numbers import CI_RE, P_RE, to_number
from livingreview.extract.sentences import split_sentences

RESULT_ROLES = frozenset(("abstract", "results", "conclusions"))
_OUTCOME_RE = re.compile(
    r"surviv|\bPFS\b|\bm?OS\b|\bDFS\b|\bRFS\b|\bTTP\b|respon|\bORR\b|\bDCR\b|control|remission|"
    r"technical|efficacy|advers|\bAEs?\b|\bTRAEs?\b|toxicit|complication|death|died|mortality|"
    r"progress|recurren|hazard|\bHR\b|odds|\bOR\b|rate|median|month|event", re.IGNORECASE)
_NUMBER_RE = re.compile(r"(?<![\w.·])\d+(?:[.·]\d+)?(?![\w·]|\.\d)")
_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE_BEFORE_RE = re.compile(rf"\b{_MONTHS}\s*$", re.IGNORECASE)
_DATE_AFTER_RE = re.compile(rf"^\s*{_MONTHS}", re.IGNORECASE)
_NAME_BEFORE_RE = re.compile(r"[A-Za-z][-\u2010\u2011]?$")  # PD-1, CTLA-4, T2, IL6
_N_BEFORE_RE = re.compile(r"\bn\s*[=:]\s*$|\bN\s*[=:]\s*$", re.IGNORECASE)
_N_AFTER_RE = re.compile(r"^\s*(?:consecutive\s+|eligible\s+|evaluable\s+|enrolled\s+|additional\s+)?"
                         r"(?:patients|participants|subjects|cases|individuals|people|men|women|persons)\b",
                         re.IGNORECASE)
_BASELINE_BEFORE_RE = re.compile(
    r"\b(?:aged?|ages|years?\s+of\s+age|male|female|men|women|BMI|ECOG|PS|performance\s+status|Child[-\s]?Pugh|"
    r"ALBI|BCLC|stage|grade|grades|follow[-\s]?up|followed|dose|doses|cycles?|fractions?|Gy|mg|sessions?|every|"
    r"version|v|criteria|RECIST|CTCAE|range|IQR|interquartile)\W{0,3}"
    r"(?:(?:of|was|were|is|at|up|to|for|the|a|duration|time|period|median|mean|\u2265|\u2264|>=|<=|[<>])\W{0,3}){0,3}"
    r"(?:\d+(?:[.\u00b7]\d+)?\s*(?:[-\u2010-\u2015~]|to|or|and|,)\s*)?$",
    re.IGNORECASE)
_BASELINE_AFTER_RE = re.compile(r"^\s*(?:years?\s+old|years?\s+of\s+age|Gy\b|mg\b|cm\b|mm\b|ml\b|kg\b|"
                                r"cycles?\b|sessions?\b|fractions?\b|lesions?\b|nodules?\b|tumou?rs?\b)",
                                re.IGNORECASE)
_CI_LEVEL_AFTER_RE = re.compile(r"^\s?%\s?(?:CIs?\b|confidence|credible)", re.IGNORECASE)
_YEAR_RANGE = (1900, 2100)


def result_ranges(doc: Document) -> list[tuple[int, int]]:
    """Stretches of the body that may state results: in a result-role section, or in no section."""
    out = []
    sections = sorted(doc.sections or (), key=lambda s: s.start)
    for bs, be in doc.body:
        pos = bs
        for sec in sections:
            if sec.end <= pos or sec.start >= be:
                continue
            if sec.start > pos:
                out.append((pos, sec.start))  # unheaded text reads as abstract
            if sec.role in RESULT_ROLES:
                out.append((max(pos, sec.start), min(be, sec.end)))
            pos = max(pos, min(be, sec.end))
        if pos < be:
            out.append((pos, be))
    return out


def _claimed_spans(text: str, endpoints: list[dict], ss: int, se: int) -> list[tuple[int, int]]:
    """Spans of the numbers the endpoints quoted in this sentence use: value, CI, timepoint, p."""
    spans = []
    for ep in endpoints:
        span = ep.get("span") or [0, 0]
        qs, qe = span
        if qe <= ss or qs >= se:
            continue
        wanted = {float(ep["value"])}
        wanted |= {float(b) for b in ep.get("ci") or []}
        t = ep.get("timepoint_months")
        if t is not None:
            wanted |= {float(t), float(t) / 12, float(t) * 30.4375 / 7}
        for m in _NUMBER_RE.finditer(text, qs, qe):
            if float(to_number(m.group())) in wanted:
                spans.append(m.span())
    return spans


def _noise(text: str, s: int, e: int, ss: int, n_values: set[float]) -> bool:
    before, after = text[max(ss, s - 40):s], text[e:e + 30]
    number = to_number(text[s:e])
    if isinstance(number, int) and _YEAR_RANGE[0] <= number <= _YEAR_RANGE[1]:
        return True  # a year (2018) or a year range (2018-2023)
    if _DATE_BEFORE_RE.search(before) or _DATE_AFTER_RE.match(after):
        return True
    if _NAME_BEFORE_RE.search(before):
        return True
    if _CI_LEVEL_AFTER_RE.match(after):
        return True
    if _N_BEFORE_RE.search(before) or _N_AFTER_RE.match(after):
        return True
    if isinstance(number, int) and float(number) in n_values:
        return True
    return bool(_BASELINE_BEFORE_RE.search(before) or _BASELINE_AFTER_RE.match(after))


def unclaimed_numbers(doc: Document, record: dict) -> list[dict]:
    """Every number of a results sentence that no endpoint of `record` uses, in text order:
    {"number": as printed, "sentence": the sentence, "span": [start, end] of the number}."""
    if not record.get("is_primary_study"):
        return []  # a review or a patient page reports no results of its own
    text = doc.text
    endpoints = record.get("endpoints") or []
    n_values = {float(a["n"]) for a in record.get("arms") or [] if isinstance(a.get("n"), int)}
    if isinstance(record.get("n_patients"), int):
        n_values.add(float(record["n_patients"]))
    claimed_cis = {tuple(float(b) for b in ep["ci"]) for ep in endpoints if ep.get("ci")}
    out, seen = [], set()
    for rs, re_ in result_ranges(doc):
        for ss, se in split_sentences(text, rs, re_):
            sentence = text[ss:se]
            if not re.search(r"\d", sentence) or not _OUTCOME_RE.search(sentence):
                continue
            skip = set(_claimed_spans(text, endpoints, ss, se))
            for m in P_RE.finditer(text, ss, se):
                skip.add(m.span("pval"))
            for m in CI_RE.finditer(text, ss, se):
                if (float(to_number(m["lo"])), float(to_number(m["hi"]))) in claimed_cis:
                    skip |= {m.span("lo"), m.span("hi")}
            for m in _NUMBER_RE.finditer(text, ss, se):
                s, e = m.span()
                if (s, e) in skip or (s, e) in seen or _noise(text, s, e, ss, n_values):
                    continue
                seen.add((s, e))
                out.append({"number": m.group(), "sentence": sentence, "span": [s, e]})
    return out
