"""The one treatment vocabulary: its rules (what counts as which therapy) and its shortcut
(literal cues) that must never change what the search finds."""
import re
from pathlib import Path

import pytest

from seeds import all_seeds
from livingreview.extract import vocabulary as V

FIXTURES = Path(__file__).parent / "fixtures"

TRICKY = [
    "FOLFOX-HAIC plus lenvatinib and sintilimab", "SBRT confirmed by RT-PCR", "TARE with Y-90 microspheres",
    "90Y radioembolisation", "no prior SIRT; then SIRT", "refractory to sorafenib, then regorafenib",
    "MRgFUS (HIFU)", "thermal ablation (HIFU)", "cryotherapy and LITT", "PD-L1 inhibitor", "anti-PD1 therapy",
    "CTLA4 blockade", "5-FU", "XELOX then CAPOX", "proton beam therapy", "carbon-ion", "RADIATION", "Radiation",
    "KINASE INHIBITORS", "chemoradiation without chemotherapy", "ICIs plus TKIs", "after hepatectomy",
    "received \u017forafenib", "\u0130CI therapy", "\u212aINASE inhibitor",  # characters that fold unusually
    "Opdivo plus Yervoy", "bevacizumab and atezolizumab", "S-1 or capecitabine", "anti-PD-(L)1 antibodies",
]


def corpus() -> list[str]:
    texts = list(TRICKY)
    for path in all_seeds() + sorted(p for p in FIXTURES.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8")
        texts += [text, *text.splitlines(), *text.split(". ")]
    return [t for t in texts if t.strip()]


TERMS = list(V.LOCAL_TERMS + V.SYSTEMIC_TERMS)


@pytest.mark.parametrize("term", TERMS, ids=[f"{t.label}:{t.name}" for t in TERMS])
def test_every_match_of_a_term_holds_one_of_its_cues(term):
    rx = re.compile(term.pattern, re.IGNORECASE)
    for text in corpus():
        for m in rx.finditer(text):
            assert any(c in m.group().lower() for c in term.cues), (term.name, m.group())


@pytest.mark.parametrize("label, rx, cues", V.DESIGN_CUED, ids=[label for label, _, _ in V.DESIGN_CUED])
def test_every_design_match_holds_one_of_its_cues(label, rx, cues):
    for text in corpus():
        for m in rx.finditer(text):
            assert any(c in m.group().lower() for c in cues), (label, m.group())


def _as_tuples(found):
    return [(x.start, x.end, x.label, x.name, x.not_given) for x in found]


def test_cue_skipping_never_changes_what_is_found(monkeypatch):
    # The same search with every class's regex run over the whole text regardless of its cues
    # (no cue test, no stretch-by-stretch search): what mentions does for a text it cannot fold.
    for text in corpus():
        got = _as_tuples(V.mentions(text))
        try:
            monkeypatch.setattr(V, "lowered", lambda text: None)
            V.mentions.cache_clear()
            plain = _as_tuples(V.mentions(text))
        finally:
            monkeypatch.undo()
            V.mentions.cache_clear()
        assert got == plain, text[:120]


def test_gated_cues_are_found_as_if_each_were_tested():
    # A cue behind a gate (a shared ending) is present exactly when a test of it alone says so.
    for text in corpus():
        low = V.lowered(text)
        if low is not None:
            assert V._present_cues(low) == {c for c in V._ALL_CUES if c in low}


def test_no_term_can_match_across_a_stop_character():
    # Long texts are searched between stop characters: none may be a word or space character,
    # nor be written in (or reachable by a wildcard or negated class of) any term's pattern.
    assert not re.search(r"[\w\s]", V.STOPS)
    for term in TERMS:
        # Group syntax and counted repeats ("(?:", "(?<!", "{1,2}") are not characters matched.
        source = re.sub(r"\(\?(?:[:!=]|<[!=]|P<\w+>|[a-zA-Z-]+:)|\{\d*,?\d*\}", "(", term.pattern)
        assert not any(c in source for c in V.STOPS), term.name
        assert "[^" not in source and not re.search(r"\\[WSDB]", source), term.name
        assert not any(c in cue for cue in term.cues for c in V.STOPS), term.name  # a cue lies in one stretch
    text = "a TACE; RFA, and SBRT. then sorafenib: " * 20
    assert [x.name for x in V.mentions(text)][:4] == ["TACE", "RFA", "SBRT", "sorafenib"]


@pytest.mark.parametrize("text, local, systemic", [
    ("nivolumab plus ipilimumab", [], ["ICI"]),
    ("Opdivo plus Yervoy versus lenvatinib or sorafenib", [], ["ICI", "TKI"]),
    ("a PD-(L)1 inhibitor after TACE", ["TACE"], ["ICI"]),
    ("anti-PD-1 antibody and a checkpoint inhibitor", [], ["ICI"]),
    ("immunotherapy with dendritic cells", [], []),  # bare immunotherapy is not an ICI
    ("PD-L1 expression was assessed", [], []),
    ("apatinib, donafenib or cabozantinib", [], ["TKI"]),
    ("osimertinib after EGFR-TKI", [], ["TKI"]),
    ("atezolizumab plus bevacizumab", [], ["ICI", "anti-VEGF"]),
    ("ramucirumab", [], ["anti-VEGF"]),
    ("FOLFOX, gemcitabine and nab-paclitaxel", [], ["chemotherapy"]),
    ("capecitabine or S-1", [], ["chemotherapy"]),
    ("radiofrequency ablation or microwave ablation", ["thermal ablation"], []),
    ("percutaneous cryoablation", ["thermal ablation"], []),
    ("ethanol ablation of the nodule", [], []),  # bare ablation is not thermal ablation
    ("SBRT, proton therapy and brachytherapy", ["radiotherapy"], []),
    ("selective internal radiation therapy with Y-90", ["SIRT"], []),
    ("hepatic arterial infusion chemotherapy", ["HAIC"], []),
    ("DEB-TACE and cTACE", ["TACE"], []),
    ("lobectomy for resected lung cancer", ["surgery"], []),
    ("unresectable hepatocellular carcinoma", [], []),
    ("chemoradiotherapy", ["radiotherapy"], ["chemotherapy"]),
    ("high-intensity focused ultrasound thermal ablation", ["HIFU"], []),
])
def test_therapy_rules(text, local, systemic):
    got_local, got_systemic = V.therapies(text)
    assert sorted(got_local) == sorted(local) and sorted(got_systemic) == sorted(systemic)


@pytest.mark.parametrize("text", [
    "patients without surgery", "recurrence after hepatectomy", "refractory to sorafenib", "sorafenib-naive patients",
    "a chemotherapy-free regimen", "prior TACE", "progression on lenvatinib",
])
def test_a_therapy_named_as_absent_prior_or_failed_is_not_counted(text):
    assert V.therapies(text) == ([], [])


def test_mentions_carry_the_drug_name_and_its_class():
    names = [(x.label, x.name) for x in V.mentions("Opdivo plus lenvatinib after RFA")]
    assert names == [("ICI", "nivolumab"), ("TKI", "lenvatinib"), ("thermal ablation", "RFA")]
    assert V.label_of("SBRT") == "radiotherapy" and V.label_of("sintilimab") == "ICI"


def test_the_vocabulary_uses_no_private_regex_internals():
    source = Path(V.__file__).read_text(encoding="utf-8")
    assert "_parser" not in source and "_constants" not in source


def test_folding_is_refused_exactly_for_texts_with_a_case_unsafe_character():
    # Dotted/dotless i, long s and the Kelvin sign move or change case-insensitive matches.
    from livingreview.extract.numbers import folded
    for text in ("Plain ASCII text", "Durvalumab – 12 months", "\u0130stanbul cohort", "\u0131", "pro\u017fpective",
                 "5 \u212a", "caf\u00e9 \u2264 3", ""):
        unsafe = any(c in text for c in "\u0130\u0131\u017f\u212a")
        assert (folded(text) is None) == unsafe, text
        if not unsafe:
            assert folded(text) == text.lower()
