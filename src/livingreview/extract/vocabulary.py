"""Term tables mapping what papers write to the contract's vocabularies.

Therapies: `local_therapy` from HIFU, thermal ablation, radiotherapy, TACE,
SIRT, HAIC, surgery; `systemic_therapy` from ICI, chemotherapy, TKI. Designs:
review, randomized, retrospective, prospective, other.

Matching order matters and is the reason this is a table, not a set: a phrase
that names one modality is blanked out before the next is looked for, so a
longer, more specific phrase wins over a general word inside it:

* HIFU is its own modality. "High-intensity focused ultrasound thermal
  ablation" (seed 000's title) and "thermal ablation (HIFU)" name HIFU only,
  never "thermal ablation": the words "thermal ablation" attached to a HIFU
  mention describe how HIFU works, not a second treatment.
* "Selective internal radiation therapy" is SIRT, not radiotherapy;
  "hepatic arterial infusion chemotherapy" (and FOLFOX-HAIC) is HAIC, not
  systemic chemotherapy.
* "Immunotherapy" alone is not counted as ICI (it also covers vaccines,
  cell therapies); PD-1/PD-L1/CTLA-4 blockade and the named antibodies are.
* Bare "ablation" is not counted (ethanol, radio-, chemical ablation exist);
  thermal, microwave, radiofrequency, laser and cryo-ablation are.
"""
from __future__ import annotations

import re
from functools import lru_cache
from re import _constants as _sre_constants, _parser as _sre_parser  # the stdlib's own regex parser

from livingreview.extract.numbers import folded

_LITERAL, _SUBPATTERN, _BRANCH, _IN = (_sre_constants.LITERAL, _sre_constants.SUBPATTERN, _sre_constants.BRANCH,
                                       _sre_constants.IN)
_REPEATS = (_sre_constants.MAX_REPEAT, _sre_constants.MIN_REPEAT, _sre_constants.POSSESSIVE_REPEAT)

# ------------------------------------------------------------------ cues
# Most documents name few of the terms below, and a regex costs far more than a
# substring test: a pattern is only run when the text holds one of its cues,
# literal pieces that every match of the pattern must contain.

Cues = tuple[tuple[str, ...], tuple[str, ...]] | None


def literal_cues(pattern: str, flags: int = 0) -> Cues:
    """(lower-case strings, case-sensitive strings) one of which every match of `pattern`
    contains, the lower-case ones to be looked for in lower-cased text; None if no such set
    of cues can be read off the pattern (then it must always run)."""
    parsed = _sre_parser.parse(pattern, flags)
    cues = _sequence_cues(parsed.data, bool(parsed.state.flags & re.IGNORECASE))
    if cues is None:
        return None
    lower = {c for c, exact in cues if not exact}
    exact = {c for c, exact in cues if exact}
    return _fewer(lower), _fewer(exact)


def _fewer(cues: set[str]) -> tuple[str, ...]:
    """Fewer cues that still cover `cues`: one held by another goes ("chemoradi" when "chemo"
    is a cue), and a piece of three or more letters shared by five or more cues stands in for
    them (the drug names: "mab", "nib"), each such cue then being found by it."""
    cues = set(cues)
    while True:
        counts: dict[str, int] = {}
        for cue in cues:
            for piece in {cue[i:j] for i in range(len(cue)) for j in range(i + 3, len(cue) + 1)}:
                counts[piece] = counts.get(piece, 0) + 1
        shared = [(n, len(piece), piece) for piece, n in counts.items() if n >= 5]
        if not shared:
            break
        piece = max(shared)[2]
        cues = {c for c in cues if piece not in c} | {piece}
    return tuple(sorted(c for c in cues if not any(d != c and d in c for d in cues)))


# Words too common in these documents to make good cues; another piece of the pattern is preferred.
_COMMON_WORDS = frozenset({"therapy", "ablation", "inhibitor", "anti", "antibod", "blockade", "blocker"})


def _sequence_cues(items, ignore: bool) -> frozenset | None:
    """Cues of a parsed sequence: the best of its literal runs and its required parts.
    Each cue is (text, exact); a run of ASCII literals is contiguous in every match."""
    best, best_score, run = None, None, []

    def consider(cues):
        nonlocal best, best_score
        if cues:
            score = (not any(c in _COMMON_WORDS for c, _ in cues), min(len(c) for c, _ in cues), -len(cues))
            if best_score is None or score > best_score:
                best, best_score = cues, score

    for op, av in list(items) + [(None, None)]:
        if op is _LITERAL and av < 128:
            run.append(chr(av).lower() if ignore else chr(av))
            continue
        if run:
            consider(frozenset({("".join(run), not ignore)}))
            run = []
        if op is _SUBPATTERN:
            _, add, remove, sub = av
            consider(_sequence_cues(sub, (ignore or bool(add & re.IGNORECASE)) and not remove & re.IGNORECASE))
        elif op is _BRANCH:
            alternatives = [_sequence_cues(alt, ignore) for alt in av[1]]
            if all(alternatives):
                consider(frozenset().union(*alternatives))
        elif op in _REPEATS and av[0] >= 1:
            consider(_sequence_cues(av[2], ignore))
    return best


def guarded(rx: re.Pattern) -> re.Pattern:
    """`rx` led by a lookahead for the characters a match can start with: the same matches,
    but the engine rejects most positions at once instead of trying every alternative there.
    `rx` itself when those characters cannot be read off it."""
    parsed = _sre_parser.parse(rx.pattern, rx.flags)
    ignore = bool(parsed.state.flags & re.IGNORECASE)
    first = _first_chars(parsed.data, ignore, ignore)
    if first is None or first[1] or re.match(r"\(\?[aiLmsux]+\)", rx.pattern):
        return rx  # unknown, or the pattern can match an empty string, or has global inline flags
    return re.compile("(?=[" + "".join(sorted(first[0])) + "])(?:" + rx.pattern + ")", rx.flags)


_CATEGORY_CLASS = {_sre_constants.CATEGORY_DIGIT: r"\d", _sre_constants.CATEGORY_NOT_DIGIT: r"\D",
                   _sre_constants.CATEGORY_SPACE: r"\s", _sre_constants.CATEGORY_NOT_SPACE: r"\S",
                   _sre_constants.CATEGORY_WORD: r"\w", _sre_constants.CATEGORY_NOT_WORD: r"\W"}
_ZERO_WIDTH = (_sre_constants.AT, _sre_constants.ASSERT, _sre_constants.ASSERT_NOT)


def _first_chars(items, ignore: bool, ignore_everywhere: bool) -> tuple[set[str], bool] | None:
    """(class pieces for the first character a parsed sequence can consume, whether it can
    consume nothing), or None when unknown. Both cases of letters are included."""
    pieces: set[str] = set()
    for op, av in items:
        if op in _ZERO_WIDTH:
            continue
        if op is _LITERAL:
            pieces.update({re.escape(chr(av).lower()), re.escape(chr(av).upper()), re.escape(chr(av))})
            return pieces, False
        if op is _IN:
            for kind, value in av:
                if kind is _LITERAL:
                    pieces.update({re.escape(chr(value).lower()), re.escape(chr(value).upper()), re.escape(chr(value))})
                elif kind is _sre_constants.RANGE:
                    lo, hi = value
                    pieces.add(f"{re.escape(chr(lo))}-{re.escape(chr(hi))}")
                    if not ignore_everywhere and any(chr(c).isalpha() for c in range(lo, hi + 1)):
                        return None
                elif kind is _sre_constants.CATEGORY and value in _CATEGORY_CLASS:
                    pieces.add(_CATEGORY_CLASS[value])
                else:
                    return None
            return pieces, False
        if op is _SUBPATTERN or op is _sre_constants.ATOMIC_GROUP:
            sub = av[3] if op is _SUBPATTERN else av
            if op is _SUBPATTERN and av[1] & re.IGNORECASE and not ignore_everywhere:
                return None  # a case-insensitive part in a case-sensitive pattern
            inner = _first_chars(sub, ignore, ignore_everywhere)
        elif op is _BRANCH:
            alternatives = [_first_chars(alt, ignore, ignore_everywhere) for alt in av[1]]
            if any(alt is None for alt in alternatives):
                return None
            inner = (set().union(*(alt[0] for alt in alternatives)), any(alt[1] for alt in alternatives))
        elif op in _REPEATS:
            inner = _first_chars(av[2], ignore, ignore_everywhere)
            if inner is not None and av[0] == 0:
                inner = (inner[0], True)
        else:
            return None
        if inner is None:
            return None
        pieces |= inner[0]
        if not inner[1]:
            return pieces, False
    return pieces, True


def has_cue(cues: Cues, text: str, low: str) -> bool:
    """Whether `text` (`low` = lowered(text), not None) holds one of `cues`."""
    if cues is None:
        return True
    for cue in cues[0]:
        if cue in low:
            return True
    for cue in cues[1]:
        if cue in text:
            return True
    return False


@lru_cache(maxsize=1024)
def lowered(text: str) -> str | None:
    """numbers.folded(text), remembered: the same sentences go through several tests."""
    return folded(text)


# ------------------------------------------------------------------ therapies

_H = r"[-\u2010-\u2015\s]"  # hyphen, typographic hyphens (U+2011 in seed 000) or space

# (label, pattern), in masking order; compiled case-insensitively, with
# abbreviations that are other words in lower case held to capitals by (?-i:...).
LOCAL_THERAPY_TERMS: tuple[tuple[str, str], ...] = (
    ("HIFU",
     rf"(?:(?:thermal{_H}+)?ablation\s*\((?:HIFU|MRgFUS)\))"
     rf"|(?:(?:\bhigh{_H}*intensity{_H}+)?\bfocus{{1,2}}ed{_H}+ultrasound|\bHIFU|\bMRgFUS)"
     rf"(?:{_H}?t\b)?(?:\s*\((?:HIFU|MRgFUS)\))?(?:{_H}+(?:thermal{_H}+)?ablation)?"
     r"(?:\s*\((?:HIFU(?:-t)?)\))?"),
    ("SIRT",
     r"\bselective internal radiation therapy\b|\b(?-i:SIRT|TARE)\b|\bradioemboli[sz]ation\b"
     rf"|\b(?:Y|yttrium){_H}?90\b|\b90Y\b"),
    ("HAIC",
     rf"\b(?:FOLFOX{_H}?)?(?-i:HAIC)\b|\bhepatic{_H}+arter(?:ial|y){_H}+infusion(?:{_H}+chemotherapy)?\b"),
    ("TACE",
     rf"\b(?-i:(?:DEB{_H}?|c)?TACE)\b|\bchemoemboli[sz]ation\b"),
    ("thermal ablation",
     rf"\b(?:microwave|radio{_H}?frequency|laser|thermal|cryo){_H}*ablation\b"
     r"|\bcryoablation\b|\b(?-i:RFA|MWA|LITT)\b|\bcryotherapy\b"),
    ("radiotherapy",
     r"\b(?:chemo)?radiotherap\w*|\bchemoradiation\b|(?<!ionizing )(?<!ionising )\bradiation\b"
     rf"|\bstereotactic{_H}+(?:body{_H}+|ablative{_H}+)?radi\w*|\bproton{_H}+(?:beam{_H}+)?therapy\b"
     rf"|\bcarbon{_H}ion\b|\bbrachytherap\w*|\bradiosurgery\b"
     r"|\b(?-i:SBRT|SABR|SRS|IMRT)\b|\b(?-i:RT)\b(?![-\u2010-\u2015]?PCR)"),
    ("surgery",
     r"\bhepatectom\w*|(?<!non-)(?<!non)\bsurg(?:ery|ical)\b|\bresections?\b|\bmetastasectom\w*"
     rf"|\bliver{_H}+transplant\w*"),
)

_ICI_DRUGS = (
    "nivolumab pembrolizumab atezolizumab durvalumab avelumab cemiplimab camrelizumab "
    "sintilimab tislelizumab toripalimab penpulimab serplulimab envafolimab ipilimumab "
    "tremelimumab cadonilimab dostarlimab retifanlimab zimberelimab spartalizumab "
    "relatlimab ivonescimab adebrelimab sugemalimab benmelstobart"
).split()
_TKI_DRUGS = (
    "lenvatinib sorafenib apatinib rivoceranib regorafenib cabozantinib donafenib "
    "anlotinib fruquintinib zanzalintinib axitinib sunitinib pazopanib surufatinib"
).split()
_CHEMO_DRUGS = (
    "oxaliplatin capecitabine gemcitabine cisplatin carboplatin paclitaxel docetaxel "
    "fluorouracil irinotecan etoposide pemetrexed"
).split()

SYSTEMIC_THERAPY_TERMS: tuple[tuple[str, str], ...] = (
    ("ICI",
     rf"\bimmune{_H}+checkpoint{_H}+(?:inhibitor|blockade|blocker)s?\b|\bcheckpoint{_H}+inhibitors?\b"
     r"|\b(?-i:ICIs?|ICB)\b|\banti-?PD-?L?1\b|\bPD-?L?1(?:/PD-?L1)?\s+(?:inhibitor|antibod|blockade|blocker)"
     r"|\banti-?CTLA-?4\b|\bCTLA-?4\s+(?:inhibitor|blockade|antibod)"
     r"|\b(?:" + "|".join(_ICI_DRUGS) + r")\b"),
    ("TKI",
     rf"\btyrosine{_H}+kinase{_H}+inhibitors?\b|\bmulti{_H}?kinase{_H}+inhibitors?\b|\b(?-i:TKIs?)\b"
     r"|\b(?:" + "|".join(_TKI_DRUGS) + r")\b"),
    ("chemotherapy",
     r"\bchemotherap\w*|\bchemo\b|\bchemoradi\w*|\b(?-i:FOLFOX|FOLFIRI|FOLFIRINOX|XELOX|CAPOX)\w*"
     r"|\b5-FU\b|\b(?:" + "|".join(_CHEMO_DRUGS) + r")\b"),
)

_LOCAL_RE = tuple((label, re.compile(p, re.IGNORECASE)) for label, p in LOCAL_THERAPY_TERMS)
_SYSTEMIC_RE = tuple((label, re.compile(p, re.IGNORECASE)) for label, p in SYSTEMIC_THERAPY_TERMS)
_CHEMORADIATION = re.compile(r"\bchemoradi\w*", re.IGNORECASE)

_LOCAL_CUED = tuple((label, guarded(rx), literal_cues(rx.pattern, rx.flags)) for label, rx in _LOCAL_RE)
_SYSTEMIC_CUED = tuple((label, guarded(rx), literal_cues(rx.pattern, rx.flags)) for label, rx in _SYSTEMIC_RE)

LOCAL_SLUGS = {
    "HIFU": "hifu", "thermal ablation": "ablation", "radiotherapy": "radiotherapy",
    "TACE": "tace", "SIRT": "sirt", "HAIC": "haic", "surgery": "surgery",
}


# A therapy named as absent, prior or failed is not the study's: "without surgery",
# "recurrent HCC after hepatectomy", "refractory to sorafenib", "not eligible for resection".
_NOT_GIVEN = re.compile(
    r"(?i)\b(?:without|instead of|not|no|prior|previous(?:ly)?|pretreated with|refractory to|resistant to|"
    r"failure of|failed|intolerant (?:of|to)|progress\w* (?:on|after|during)|"
    r"(?:recurren|relaps)\w*(?:\s+[\w-]+){0,4}\s+after)\s+"
    r"(?:(?!(?:received?|receiving|underwent|undergoing|were|was|and|then|with|plus|followed|by)\b)[\w-]+\s+){0,2}$")


def find_therapies(text: str) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Local and systemic therapies named in `text`, as sorted (first offset, label) lists.

    Each local modality's matches are blanked before the next modality and the
    systemic terms are searched, so "FOLFOX-HAIC" is HAIC only and "HIFU
    thermal ablation" is HIFU only. "Chemoradiotherapy" counts as both.
    Mentions right after "without", "prior", "refractory to", "recurrence
    after"... are blanked but not counted.
    """
    return _find_therapies(text, lowered(text))


def _find_therapies(text: str, low: str | None):
    """find_therapies, skipping every pattern whose cues `low` lacks (none skipped when
    `low` is None: the text cannot be folded)."""
    chemorad = [m.start() for m in _CHEMORADIATION.finditer(text)] if low is None or "chemorad" in low else []
    original = text
    local: dict[str, int] = {}
    for label, rx, cues in _LOCAL_CUED:
        if low is not None and not has_cue(cues, original, low):
            continue
        for m in rx.finditer(text):
            # Only the first counted mention matters: later ones skip the negation test.
            if label not in local and not _NOT_GIVEN.search(original[max(0, m.start() - 60):m.start()]):
                local[label] = m.start()
            text = text[:m.start()] + " " * (m.end() - m.start()) + text[m.end():]
    systemic: dict[str, int] = {}
    for label, rx, cues in _SYSTEMIC_CUED:
        if low is not None and not has_cue(cues, original, low):
            continue
        for m in rx.finditer(text):
            if not _NOT_GIVEN.search(original[max(0, m.start() - 60):m.start()]):
                systemic[label] = m.start()
                break
    if chemorad:
        systemic["chemotherapy"] = min(systemic.get("chemotherapy", chemorad[0]), chemorad[0])
    return (sorted((o, l) for l, o in local.items()), sorted((o, l) for l, o in systemic.items()))


def therapies(text: str) -> tuple[list[str], list[str]]:
    """Local and systemic therapy labels named in `text`, in order of first mention."""
    local, systemic = find_therapies(text)
    return [l for _, l in local], [l for _, l in systemic]


# Design vocabulary, checked in this priority order against the sentences that
# describe the document's own study (see metadata.py).
DESIGN_TERMS: tuple[tuple[str, str], ...] = (
    ("review", r"\b(?:systematic|narrative|literature|scoping|umbrella|comprehensive|critical|mini)[- ]review\b"
               r"|\bmeta-?analys[ie]s\b|\bthis review\b|\breview article\b|\bpooled analysis of (?:published|\d+)"),
    ("randomized", r"(?<!non-)(?<!non)\brandomi[sz]ed\b|\brandomly (?:assigned|allocated)\b|\b(?-i:RCT)\b"),
    ("retrospective", r"\bretrospective(?:ly)?\b"),
    ("prospective", r"\bprospective(?:ly)?\b"
                    r"|\bphase (?:I{1,3}|Ib|IIa|IIb|[123][ab]?)(?:/(?:I{1,3}|[123]))? (?:trial|study)\b"
                    r"|\bsingle-arm (?:trial|study)\b"),
    ("other", r"\breal-world\b|\bobservational\b|\bcohort study\b|\bcase series\b|\bcase report\b"
              r"|\bcross-sectional\b|\bcase-control\b"),
)
DESIGN_RE = tuple((label, re.compile(p, re.IGNORECASE)) for label, p in DESIGN_TERMS)
