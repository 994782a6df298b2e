"""The therapy search's shortcuts (literal cues, first-character guards) never change
what it finds: checked against the plain search on every
line, sentence and whole text of the seeds and fixtures, and on tricky phrases."""
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
]


def corpus() -> list[str]:
    texts = list(TRICKY)
    for path in all_seeds() + sorted(p for p in FIXTURES.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8")
        texts += [text, *text.splitlines(), *text.split(". ")]
    return [t for t in texts if t.strip()]


def plain_find_therapies(text):
    """The search as first written: every pattern, case-insensitive, on every text."""
    chemorad = [m.start() for m in re.finditer(r"\bchemoradi\w*", text, re.IGNORECASE)]
    original, local, systemic = text, {}, {}
    for label, pattern in V.LOCAL_THERAPY_TERMS:
        for m in re.finditer(pattern, text, re.IGNORECASE):
            if not V._NOT_GIVEN.search(original[max(0, m.start() - 60):m.start()]):
                local.setdefault(label, m.start())
            text = text[:m.start()] + " " * (m.end() - m.start()) + text[m.end():]
    for label, pattern in V.SYSTEMIC_THERAPY_TERMS:
        for m in re.finditer(pattern, text, re.IGNORECASE):
            if not V._NOT_GIVEN.search(original[max(0, m.start() - 60):m.start()]):
                systemic.setdefault(label, m.start())
    if chemorad:
        systemic["chemotherapy"] = min(systemic.get("chemotherapy", chemorad[0]), chemorad[0])
    return sorted((o, l) for l, o in local.items()), sorted((o, l) for l, o in systemic.items())


def test_find_therapies_finds_what_the_plain_search_finds():
    for text in corpus():
        assert V.find_therapies(text) == plain_find_therapies(text), text[:120]


ALL_PATTERNS = [(label, re.compile(p, re.IGNORECASE)) for label, p in
                V.LOCAL_THERAPY_TERMS + V.SYSTEMIC_THERAPY_TERMS] + list(V.DESIGN_RE)


@pytest.mark.parametrize("label, rx", ALL_PATTERNS, ids=[label for label, _ in ALL_PATTERNS])
def test_every_match_holds_one_of_its_cues(label, rx):
    lower, exact = V.literal_cues(rx.pattern, rx.flags)
    assert lower or exact
    found = 0
    for text in corpus():
        for m in rx.finditer(text):
            found += 1
            assert any(c in m.group().lower() for c in lower) or any(c in m.group() for c in exact), m.group()
    assert found or label in ("SIRT", "review", "randomized", "other")  # some terms no document uses


@pytest.mark.parametrize("label, rx", ALL_PATTERNS, ids=[label for label, _ in ALL_PATTERNS])
def test_guarded_pattern_finds_the_same_matches(label, rx):
    guarded = V.guarded(rx)
    assert guarded.pattern.startswith("(?=[")  # each of these patterns can be guarded
    for text in corpus():
        assert [m.span() for m in guarded.finditer(text)] == [m.span() for m in rx.finditer(text)]


def test_literal_cues_read_off_a_pattern():
    assert V.literal_cues(r"\bmeta-?analys[ie]s\b", re.IGNORECASE) == (("analys",), ())
    assert V.literal_cues(r"\bHIFU\b|\b(?-i:RFA)\b", re.IGNORECASE) == (("hifu",), ("RFA",))
    assert V.literal_cues(r"(?i)\b(?:chemo|chemoradiation)\b") == (("chemo",), ())  # "chemo" covers both
    assert V.literal_cues(r"\d+\s*months?") == ((), ("month",))  # case-sensitive: looked for as written
    assert V.literal_cues(r"\d+|months") is None  # "12" holds no literal
    assert V.literal_cues(r"(?:abc)?x*") is None


def test_guarded_leaves_patterns_that_can_match_nothing_alone():
    rx = re.compile(r"a*")
    assert V.guarded(rx) is rx
    rx = re.compile(r"(?i)\bterm\b")  # global inline flags cannot be wrapped
    assert V.guarded(rx) is rx


def test_unusual_case_folding_falls_back_to_the_full_search():
    # Under IGNORECASE a long s matches "s"; the lower-cased text would not show the cue.
    assert V.therapies("patients received \u017forafenib") == ([], ["TKI"])
