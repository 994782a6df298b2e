"""The one treatment and design vocabulary: what papers write -> the contract's labels.

Metadata (`local_therapy`, `systemic_therapy`, the id's topic), arms (`arms.keys`, arm
names) and the synthesis (`analysis.synthesis`: which arm had the local therapy) all read
these tables; nothing else holds a therapy word list.

Each term has a contract label (the class), a name (what an arm is called and keyed by:
"RFA", "SBRT", "sorafenib") and the literal cues one of which every match contains (a
substring test on lower-cased text is far cheaper than a regex, so a pattern runs only
where its cues are found).

Rules (one set, used everywhere):

* Local therapy, matched in this order; a phrase that names one modality is blanked
  before the next is looked for, so the longer, more specific phrase wins:
  - HIFU: HIFU, (high-intensity) focused ultrasound, MRgFUS. "HIFU thermal ablation" and
    "thermal ablation (HIFU)" are HIFU only (the words describe how HIFU works).
  - SIRT: selective internal radiation therapy, SIRT, TARE, radioembolisation, Y-90 / 90Y.
    Never radiotherapy.
  - HAIC: HAIC, FOLFOX-HAIC, hepatic arterial infusion (chemotherapy). The phrase is HAIC
    only; a cytotoxic the text names ("infusion of oxaliplatin") is also chemotherapy.
  - TACE: TACE, cTACE, DEB-TACE, (transarterial) chemoembolisation. Bland embolisation
    (TAE) is not TACE.
  - thermal ablation: RFA, MWA, radiofrequency / microwave / laser / thermal ablation,
    LITT, and cryoablation (freezing is a thermal ablation too). Bare "ablation" is not
    counted (ethanol and chemical ablation exist).
  - radiotherapy: radiotherapy, radiation (therapy), irradiation, chemoradiotherapy (also
    chemotherapy), RT, EBRT, IMRT, SBRT / SABR / SRS / radiosurgery, proton and carbon-ion
    therapy, and brachytherapy (iodine-125 seeds included): all deliver radiation dose.
  - surgery: surgery / surgical, resection / resected, hepatectomy and the named
    oncologic resections (lobectomy, gastrectomy, ...), metastasectomy, liver transplant.
* Systemic therapy:
  - ICI: the anti-PD-1 / PD-L1 / CTLA-4 antibodies by name (and brand), "immune checkpoint
    inhibitor/blockade", "checkpoint inhibitor", ICI, ICB, "anti-PD-1", "PD-(L)1
    inhibitor/antibody/blockade", "anti-CTLA-4". Bare "immunotherapy" is NOT an ICI (it
    also covers vaccines, cytokines and cell therapies), nor is a bare "PD-L1" (expression).
  - TKI: "tyrosine/multi-kinase inhibitor", TKI, and the drugs by name: the INN stems
    -tinib and -anib, and sorafenib, regorafenib, donafenib.
  - anti-VEGF: bevacizumab, ramucirumab, aflibercept (and brands), "anti-VEGF". A bare
    "antiangiogenic" is not encoded: it can be a TKI or an antibody.
  - chemotherapy: chemotherapy / chemo, chemoradiotherapy, the regimens (FOLFOX, XELOX,
    ...), 5-FU, S-1 and the cytotoxics by name or stem (-platin, -taxel, -rubicin,
    -citabine, -tecan, -mustine, -trexed, ...). TACE and HAIC phrases are not chemotherapy.
* A therapy named as absent, prior or failed is not the study's: "without surgery",
  "recurrence after hepatectomy", "refractory to sorafenib", "sorafenib-naive",
  "chemotherapy-free" (`NOT_GIVEN_BEFORE`, `NOT_GIVEN_AFTER`). `ABSENT` is the shorter
  "without / no / non / minus" test arm names use ("ICI without HIFU").
"""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from livingreview.extract.numbers import folded

_H = r"[-\u2010-\u2015\s]"  # hyphen, typographic hyphens (U+2011 in seed 000) or space


class Term:
    """One way of naming a therapy: its contract label, its name (None: the matched word
    itself, lower-cased, through ALIASES), its pattern, and cues every match contains."""

    __slots__ = ("label", "name", "pattern", "cues", "words", "stem", "stem_cues")

    def __init__(self, label: str, name: str | None, pattern: str, cues: tuple[str, ...]):
        self.label, self.name, self.pattern, self.cues = label, name, pattern, cues
        self.words, self.stem, self.stem_cues = None, "", ()  # set for a word list (_words)


def _words(label: str, words: str, stem: str = "", stem_cues: tuple[str, ...] = ()) -> Term:
    """A term for a list of drug names, and optionally a name stem with the literal pieces
    (`stem_cues`) one of which every match of the stem holds; each drug is its own name."""
    names = words.split()
    term = Term(label, None, _word_pattern(names, stem), tuple(names) + stem_cues)
    term.words, term.stem, term.stem_cues = tuple(names), stem, stem_cues
    return term


def _word_pattern(names: list[str], stem: str) -> str:
    return r"\b(?:" + "|".join(names + ([stem] if stem else [])) + r")\b"


# Brand names and other aliases -> the drug's name (arms are keyed by the drug).
ALIASES = {
    "opdivo": "nivolumab", "keytruda": "pembrolizumab", "tecentriq": "atezolizumab", "imfinzi": "durvalumab",
    "yervoy": "ipilimumab", "bavencio": "avelumab", "libtayo": "cemiplimab", "imjudo": "tremelimumab",
    "tevimbra": "tislelizumab", "loqtorzi": "toripalimab", "jemperli": "dostarlimab",
    "nexavar": "sorafenib", "lenvima": "lenvatinib", "stivarga": "regorafenib", "cabometyx": "cabozantinib",
    "sutent": "sunitinib", "avastin": "bevacizumab", "cyramza": "ramucirumab", "zaltrap": "aflibercept",
    "rivoceranib": "apatinib", "5-fu": "fluorouracil", "5fu": "fluorouracil",
}

_ICI_DRUGS = (
    "nivolumab pembrolizumab atezolizumab durvalumab avelumab cemiplimab camrelizumab sintilimab "
    "tislelizumab toripalimab penpulimab serplulimab envafolimab ipilimumab tremelimumab cadonilimab "
    "dostarlimab retifanlimab zimberelimab spartalizumab relatlimab ivonescimab adebrelimab sugemalimab "
    "benmelstobart socazolimab pucotenlimab iparomlimab tebotelimab balstilimab prolgolimab cosibelimab "
    "finotonlimab opdivo keytruda tecentriq imfinzi yervoy bavencio libtayo imjudo tevimbra loqtorzi jemperli")
_TKI_NAMED = "sorafenib regorafenib donafenib rivoceranib nexavar lenvima stivarga cabometyx sutent"
_VEGF_DRUGS = "bevacizumab ramucirumab aflibercept avastin cyramza zaltrap"
_CHEMO_DRUGS = (
    "fluorouracil tegafur capecitabine gemcitabine dacarbazine temozolomide cyclophosphamide ifosfamide "
    "methotrexate etoposide mitomycin bleomycin vinorelbine vincristine vinblastine eribulin ixabepilone "
    "trabectedin lurbinectedin mitoxantrone procarbazine cytarabine fludarabine chlorambucil melphalan "
    "busulfan irinotecan topotecan")
_RESECTIONS = (
    "hepatectom lobectom segmentectom pneumonectom gastrectom esophagectom oesophagectom colectom "
    "proctectom pancreatectom pancreaticoduodenectom mastectom lumpectom nephrectom prostatectom "
    "cystectom hysterectom thyroidectom metastasectom")

#: Local therapies, in masking order (see the module docstring).
LOCAL_TERMS: tuple[Term, ...] = (
    Term("HIFU", "HIFU",
         rf"(?:(?:thermal{_H}+)?ablation\s*\((?:HIFU|MRgFUS)\))"
         rf"|(?:(?:\bhigh{_H}*intensity{_H}+)?\bfocus{{1,2}}ed{_H}+ultrasound|\bHIFU|\bMRgFUS)"
         rf"(?:{_H}?t\b)?(?:\s*\((?:HIFU|MRgFUS)\))?(?:{_H}+(?:thermal{_H}+)?ablation)?"
         r"(?:\s*\((?:HIFU(?:-t)?)\))?", ("hifu", "focus", "mrgfus")),
    Term("SIRT", "SIRT",
         r"\bselective internal radiation therapy\b|\b(?-i:SIRT|TARE)\b|\b(?:trans-?arterial\s+)?radioemboli[sz]ation\b"
         rf"|\b(?:Y|yttrium){_H}?90\b|\b90{_H}?Y\b", ("selective internal", "sirt", "tare", "radioemboli", "90")),
    Term("HAIC", "HAIC",
         rf"\b(?:FOLFOX{_H}?)?(?-i:HAIC)\b|\bhepatic{_H}+arter(?:ial|y){_H}+infusion(?:{_H}+chemotherapy)?\b",
         ("haic", "infusion")),
    Term("TACE", "TACE",
         rf"\b(?-i:(?:DEB{_H}?|c)?TACE)\b|\b(?:trans-?arterial\s+)?chemoemboli[sz]ation\b", ("tace", "chemoemboli")),
    Term("thermal ablation", "RFA",
         rf"\bradio{_H}?frequency{_H}*(?:thermal{_H}*)?ablation\b|\b(?-i:RFA)\b", ("frequency", "rfa")),
    Term("thermal ablation", "MWA", rf"\bmicrowave{_H}*(?:thermal{_H}*)?ablation\b|\b(?-i:MWA)\b",
         ("microwave", "mwa")),
    Term("thermal ablation", "cryoablation", rf"\bcryo{_H}*ablation\b|\bcryotherapy\b|\bcryosurgery\b", ("cryo",)),
    Term("thermal ablation", "thermal ablation", rf"\b(?:laser|thermal){_H}*ablation\b|\b(?-i:LITT)\b",
         ("laser", "thermal", "litt")),
    Term("radiotherapy", "SBRT",
         rf"\bstereotactic{_H}+(?:body{_H}+|ablative{_H}+)?radi\w*|\b(?-i:SBRT|SABR|SRS)\b|\bradiosurgery\b",
         ("stereotactic", "sbrt", "sabr", "srs", "radiosurgery")),
    Term("radiotherapy", "proton therapy", rf"\bproton{_H}+(?:beam{_H}+)?(?:radio)?therapy\b|\bcarbon{_H}ion\b",
         ("proton", "carbon")),
    Term("radiotherapy", "brachytherapy",
         rf"\bbrachytherap\w*|\b(?:iodine|I){_H}?125(?:{_H}+seeds?)?\b|\b125I\b", ("brachy", "125")),
    Term("radiotherapy", "radiotherapy",
         r"\b(?:chemo)?radiotherap\w*|\bchemoradiation\b|(?<!ionizing )(?<!ionising )\bradiation\b"
         rf"|\birradiation\b|\bexternal{_H}+beam\b|\b(?-i:IMRT|EBRT|RT)\b(?![-\u2010-\u2015]?PCR)",
         ("radiotherap", "radiation", "imrt", "ebrt", "rt", "beam")),
    Term("surgery", "surgery",
         r"\b(?:" + "|".join(_RESECTIONS.split()) + r")\w*|(?<!non-)(?<!non)\bsurg(?:ery|ical)\b"
         r"|(?<!non-)\bresect(?:ion|ions|ed)\b|\bliver" + _H + r"+transplant\w*",
         ("ectom", "surg", "resect", "transplant")),
)

#: Systemic therapies, in masking order.
SYSTEMIC_TERMS: tuple[Term, ...] = (
    Term("ICI", "ICI",
         rf"\bimmune{_H}+checkpoint{_H}+(?:inhibitor|blockade|blocker)s?\b|\bcheckpoint{_H}+(?:inhibitor|blocker)s?\b"
         r"|\b(?-i:ICIs?|ICB)\b", ("checkpoint", "ici", "icb")),
    Term("ICI", "anti-PD-1",
         rf"\banti{_H}?PD{_H}?(?:\(L\)|L)?{_H}?1\b"
         rf"|\bPD{_H}?(?:\(L\)|L)?{_H}?1(?:\s*/\s*PD{_H}?L{_H}?1)?{_H}+(?:(?:checkpoint|monoclonal){_H}+)?"
         r"(?:inhibitor|antibod|blockade|blocker)\w*", ("pd",)),
    Term("ICI", "anti-CTLA-4", rf"\banti{_H}?CTLA{_H}?4\b|\bCTLA{_H}?4{_H}+(?:inhibitor|blockade|antibod|blocker)\w*",
         ("ctla",)),
    _words("ICI", _ICI_DRUGS),
    Term("anti-VEGF", "anti-VEGF", rf"\banti{_H}?VEGF(?:{_H}?A)?\b(?!{_H}?(?:TKI|R))", ("vegf",)),
    _words("anti-VEGF", _VEGF_DRUGS),
    Term("TKI", "TKI",
         rf"\btyrosine{_H}+kinase{_H}+inhibitors?\b|\bmulti{_H}?(?:target(?:ed)?{_H}+)?kinase{_H}+inhibitors?\b"
         r"|\b(?-i:TKIs?)\b", ("kinase", "tki")),
    _words("TKI", _TKI_NAMED, r"[a-z]{3,}(?:tinib|anib)", ("nib",)),
    Term("chemotherapy", "chemotherapy",
         r"\bchemotherap\w*|\bchemo\b|\bchemoradi\w*|\bcytotoxic{_H}+(?:chemotherap\w*|drugs?|agents?|regimens?)\b"
         rf"|\banthracyclines?\b|\btaxanes?\b|\bplatinum{_H}(?:based|doublet)\b|\bfluoropyrimidines?\b",
         ("chemo", "cytotoxic", "anthracycline", "taxane", "platinum", "fluoropyrimidine")),
    Term("chemotherapy", None,
         r"\b(?-i:m?FOLFOX\d*|FOLFIRI(?:NOX)?|FOLFOXIRI|XELOX|CAPOX|XELIRI|GEMOX|TEGAFOX|TEGAFIRI|FEC\d*|CMF|ECF|EOX|UFT"
         rf"|S-1)\b|\b5{_H}?FU\b",
         ("folf", "xel", "capox", "gemox", "tegaf", "fec", "cmf", "ecf", "eox", "uft", "s-1", "fu")),
    _words("chemotherapy", _CHEMO_DRUGS, r"[a-z]*(?:platin|taxel|rubicin|citabine|tecan|mustine|trexed)",
           ("platin", "taxel", "rubicin", "citabine", "tecan", "mustine", "trexed")),
)

#: The names a mention can have other than its matched word lower-cased: the terms' own names
#: and the drugs aliases point to.
FIXED_NAMES = tuple(sorted({t.name.lower() for t in LOCAL_TERMS + SYSTEMIC_TERMS if t.name} | set(ALIASES.values())))

LOCAL_LABELS = ("HIFU", "thermal ablation", "radiotherapy", "TACE", "SIRT", "HAIC", "surgery")
SYSTEMIC_LABELS = ("ICI", "chemotherapy", "TKI", "anti-VEGF")
LOCAL_SLUGS = {
    "HIFU": "hifu", "thermal ablation": "ablation", "radiotherapy": "radiotherapy",
    "TACE": "tace", "SIRT": "sirt", "HAIC": "haic", "surgery": "surgery",
}

# ------------------------------------------------------------------ negation

#: Words that mark a therapy as absent in a group's name: "without HIFU", "no TACE", "non-RFA".
ABSENT = r"\b(?:without|no|non|minus|not\s+receiving)[\s\u2010-\u2015-]+"
ABSENT_BEFORE = re.compile(ABSENT + r"$", re.IGNORECASE)

#: Just before a term: the therapy is absent, prior or failed ("without surgery", "recurrent HCC
#: after hepatectomy", "refractory to sorafenib", "not eligible for resection").
NOT_GIVEN_BEFORE = re.compile(
    r"(?i)\b(?:without|instead of|not|no|non|minus|prior|previous(?:ly)?|pretreated with|refractory to|resistant to|"
    r"failure of|failed|intolerant (?:of|to)|progress\w* (?:on|after|during)|na[iï]ve to|cannot|unable to|"
    r"(?:ineligible|unsuitable|unfit|contraindicat\w*) (?:for|to)|"
    r"(?:recurren|relaps)\w*(?:\s+[\w-]+){0,4}\s+after)[\s\u2010-\u2015-]+"
    r"(?:(?!(?:received?|receiving|underwent|undergoing|were|was|and|then|with|plus|followed|by)\b)[\w-]+\s+){0,2}$")
#: Just after a term: "sorafenib-naive", "chemotherapy-free", "sorafenib failure", "resection became
#: possible" (an outcome), "surgery, transplantation or ablation is no longer an option".
NOT_GIVEN_AFTER = re.compile(
    r"(?i)^(?:[\s\u2010-\u2015-]?(?:na[iï]ve|refractory|resistant|pre-?treated|intolerant|intolerance|failure|free)\b"
    r"|[\w\s,-]{0,50}?\b(?:is|are|was|were) (?:no longer|not) (?:an? )?(?:option|possible|feasible|indicated|suitable)"
    r"|\s+(?:became|becomes|become|was|were) (?:possible|feasible)\b)")


def not_given(text: str, start: int, end: int) -> bool:
    """Whether the term at text[start:end] is named as absent, prior or failed."""
    return bool(NOT_GIVEN_BEFORE.search(text[max(0, start - 60):start])
                or NOT_GIVEN_AFTER.match(text[end:end + 80]))


# ------------------------------------------------------------------ cues and scanning

def has_cue(cues: tuple[str, ...] | None, text: str, low: str | None) -> bool:
    """Whether lowered `text` (`low`; None when it cannot be folded) holds one of `cues`
    (None: no cues known, the pattern must run)."""
    if cues is None or low is None:
        return True
    for cue in cues:  # a plain loop: any() with a generator costs more here
        if cue in low:
            return True
    return False


@lru_cache(maxsize=1024)
def lowered(text: str) -> str | None:
    """numbers.folded(text), remembered: the same sentences go through several tests."""
    return folded(text)


class _Class:
    """The terms of one label as one regex (a named group per term) and their cues."""

    __slots__ = ("label", "terms", "rx", "cues", "cue_set", "_narrowed")

    def __init__(self, label: str, terms: list[Term]):
        self.label, self.terms = label, terms
        self.rx = re.compile("|".join(f"(?P<t{i}>{t.pattern})" for i, t in enumerate(terms)), re.IGNORECASE)
        self.cues = tuple(dict.fromkeys(c for t in terms for c in t.cues))
        self.cue_set = frozenset(self.cues)
        self._narrowed: dict[frozenset, re.Pattern] = {}

    def narrowed(self, cues: frozenset) -> re.Pattern:
        """The class regex with only the alternatives that can match where `cues` are the class's
        cues present: a term none of whose cues is there cannot match, nor can a drug name of a
        word list that is not there. The same groups (t0, t1, ...) in the same order, so it finds
        what `rx` finds in such a stretch."""
        rx = self._narrowed.get(cues)
        if rx is None:
            parts = []
            for i, t in enumerate(self.terms):
                if t.words is not None:
                    names = [w for w in t.words if w in cues]
                    stem = t.stem if any(c in cues for c in t.stem_cues) else ""
                    if names or stem:
                        parts.append(f"(?P<t{i}>{_word_pattern(names, stem)})")
                elif any(c in cues for c in t.cues):
                    parts.append(f"(?P<t{i}>{t.pattern})")
            rx = re.compile("|".join(parts) or r"(?!)", re.IGNORECASE)
            if len(self._narrowed) < 4096:
                self._narrowed[cues] = rx
        return rx

    def name(self, m: re.Match) -> str:
        term = self.terms[int(m.lastgroup[1:])]
        if term.name is not None:
            return term.name
        word = m.group().lower().replace("\u2010", "-")
        return ALIASES.get(word, word)


def _classes(terms: tuple[Term, ...]) -> tuple[_Class, ...]:
    labels = list(dict.fromkeys(t.label for t in terms))
    return tuple(_Class(label, [t for t in terms if t.label == label]) for label in labels)


_LOCAL = _classes(LOCAL_TERMS)
_SYSTEMIC = _classes(SYSTEMIC_TERMS)
_CHEMORADIATION = re.compile(r"\bchemoradi\w*", re.IGNORECASE)


class Mention:
    """A therapy named in a text: where, its label and name, and whether it is named as
    not given (absent, prior, failed)."""

    __slots__ = ("start", "end", "label", "name", "not_given")

    def __init__(self, start, end, label, name, not_given_):
        self.start, self.end, self.label, self.name, self.not_given = start, end, label, name, not_given_

    def __repr__(self):
        return f"Mention({self.start}, {self.end}, {self.label!r}, {self.name!r}, {self.not_given})"


#: Characters no term pattern can match (none is written in a pattern, and none is a word or
#: space character): a match never crosses one, so a long text is searched stretch by stretch
#: between them, and only in the stretches that hold a cue of the class.
STOPS = '.,;:%="'
_STOP_RE = re.compile("[" + re.escape(STOPS) + "]")


def _stretches(cues: list[str], low: str, stops: list[int]) -> list[tuple[int, int, frozenset]]:
    """The stretches between stop characters (offsets in `stops`) where `low` holds one of
    `cues` (each present in `low`), in order, each with the cues it holds. A cue holds no stop,
    so each of its occurrences lies in one stretch."""
    found: dict[int, set] = {}
    last = len(stops)
    for cue in cues:  # str.find per cue: far faster than one regex of all the cues
        i = low.find(cue)
        while i >= 0:
            k = bisect_right(stops, i)
            found.setdefault(k, set()).add(cue)
            if k == last:
                break
            i = low.find(cue, stops[k])
    return [(stops[k - 1] + 1 if k else 0, stops[k] if k < last else len(low), frozenset(found[k]))
            for k in sorted(found)]


def _blanked(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with each of the (sorted, disjoint) spans replaced by as many spaces."""
    parts, pos = [], 0
    for start, end in spans:
        parts.append(text[pos:start])
        parts.append(" " * (end - start))
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def _places(group: _Class, text: str, low: str | None, stops: list[int], present: set | None):
    """Where `group`'s terms are to be searched, as (start, end, regex): the stretches holding
    one of its cues (`present`: the cues of every class `low` holds), each with the class regex
    narrowed to the terms those cues allow; or (`low` None: the text cannot be folded) the
    whole text with the full regex."""
    if present is None:
        return ((0, len(text), group.rx),)
    cues = [c for c in group.cues if c in present]
    return [(start, end, group.narrowed(found)) for start, end, found in _stretches(cues, low, stops)] if cues else ()


#: Every class's cues, once: a text is tested for each only once, whichever classes share it.
_ALL_CUES = tuple(dict.fromkeys(c for group in _LOCAL + _SYSTEMIC for c in group.cues))


def _gated(cues: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]]:
    """`cues` as those tested one by one and groups behind a gate: long cues sharing a
    three-letter ending ("-mab", "-ine") with two others are tested only where the ending is."""
    ends: dict[str, list[str]] = {}
    for c in cues:
        if len(c) >= 6:
            ends.setdefault(c[-3:], []).append(c)
    gates = tuple((end, tuple(group)) for end, group in ends.items() if len(group) >= 3)
    behind = {c for _, group in gates for c in group}
    return tuple(c for c in cues if c not in behind), gates


_UNGATED_CUES, _CUE_GATES = _gated(_ALL_CUES)


def _present_cues(low: str) -> set[str]:
    """The cues of _ALL_CUES that `low` holds (a cue behind a gate can only be where its gate is)."""
    present = {c for c in _UNGATED_CUES if c in low}
    for gate, group in _CUE_GATES:
        if gate in low:
            present.update(c for c in group if c in low)
    return present


@lru_cache(maxsize=8192)
def mentions(text: str) -> tuple[Mention, ...]:
    """Every therapy term in `text`, in masking order (local then systemic, each class's
    matches blanked before the next class is searched), then sorted by offset."""
    low = lowered(text)
    # None: each class is searched over the whole text. Otherwise only the cues the text holds
    # are placed (most texts hold few or none: `in` rules the others out at the least cost).
    present = None if low is None else _present_cues(low)
    stops = [m.start() for m in _STOP_RE.finditer(text)] if present else []
    original, found = text, []
    for group in _LOCAL:
        if present is not None and present.isdisjoint(group.cue_set):
            continue  # none of its cues: no match (the common case, decided without a call)
        spans = []
        for start, end, rx in _places(group, original, low, stops, present):
            for m in rx.finditer(text, start, end):
                found.append(Mention(m.start(), m.end(), group.label, group.name(m),
                                     not_given(original, m.start(), m.end())))
                spans.append((m.start(), m.end()))
        if spans:
            text = _blanked(text, spans)
    for group in _SYSTEMIC:
        if present is not None and present.isdisjoint(group.cue_set):
            continue
        for start, end, rx in _places(group, original, low, stops, present):
            for m in rx.finditer(text, start, end):
                found.append(Mention(m.start(), m.end(), group.label, group.name(m),
                                     not_given(original, m.start(), m.end())))
    if low is None or "chemorad" in low:
        for m in _CHEMORADIATION.finditer(original):
            found.append(Mention(m.start(), m.end(), "chemotherapy", "chemotherapy",
                                 not_given(original, m.start(), m.end())))
    return tuple(sorted(found, key=lambda x: (x.start, x.end)))


def find_therapies(text: str) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Local and systemic therapies named in `text` as given, as sorted (first offset, label)
    lists. "FOLFOX-HAIC" is HAIC only, "HIFU thermal ablation" HIFU only, "chemoradiotherapy"
    both radiotherapy and chemotherapy; "without surgery", "refractory to sorafenib" not counted."""
    local: dict[str, int] = {}
    systemic: dict[str, int] = {}
    for x in mentions(text):
        if x.not_given:
            continue
        into = local if x.label in LOCAL_SLUGS else systemic
        into.setdefault(x.label, x.start)
    return sorted((o, l) for l, o in local.items()), sorted((o, l) for l, o in systemic.items())


def therapies(text: str) -> tuple[list[str], list[str]]:
    """Local and systemic therapy labels named in `text`, in order of first mention."""
    local, systemic = find_therapies(text)
    return [l for _, l in local], [l for _, l in systemic]


def label_of(name: str) -> str | None:
    """The contract label of a treatment name ("RFA" -> "thermal ablation"), or None."""
    found = mentions(name)
    return found[0].label if found else None


#: The contract labels' own names are also generic treatment names ("the TKI arm").
GENERIC_NAMES = frozenset({"ICI", "TKI", "chemotherapy", "anti-VEGF", "thermal ablation", "radiotherapy",
                           "surgery", "HIFU", "TACE", "SIRT", "HAIC", "anti-PD-1", "anti-CTLA-4"})


# ------------------------------------------------------------------ designs

# Design vocabulary, checked in this priority order against the sentences that describe
# the document's own study (see metadata.design): (label, pattern, cues).
DESIGN_TERMS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("review", r"\b(?:systematic|narrative|literature|scoping|umbrella|comprehensive|critical|mini)[- ]review\b"
               r"|\bmeta-?analys[ie]s\b|\bthis review\b|\breview article\b|\bpooled analysis of (?:published|\d+)",
     ("review", "analys", "pooled")),
    # Registry and database analyses are retrospective by construction.
    ("retrospective", r"\bretrospective(?:ly)?\b|\b(?:national|population-based|administrative|claims|cancer)\s+"
                      r"(?:[\w-]+\s+){0,2}(?:database|registry)\b|\bdatabase analysis\b|\b(?-i:SEER|NCDB)\b",
     ("retrospective", "database", "registry", "seer", "ncdb")),
    ("randomized", r"(?<!non-)(?<!non)\brandomi[sz](?:ed|ation)\b|\brandomly\s+(?:were\s+)?(?:assigned|allocated|divided|administered|distributed)\b|\b(?:assigned|allocated) at random\b|\b(?-i:RCT)\b"
                   r"|\bphase (?:III|3)(?:/(?:III|3))? (?:\w+[ -]){0,3}(?:trial|study)\b|\bphase[- ](?:III|3)\b",
     ("randomi", "random", "rct", "phase")),
    ("prospective", r"\bprospective(?:ly)?\b"
                    r"|\bphase (?:I{1,3}|Ib|IIa|IIb|[123][ab]?)(?:/(?:I{1,3}|[123]))? (?:\w+[ -]){0,3}(?:trial|study)\b"
                    r"|\bsingle[- ]arm (?:\w+[ -]){0,3}(?:trial|study)\b",
     ("prospective", "phase", "single")),
    ("other", r"\breal-world\b|\bobservational\b|\bcohort study\b|\bcase series\b|\bcase report\b"
              r"|\bcross-sectional\b|\bcase-control\b|\bsimulat(?:ion|ed)\b|\bindirect comparison\b",
     ("real-world", "observational", "cohort", "case", "cross-sectional", "simulat", "indirect")),
    # A propensity-score comparison is of treatments already given (last: a prospective or
    # "real-world" cohort, an indirect comparison may be matched too).
    ("retrospective", r"\bpropensity[- ]scor\w*|\bpropensity[- ]match\w*", ("propensity",)),
)
DESIGN_CUED = tuple((label, re.compile(p, re.IGNORECASE), cues) for label, p, cues in DESIGN_TERMS)
