"""Treatment arms: the groups a document compares, or its single cohort.

A group is recognised from how abstracts define and name groups ("28 received
ICI + HIFU", "the HIFU group (n = 28)", "the group without HIFU", "groups with
and without HIFU", "chemotherapy alone") and reduced to *keys*: the treatments
it has, the treatments it explicitly lacks, and whether it is "X alone". Two
mentions with compatible keys are the same arm, which is also how endpoint
statements are tied to arms (`match_arm`).

Decisions:
- Groups defined in a sentence about a subgroup or subset ("A subgroup of 24
  patients ... was matched with 21 patients ...") are a secondary analysis, not
  the study's arms; they and later mentions of them are dropped, so a cohort
  study with a matched sub-comparison stays single-arm with n = the cohort.
- An arm's n is only ever a number the text states for that group; a
  complement ("the group without HIFU") gets n = None rather than n - 28.
"""
from __future__ import annotations

import re
from functools import lru_cache

from livingreview.extract.document import Document
from livingreview.extract.numbers import fold_pattern, folded, split_sentences

# Canonical treatment label -> pattern. Order is the order names are built in
# (local therapy before systemic: "radiotherapy + ICI").
_LEXICON = (
    ("HIFU", r"HIFU(?:-t)?|high[-\u2010\u2011 ]intensity[\s\u2002]+focused[\s\u2002]+ultrasound"),
    ("RFA", r"RFA|radiofrequency ablation"),
    ("MWA", r"MWA|microwave ablation"),
    ("cryoablation", r"cryoablation"),
    ("thermal ablation", r"thermal ablation|ablation"),
    ("SBRT", r"SBRT|SABR|stereotactic body radiotherapy|stereotactic ablative radiotherapy"),
    ("radiotherapy", r"radiotherapy|radiation(?: therapy)?|irradiation|RT|IMRT"),
    ("TACE", r"TACE|chemoembolization|chemoembolisation"),
    ("SIRT", r"SIRT|TARE|radioembolization|radioembolisation|Y-?90"),
    ("HAIC", r"HAIC|hepatic arterial infusion chemotherapy"),
    ("surgery", r"surgery|surgical resection|resection|hepatectomy"),
    ("ICI", r"ICIs?|immune[- ]checkpoint inhibitors?|checkpoint inhibitors?|checkpoint blockade"
            r"|immunotherapy|anti-PD-L?1|PD-L?1 inhibitors?|PD-L?1"
            r"|\w+(?:lizumab|limab|lumab|limumab)"),
    ("TKI", r"TKIs?|tyrosine kinase inhibitors?|sorafenib|lenvatinib|regorafenib|apatinib"
            r"|donafenib|cabozantinib|anlotinib"),
    ("bevacizumab", r"bevacizumab"),
    ("chemotherapy", r"chemotherapy|chemo|FOLFOX|FOLFIRI|XELOX|CAPOX|gemcitabine|cisplatin"
                     r"|oxaliplatin|capecitabine"),
)
_KEY_RE = re.compile("|".join(f"(?P<t{i}>\\b(?:{p})\\b)" for i, (_, p) in enumerate(_LEXICON)),
                     re.IGNORECASE)
# The same scanner for lower-cased text (numbers.folded): same matches, same offsets, faster.
_KEY_RE_FOLDED = re.compile(fold_pattern(_KEY_RE.pattern))


def _key_matches(text: str):
    low = folded(text)
    return _KEY_RE.finditer(text) if low is None else _KEY_RE_FOLDED.finditer(low)


# Which labels are kinds of which: a "thermal ablation group" matches an RFA arm.
_FAMILY = {"RFA": "thermal ablation", "MWA": "thermal ablation",
           "cryoablation": "thermal ablation", "SBRT": "radiotherapy"}
_ALONE_RE = re.compile(r"\balone\b|-only\b|\bonly\b|\bmonotherapy\b|\bsolely\b", re.IGNORECASE)
_WITHOUT_RE = re.compile(r"\b(?:without|no|non)[- ]+", re.IGNORECASE)
_GENERIC = ("control", "combination", "combined", "placebo", "observation", "experimental")


def treatment_labels(text: str) -> list[str]:
    """Canonical treatment labels named in `text`, in lexicon order, once each."""
    found = {_LEXICON[int(m.lastgroup[1:])][0] for m in _key_matches(text)}
    return [label for label, _ in _LEXICON if label in found]


@lru_cache(maxsize=4096)
def keys(phrase: str) -> tuple[frozenset, frozenset, bool, str | None]:
    """(treatments present, treatments explicitly absent, "alone", generic label)."""
    pos, neg = set(), set()
    for m in _key_matches(phrase):
        label = _LEXICON[int(m.lastgroup[1:])][0]
        before = phrase[max(0, m.start() - 9):m.start()]
        (neg if _WITHOUT_RE.search(before) else pos).add(label)
    generic = next((g for g in _GENERIC if g in phrase.lower()), None)
    if generic == "combined":
        generic = "combination"
    return frozenset(pos), frozenset(neg), bool(_ALONE_RE.search(phrase)), generic


def _family(labels: frozenset) -> frozenset:
    return frozenset(_FAMILY.get(x, x) for x in labels)


def _compatible(mention: tuple, arm: tuple) -> bool:
    mpos, mneg, malone, mgen = mention
    apos, aneg, aalone, agen = arm
    if mneg:
        return mneg <= aneg
    if mpos:
        if malone or aalone:
            return _family(mpos) == _family(apos) and not (mpos & aneg)
        return _family(mpos) <= _family(apos) and not (mpos & aneg)
    return mgen is not None and mgen == agen


def fits_arm(phrase: str, arm_name: str) -> bool:
    """Whether a treatment phrase ("SBRT plus camrelizumab") describes the arm `arm_name`."""
    return _compatible(keys(phrase), keys(arm_name))


def match_arm(phrase: str, arm_names: list[str]) -> str | None:
    """The one arm name a group phrase ("the HIFU group", "chemotherapy-only") refers to."""
    if len(arm_names) == 1:
        return arm_names[0]
    mk = keys(phrase)
    hits = [a for a in arm_names if _compatible(mk, keys(a))]
    if len(hits) > 1 and mk[0]:
        exact = [a for a in hits if _family(keys(a)[0]) == _family(mk[0])]
        hits = exact
    if len(hits) != 1 and mk[3] in ("combination", "control") and not mk[0]:
        ranked = sorted(arm_names, key=lambda a: len(keys(a)[0]))
        if len({len(keys(a)[0]) for a in arm_names}) == len(arm_names):
            return ranked[-1] if mk[3] == "combination" else ranked[0]
    return hits[0] if len(hits) == 1 else None


# ------------------------------------------------------------ group finding
# One word of a treatment phrase (never a function word that would run the
# phrase into the rest of the sentence).
_W = r"(?!(?:the|in|of|was|were|for|to|than|that|which|who|a|an)\b)[^\s,;:.()\[\]]+"
_PHRASE = rf"{_W}(?:[ \u00a0]+(?:\+|plus|and|with|combined with|{_W})){{0,5}}?"
_N = r"(?P<n>\d+)"
# "28 received ICI + HIFU", "24 patients receiving HIFU combined with ..."
_RECEIVED_RE = re.compile(
    rf"\b{_N}\s+(?:(?:patients|cases|subjects|participants)\s+)?(?:were\s+)?"
    rf"(?:received|receiving|underwent|undergoing|(?:were\s+)?treated\s+with|given"
    rf"|assigned\s+to|allocated\s+to|randomi[sz]ed\s+to)\s+"
    rf"(?P<g>{_PHRASE})(?=\s+(?:as|for|at|in|were|was|and|who|group|arm)\b|\s*[,;.(]|$)",
    re.IGNORECASE)
_RECEIVED_HINT_RE = re.compile(r"\d\s+(?:\w+\s+){0,2}(?:receiv|underw|undergo|treated|given|assigned"
                               r"|allocated|randomi)", re.IGNORECASE)
_RECEIVED_WORDS = ("receiv", "underw", "undergo", "treated", "given", "assigned", "allocated", "randomi")
_GROUP_KW_RE = re.compile(r"\b(?:group|arm|cohort)s?\b", re.IGNORECASE)
# After a group word: "(n = 28)", "(28 patients)"; or "without HIFU".
_N_AFTER_RE = re.compile(rf"\s*[(\[]\s*(?:n\s*=\s*)?{_N}(?:\s+patients)?\s*[)\]]", re.IGNORECASE)
_WITH_AFTER_RE = re.compile(rf"\s+(?P<g>(?:without|not\s+receiving|receiving|treated\s+with|with)\s+{_PHRASE})"
                            r"(?=\s*[,;.()]|\s+(?:and|or|was|were|had|compared|versus|vs|than)\b|$)",
                            re.IGNORECASE)
_N_EQ_RE = re.compile(rf"\s*[(\[]\s*n\s*=\s*{_N}\s*[)\],;]", re.IGNORECASE)
# Before a phrase: "28 patients in the".
_N_IN_THE_RE = re.compile(rf"\b{_N}\s+(?:patients\s+|cases\s+)?in\s+the\s+$", re.IGNORECASE)
_ALONE_GROUP_RE = re.compile(r"(?P<g>[^\s,;:.()\[\]]+(?:-only|\s+alone|\s+monotherapy))\b", re.IGNORECASE)
_WITH_WITHOUT_RE = re.compile(r"\bwith\s+(?:and|or|vs\.?|versus)\s+without\s+(?P<g>[\w+\- ]{2,30}?)\b"
                              r"(?=[,.;)]|\s+(?:during|in|was|were|as)\b|$)", re.IGNORECASE)
_STOP_WORDS = frozenset("the in of was were for to than that which who a an and with between "
                        "on by from at as or vs vs. versus both received receiving underwent undergoing "
                        "treated given".split())


def _phrase_before(sent: str, end: int) -> tuple[str, int]:
    """The treatment words just before a group word ("the ICI + HIFU| group")."""
    window = sent[max(0, end - 70):end]
    words = window.split()
    if window and not window[0].isspace() and end - 70 > 0:
        words = words[1:]  # a cut-off word
    taken = []
    for w in reversed(words):
        if w.lower() in _STOP_WORDS and w not in ("+",) or any(c in w for c in ",;:.()[]"):
            break
        taken.append(w)
        if len(taken) == 6:
            break
    phrase = " ".join(reversed(taken))
    start = sent.rfind(taken[-1], 0, end) if taken else end
    return phrase, start
_SUBGROUP_RE = re.compile(r"\bsub-?groups?\b|\bsubsets?\b|\bmatched\b", re.IGNORECASE)
_SKIP_WORDS_RE = re.compile(r"^(?:two|both|either|each|all|different|same|three|these|study|treatment|entire|whole|overall)\b",
                            re.IGNORECASE)


class _Group:
    __slots__ = ("name", "n", "keys", "pos", "subgroup")

    def __init__(self, name, n, k, pos, subgroup):
        self.name, self.n, self.keys, self.pos, self.subgroup = name, n, k, pos, subgroup


def _same(a: tuple, b: tuple) -> bool:
    return _compatible(a, b) or _compatible(b, a)


_SPACES_RE = re.compile(r"\s+")
_ARTICLE_RE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)


def _clean(phrase: str) -> str:
    return _ARTICLE_RE.sub("", _SPACES_RE.sub(" ", phrase).strip(" -"))


def _groups(doc: Document) -> list[_Group]:
    groups: list[_Group] = []

    def add(name: str, n: int | None, pos: int, sub: bool) -> None:
        name = _clean(name)
        k = keys(name)
        if not (k[0] or k[1] or k[3]) or _SKIP_WORDS_RE.match(name):
            return
        for g in groups:
            if _same(k, g.keys):
                g.subgroup = g.subgroup or sub
                if g.n is None and n is not None:
                    g.n, g.pos = n, pos
                    # The name the text sizes the group under wins over an earlier bare mention
                    # ("TACE alone (n = 67)" over the title's "chemoembolisation alone").
                    if len(k[0]) >= len(g.keys[0]) and k[2] == g.keys[2]:
                        g.name, g.keys = name, k
                # The fuller name wins: "ICI + HIFU" over "HIFU".
                if len(k[0]) > len(g.keys[0]) and not k[2]:
                    g.name, g.keys = name, k
                return
        groups.append(_Group(name, n, k, pos, sub))

    for bs, be in doc.body:
        for ss, se in split_sentences(doc.text, bs, be):
            sent = doc.text[ss:se]
            low = sent.lower()
            # Cheap substring tests first: most sentences define no group.
            sub = ("sub" in low or "matched" in low) and bool(_SUBGROUP_RE.search(sent))
            if any(w in low for w in _RECEIVED_WORDS) and _RECEIVED_HINT_RE.search(sent):
                for m in _RECEIVED_RE.finditer(sent):
                    # "131 patients treated with A (n = 64) or B (n = 67)": the group's own n.
                    own = _N_EQ_RE.match(sent, m.end())
                    add(m["g"], int(own["n"] if own else m["n"]), ss + m.start(), sub)
            kws = _GROUP_KW_RE.finditer(sent) if ("group" in low or "arm" in low or "cohort" in low) else ()
            for kw in kws:
                plural = kw.group().lower().endswith("s")
                phrase, pstart = _phrase_before(sent, kw.start())
                n_after = _N_AFTER_RE.match(sent, kw.end())
                n_before = _N_IN_THE_RE.search(sent, max(0, pstart - 40), pstart)
                n = n_after or n_before
                if phrase and not plural:
                    add(phrase, int(n["n"]) if n else None, ss + pstart, sub)
                w = _WITH_AFTER_RE.match(sent, kw.end())
                if w and not plural:
                    add(w["g"], int(n_after["n"]) if n_after else None, ss + kw.start(), sub)
            if "n =" in low or "n=" in low:
                # "SBRT plus sintilimab (n = 60) or sintilimab alone (n = 58)"
                for m in _N_EQ_RE.finditer(sent):
                    phrase, pstart = _phrase_before(sent, m.start())
                    if phrase and not _GROUP_KW_RE.search(phrase):
                        add(phrase, int(m["n"]), ss + pstart, sub)
            if "alone" in low or "-only" in low or "monotherapy" in low:
                for m in _ALONE_GROUP_RE.finditer(sent):
                    add(m["g"], None, ss + m.start(), sub)
            if "without" in low:
                for m in _WITH_WITHOUT_RE.finditer(sent):
                    add(m["g"], None, ss + m.start(), sub)
                    add("without " + m["g"], None, ss + m.start(), sub)
    return groups


def _complement_name(g: _Group, others: list[_Group]) -> str:
    """"without HIFU" -> "ICI without HIFU" when the other arm is "ICI + HIFU"."""
    for o in others:
        base = [t for t in treatment_labels(o.name) if t not in g.keys[1]]
        if o.keys[0] >= g.keys[1] and base:
            return " + ".join(base) + " " + g.name[g.name.lower().find("without"):]
    return g.name


def single_arm_name(doc: Document) -> str | None:
    """The cohort's treatment, from the title if it names one, else the body."""
    title = doc.fields.get("title") or ""
    labels = treatment_labels(title)
    if not labels:
        labels = treatment_labels(" ".join(doc.text[s:e] for s, e in doc.body[:1]))
    if not labels:
        labels = treatment_labels(doc.body_text())
    if "thermal ablation" in labels and {"RFA", "MWA", "cryoablation"} & set(labels):
        labels.remove("thermal ablation")
    return " + ".join(labels) if labels else None


def extract_arms(doc: Document, n_patients: int | None) -> list[dict]:
    """Contract arms: one {name, n} per compared group, or one for the cohort."""
    groups = [g for g in _groups(doc) if not g.subgroup]
    named = [g for g in groups if g.keys[0] or g.keys[1]]
    if len(named) >= 2:
        groups = named  # "the combination arm", "the control group" refer to these
    if len(groups) >= 2:
        # Groups the text sizes come in the order it defines them; then the rest.
        groups.sort(key=lambda g: (g.n is None, g.pos))
        arms = []
        for g in groups:
            name = _complement_name(g, [o for o in groups if o is not g]) if g.keys[1] and not g.keys[0] else g.name
            arms.append({"name": name, "n": g.n})
        return arms
    name = single_arm_name(doc)
    if name is None:
        return []
    return [{"name": name, "n": n_patients}]
