"""Properties of whole-document extraction that must hold for any input at all.

Documents are assembled from fragments of how abstracts and pages are
written (including markup, odd Unicode and JSON wrappers) and from arbitrary
text; whatever comes in, a record is either refused with a SourceError or is
schema-valid with every number traceable to its quote and span.
"""
from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from livingreview.extract.document import SourceError
from livingreview.extract.numbers import numbers_in
from livingreview.extract.readers import decode_text
from livingreview.extract.record import build_record, schema_errors

FRAGMENTS = [
    "Median overall survival was 17.0 months (95% CI 12.1–21.9).",
    "The median PFS was 9.8 vs. 5.6 months (HR 0.54; 95% CI 0.38–0.77; P < 0.001).",
    "The 1-, 2- and 3-year OS rates were 88.1, 61.0% and 40.2%, respectively.",
    "Grade ≥3 adverse events occurred in 21.4% of patients.",
    "ORR and DCR were 35·7% and 78·6%, respectively.",
    "A total of 56 patients received microwave ablation plus sintilimab.",
    "Patients with tumours ≤ 3 cm were eligible; median follow-up was 22.5 months.",
    "This retrospective study enrolled Seventy patients with HCC.",
    "<script>alert(1)</script> <b>bold</b> [link](javascript:x)",
    "3,091 Views 22 Citations Download PDF",
    "\u00a0\u2009−0.5 · 1e308 ∞ NaN 95 % CI –",
    "Technical success was 100%, and local control at 12 months was 91.3%.",
    "References\n1. Smith J. Earlier study. 2019;12:1–9.",
    "# Radiotherapy with PD-1 blockade for liver metastases\n\n## Abstract\n",
]

text_piece = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=60))


@st.composite
def documents(draw) -> str:
    body = "\n".join(draw(st.lists(text_piece, min_size=1, max_size=10)))
    if draw(st.booleans()):
        title = draw(st.sampled_from(["HIFU plus ICI for liver metastases", "", "<i>x</i>"]))
        return json.dumps({"title": title, "abstract": body, "doi": "10.1000/x.1"})
    return body


def check(record: dict, text: str) -> None:
    assert schema_errors(record) == []
    for ep in record["endpoints"]:
        start, end = ep["span"]
        assert text[start:end] == ep["quote"]
        printed = numbers_in(ep["quote"])
        assert ep["value"] in printed, (ep["value"], ep["quote"])
        for bound in ep["ci"] or []:
            assert bound in printed, (bound, ep["quote"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_any_document_is_refused_cleanly_or_gives_a_valid_traceable_record(raw):
    try:
        doc = decode_text(raw, "generated.txt")
        record = build_record(doc)
    except SourceError as err:
        assert err.path == "generated.txt" and err.reason
        return
    check(record, doc.text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text_never_crashes_the_extractor(raw):
    try:
        doc = decode_text(raw, "any.txt")
        record = build_record(doc)
    except SourceError:
        return
    check(record, doc.text)
