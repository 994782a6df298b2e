"""Treatment arms: the groups a document compares, or its single cohort.

Groups are found from how papers define them, strongest first:
1. by assignment or size: "randomised to A, B or C", "randomization between A versus B",
   "64 received A and 58 (received) B", "randomized, 170 to A and 168 to B", "A (n = 30)",
   "(SB-RFA, n = 36)", "(63 TE and 62 TEL patients)", "the HIFU group (n = 28)";
2. by a label the text gives them: "arm A", "group II", "(A) ...; (B) ...";
3. by the title's comparison ("A versus B", "A with or without B") or a sentence comparing
   "between A and B";
4. only named: "the HIFU group", "the group without HIFU", "chemotherapy alone" (a plain
   word such as "the garlic group" only once the text calls it a group twice).
The strongest tier that gives two or more groups is taken; a stated count ("the three
arms") caps it. A mention is reduced to *keys* (`keys`): the treatments it has, by the
vocabulary's names (extract.vocabulary: "sorafenib", "RFA", "ICI"), else its own words
("60 Gy"); the treatments it explicitly lacks; whether it is "X alone"; and a generic label
("control", "arm A"). Abbreviations the text defines ("lenvatinib (LEN)") are written out
before keying. Two mentions with compatible keys are the same arm, which is also how
endpoint statements are tied to arms (`match_arm`).

Decisions:
- Groups defined in a sentence about a subgroup or subset ("A subgroup of 24
  patients ... was matched with 21 patients ...") are a secondary analysis, not
  the study's arms; they and later mentions of them are dropped, so a cohort
  study with a matched sub-comparison stays single-arm with n = the cohort.
- An arm's n is only ever a number the text states for that group; a
  complement ("the group without HIFU") gets n = None rather than n - 28, and counts
  in a sentence about excluded or withdrawn patients are never a group's size.
- An arm is named as the text names it where it assigns or sizes it ("SoraHAIC",
  "TACE alone"): results reuse that name.
"""
from __future__ import annotations

import re
from functools import lru_cache

from livingreview.extract.document import Document
from livingreview.extract.numbers import folded
from livingreview.extract.sentences import split_sentences
from livingreview.extract.vocabulary import (ABSENT_BEFORE, FIXED_NAMES, GENERIC_NAMES, LOCAL_LABELS, LOCAL_TERMS,
                                             SYSTEMIC_LABELS, label_of, mentions)

_ALONE_RE = re.compile(r"\balone\b|-only\b|\bonly\b|\bmonotherapy\b|\bsolely\b", re.IGNORECASE)
_GENERIC = ("control", "combination", "combined", "placebo", "observation", "experimental", "intervention",
            "usual care", "standard care", "sham")
# "arm A", "group B", "Arm II", "cohort 2": a label the text gives a group.
_LETTER_RE = re.compile(r"\b(?i:arms?|groups?|cohorts?)\s+(?P<l>[A-F]|I{1,3}|IV|[1-6])\b(?![-.]\d)")
# Words of a group phrase that say nothing about which group it is.
_FILLER = frozenset("""the a an of with and plus in on to for or by group groups arm arms cohort cohorts patients
patient participants subjects cases who were was be being receive received receiving treated treatment therapy
alone only monotherapy solely either both vs versus than that this those these at as after before""".split())
_TOKEN_RE = re.compile(r"[^\W_]+(?:[-/.][^\W_]+)*")
_WORD_RE = re.compile(r"[^\W_]+")
# A drug outside the vocabulary's classes ("panitumumab", "everolimus") still tells groups apart.
_DRUG_STEM_RE = re.compile(r"(?i)[a-z]{3,}(?:mab|nib|limus|cept|parin|tide|stat)$")


def _display(name: str) -> str:
    """How an arm name shows a treatment: local therapies by their own name (RFA, SBRT),
    systemic ones by class (ICI, TKI, chemotherapy, anti-VEGF)."""
    label = label_of(name) if name not in GENERIC_NAMES else name
    if label in LOCAL_LABELS or label is None:
        return name
    return label


def treatment_labels(text: str) -> list[str]:
    """Treatments named in `text` (not as absent), once each: local therapies first by their
    own names ("SBRT", "RFA", "HIFU"), then systemic ones by class ("ICI", "TKI")."""
    found = [x for x in mentions(text) if not ABSENT_BEFORE.search(text[max(0, x.start - 14):x.start])]
    local = [x.name for x in sorted((x for x in found if x.label in LOCAL_LABELS),
                                    key=lambda x: (LOCAL_LABELS.index(x.label), x.start))]
    systemic = [x.label for x in sorted((x for x in found if x.label in SYSTEMIC_LABELS),
                                        key=lambda x: (SYSTEMIC_LABELS.index(x.label), x.start))]
    return list(dict.fromkeys(local + systemic))


@lru_cache(maxsize=4096)
def keys(phrase: str) -> tuple[frozenset, frozenset, bool, str | None]:
    """(treatments present, treatments explicitly absent, "alone", generic label).

    Treatments are the vocabulary's names ("sorafenib", "RFA", "ICI"); a phrase naming none
    is keyed by its own distinctive words ("~60", "~gy"), so "the 60 Gy group" and an arm
    "60 Gy" agree. The generic label is "control", "combination", "placebo", ... or the
    label the text gives a group ("arm A")."""
    pos, neg = set(), set()
    found = mentions(phrase)
    for x in found:
        (neg if ABSENT_BEFORE.search(phrase[max(0, x.start - 14):x.start]) else pos).add(x.name)
    low = phrase.lower()
    letter = _LETTER_RE.search(phrase)
    generic = "arm " + letter["l"] if letter else next((g for g in _GENERIC if g in low), None)
    if generic == "combined":
        generic = "combination"
    if not found:
        pos = {"~" + t for t in (w.lower() for w in _TOKEN_RE.findall(phrase))
               if t not in _FILLER and not any(t.startswith(g) for g in _GENERIC)}
    else:
        # Beside the treatments, a word that names the group's own agent ("CT-PFNECII combined
        # with chemotherapy" against "chemotherapy alone"): an abbreviation or a code.
        rest = phrase
        for x in reversed(found):
            rest = rest[:x.start] + " " + rest[x.end:]
        pos |= {"~" + w.lower() for w in _WORD_RE.findall(rest)
                if sum(c.isupper() for c in w) >= 2 or (w[0].isupper() and any(c.isdigit() for c in w))
                or _DRUG_STEM_RE.search(w)}
    if letter:
        pos = {x for x in pos if not x.startswith("~")}
    return frozenset(pos), frozenset(neg), bool(_ALONE_RE.search(phrase)), generic


def _family_of(name: str) -> str:
    return name if name.startswith("~") else (label_of(name) or name)


def _covers(arm_names: frozenset, name: str) -> bool:
    """Whether an arm with treatments `arm_names` has the treatment `name` a mention gives:
    the same name, or a class the arm's treatment belongs to ("TKI" for sorafenib), or a
    drug of the arm's class when the arm names only the class ("sorafenib" for "TKI")."""
    if name in arm_names:
        return True
    if name.startswith("~"):
        return False
    fam = _family_of(name)
    if name in GENERIC_NAMES or name == fam:
        return any(_family_of(a) == fam for a in arm_names)
    return fam in arm_names


def _compatible(mention: tuple, arm: tuple) -> bool:
    mpos, mneg, malone, mgen = mention
    apos, aneg, aalone, agen = arm
    if mneg:
        return all(_covers(aneg, x) for x in mneg)
    if mpos:
        if any(_covers(aneg, x) for x in mpos):
            return False
        if not all(_covers(apos, x) for x in mpos):
            return False
        if malone or aalone:
            return all(_covers(mpos, x) for x in apos)
        return True
    return mgen is not None and mgen == agen


def names_group(phrase: str) -> bool:
    """Whether a phrase can name a group at all: a treatment, an absent one, a generic group
    ("control", "arm B") or distinctive words of its own ("LEN", "60 Gy")."""
    k = keys(phrase)
    return bool(k[0] or k[1] or k[3])


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
        exact = [a for a in hits if keys(a)[0] == mk[0]]
        hits = exact
    if len(hits) > 1 and mk[3] and mk[3].startswith("arm "):
        hits = [a for a in hits if keys(a)[3] == mk[3]]
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
    rf"\b{_N}\s+(?:(?:patients|cases|subjects|participants)\s+)?(?:were\s+|had\s+|have\s+)?"
    rf"(?:received|receiving|underwent|undergoing|(?:were\s+)?treated\s+with|given"
    rf"|assigned\s+to|allocated(?:\s+to)?|randomi[sz]ed\s+to)\s+"
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
_DROPPED_RE = re.compile(r"(?i)\b(?:excluded|withdr[ae]w\w*|lost to follow|discontinu\w*|died|ineligible|dropped)\b")
_SUBGROUP_RE = re.compile(r"\bsub-?groups?\b|\bsubsets?\b|\bmatched\b", re.IGNORECASE)
_SKIP_WORDS_RE = re.compile(r"^(?:two|both|either|each|all|different|same|three|these|study|treatment|entire|whole|overall)\b",
                            re.IGNORECASE)


# How strongly a mention says it is one of the compared groups: defined by assignment or
# with its size ("randomised to A or B", "64 received A", "A (n = 30)"), by a label the text
# gives it ("arm B"), by the title's comparison ("A versus B"), or only named ("the A group").
_ASSIGNED, _LABELLED, _TITLE, _NAMED = 4, 3, 2, 1


class _Group:
    __slots__ = ("name", "n", "keys", "pos", "subgroup", "strength")

    def __init__(self, name, n, k, pos, subgroup, strength):
        self.name, self.n, self.keys, self.pos, self.subgroup, self.strength = name, n, k, pos, subgroup, strength


def _same(a: tuple, b: tuple) -> bool:
    return _compatible(a, b) or _compatible(b, a)


_SPACES_RE = re.compile(r"\s+")
_ARTICLE_RE = re.compile(r"^(?:the|a|an|either|to|receive|be treated with)\s+", re.IGNORECASE)
_PAREN_RE = re.compile(r"\s*[(\[][^()\[\]]*[)\]]")


_DANGLING_RE = re.compile(r"\s*[(\[][^)\]]*$|^[^(\[]*[)\]]\s*")


def _clean(phrase: str) -> str:
    """A group phrase without spacing runs, leading articles or a bracket left open."""
    phrase = _DANGLING_RE.sub("", _SPACES_RE.sub(" ", phrase)).strip(" -,.")
    while _ARTICLE_RE.match(phrase):
        phrase = _ARTICLE_RE.sub("", phrase, count=1)
    return phrase


# A phrase only named (not assigned or sized) counts as a group when it names a treatment,
# an absence, a generic group ("control") or a label-like word: an abbreviation ("TEGAFOX",
# "SB-RFA") or a dose ("60 Gy").
_LABEL_LIKE_RE = re.compile(r"(?-i:\b[A-Z][A-Za-z0-9]*[A-Z0-9][A-Za-z0-9/+-]*\b)|\b\d+(?:\.\d+)?\s*(?:Gy|mg|μM|µM)\b")
# Never a group's name: a result ("38.6%", "24 hours"), an equation, or a word about the analysis.
_NOT_A_NAME_RE = re.compile(
    r"[%=<>]|^\d+(?:\.\d+)?\s*(?:months?|weeks?|days?|hours?|years?|h|min)\b|(?i:^(?:randomi[sz]ed|randomi[sz]ation|"
    r"analys[ie]s|analy[sz]ed|all|total|overall|vice versa|each|both|following|per-protocol|intention-to-treat|"
    r"patients|subjects|participants|treatment|therapy|study|trial)$)", re.UNICODE)
_NOT_GROUP_WORDS = re.compile(
    r"(?i)\b(?:age|risk|prognostic|stage|grade|sex|subgroup|dose|higher|lower|high|low|older|younger|"
    r"responders?|non-?responders?|score|class|categor\w*|quartile|tertile|level|positive|negative|mutation|"
    r"expression|who|ecog|bclc|child|stratum|strata|cohort|validation|training|baseline)\b")

# "randomised (1:1) to receive A or B", "randomly assigned to one of four groups: ..."
_ASSIGN_RE = re.compile(
    r"\b(?:randomi[sz]ation\s+(?:between|of)(?=\s)|randomi[sz]ed|randomly\s+(?:assigned|allocated|divided)|"
    r"(?:assigned|allocated)(?:\s+at\s+random)?)"
    r"(?:\s+\([^()]{0,30}\))?(?:\s+(?:in\s+)?(?:(?:a|an|the)\s+)?\d+\s*:\s*\d+(?:\s*:\s*\d+)?(?:\s+ratio)?(?:\s+fashion)?)?"
    r"(?:\s+\([^()]{0,30}\))?(?:\s+\d[\d,]*\s+(?:patients|participants|subjects|women|men))?"
    r"(?:\s+(?:by|using|via|through)\s+[\w-]+(?:\s+[\w-]+){0,4}?(?=\s+to\b))?"
    r"\s+(?:(?:in)?to\s+|(?<=between\s)|(?<=of\s))(?:(?:receive|be\s+treated\s+with|undergo|either|the|"
    r"one\s+of\s+(?:the\s+)?\w+\s+(?:\w+\s+)?(?:groups|arms)\s*:?)\s+)*", re.IGNORECASE)
_DISJUNCTION_RE = re.compile(r",?\s+(?:or|versus|vs\.?)\s+|\s*,\s+", re.IGNORECASE)
_ALT_END_RE = re.compile(r"(?i)\s+(?:for|every|on\s+days?|daily|once|twice|until|at\s+a|at\s+the|administered|given|"
                         r"in\s+(?:a|an)\s+\d|stratified|according)\b")
_APPOSITIVE_RE = re.compile(r"(?i)(?:called|termed|named|known\s+as|i\.e\.|namely)\s+(?:the\s+)?")
_N_INSIDE_RE = re.compile(r"[(\[]\s*(?:n\s*=\s*)?(?P<n>\d+)(?:\s+patients)?\s*[)\],;]"
                          r"|[(\[][^()\[\]]{0,40}?[,;]\s*n\s*=\s*(?P<m>\d+)\s*[)\]]", re.IGNORECASE)
_LABEL_INSIDE_RE = re.compile(r"[(\[]\s*(?P<l>(?i:arm|group|cohort)\s+(?:[A-F]|I{1,3}|IV|[1-6])"
                              r"|[^()\[\],;=]{1,30}?\s(?i:group|arm))\s*[),;\]]")


def _alternatives(sent: str, pos: int) -> list[tuple[str, int | None, int]]:
    """The groups listed after an assignment verb: "A or B", "A, B, or C", "A versus B";
    (name, n stated inside the alternative, offset). Commas and "or" inside brackets do not
    split; the last alternative ends at the next top-level comma or semicolon."""
    depth, cuts, j, n = 0, [], pos, len(sent)
    end = n
    while j < n:
        c = sent[j]
        if c in "([":
            depth += 1
        elif c in ")]":
            if depth == 0:  # the bracket the list stands in closes: the list ends
                end = j
                break
            depth -= 1
        elif depth == 0:
            if c == ";" or (c == ":" and j > pos + 3):
                end = j
                break
            m = _DISJUNCTION_RE.match(sent, j) if c in " ," else None
            if m:
                cuts.append((j, m.end(), "," not in m.group() or bool(re.search(r"(?i)\b(?:or|vs|versus)\b", m.group()))))
                j = m.end()
                continue
        j += 1
    if not any(disj for _, _, disj in cuts):
        return []
    last_disj = max(k for k, (_, _, disj) in enumerate(cuts) if disj)
    pieces, start = [], pos
    for k, (a, b, disj) in enumerate(cuts):
        if k > last_disj:
            end = a  # a comma after the last "or" ends the list
            break
        pieces.append((start, a))
        start = b
    pieces.append((start, end))
    # "the combination, called the STRIDE regimen (393 patients), ...": one alternative.
    merged: list[tuple[int, int]] = []
    for a, b in pieces:
        if merged and _APPOSITIVE_RE.match(sent, a):
            merged[-1] = (_APPOSITIVE_RE.match(sent, a).end(), b)
        else:
            merged.append((a, b))
    pieces = merged
    out = []
    for a, b in pieces:
        text = sent[a:b]
        label = _LABEL_INSIDE_RE.search(text)
        size = _N_INSIDE_RE.search(text) or _N_INSIDE_RE.match(sent, b)
        cut = _ALT_END_RE.search(text)
        name = _clean(_PAREN_RE.sub("", text[:cut.start()] if cut else text))
        words = name.split()
        if label:
            name = label["l"]
        elif not words or len(words) > 10:
            return []
        out.append((name, int(size["n"] or size["m"]) if size else None, a))
    # "trabedersen at doses of 10 or 80 μM": one arm per dose, each named "<dose> <unit> <drug>"
    k = 0
    while k + 1 < len(out):
        first, second = _AT_DOSES_RE.match(out[k][0]), _DOSE_ONLY_RE.match(out[k + 1][0])
        if first and second:
            u, drug = second["u"], first["drug"]
            out[k:k + 2] = [(f"{first['d']} {u} {drug}", out[k][1], out[k][2]),
                            (f"{second['d']} {u} {drug}", out[k + 1][1], out[k + 1][2])]
        k += 1
    return out if len(out) >= 2 else []


_AT_DOSES_RE = re.compile(r"(?i)^(?P<drug>.+?)\s+at\s+(?:(?:two|2)\s+)?(?:doses?|concentrations?)\s+of\s+(?P<d>\d+(?:\.\d+)?)$")
_DOSE_ONLY_RE = re.compile(r"^(?P<d>\d+(?:\.\d+)?)\s*(?P<u>[μµ]M|mM|nM|mg(?:/kg|/m2)?|[μµ]g(?:/kg)?|Gy|g)$")


_ONE_GROUP_RE = re.compile(
    rf"(?P<g>{_PHRASE})(?=\s+(?:had|have|has|was|were|and|or|in|for|than|who|group|arm|showed|experienced)\b|\s*[,;.()\[\]]|$)",
    re.IGNORECASE)
# "compared survival between observation and adjuvant radiation", "comparing A with B"
_CMP_ITEM = r"(?:(?!(?:and|with|to|versus|vs|in|among|after|using|for|on|at)\b)[\w+/-]+(?:\s+|(?=[,.;)]|$))){1,6}"
_COMPARE_RE = re.compile(
    rf"(?i)\b(?:compar\w*\s+(?:(?!between\b)[\w-]+\s+){{0,4}}?between|comparing)\s+(?:the\s+)?(?P<a>{_CMP_ITEM}?)"
    rf"\s*(?:and|with|to|versus|vs\.?)\s+(?:the\s+)?(?P<b>{_CMP_ITEM})")
# "318 patients were allocated the 60 Gy course and 156 the 45 Gy course"
_THEN_N_RE = re.compile(
    rf"\s*(?:,\s*)?(?:and|while|whereas|,)\s+{_N}\s+(?:(?:patients|cases|subjects|participants)\s+)?"
    rf"(?:(?:were\s+|had\s+)?(?:received|receiving|underwent|undergoing|(?:treated\s+)?with|given|assigned\s+to|"
    rf"allocated(?:\s+to)?|to)\s+)?"
    rf"(?:the\s+)?(?P<g>{_PHRASE})(?=\s+(?:as|for|at|in|were|was|and|who|group|arm|course)\b|\s*[,;.()]|$)",
    re.IGNORECASE)
_SPLIT_N_RE = re.compile(
    rf"(?:randomi[sz]ed|assigned|allocated)\b[^,;:]{{0,40}}[,:]\s+{_N}\s+(?:(?:patients|participants)\s+)?(?:were\s+)?"
    rf"(?:to|in)\s+(?:the\s+)?(?P<g>{_PHRASE})(?=\s+(?:as|for|at|in|were|was|and|who|group|arm)\b|\s*[,;.()]|$)",
    re.IGNORECASE)
# "(SB-RFA, n = 36)": a group's label and size in brackets.
_LABEL_N_RE = re.compile(r"\((?P<g>[^\W\d][^(),;=%]{0,24}?)[,;]\s*[nN]\s*=\s*(?P<n>\d+)\s*\)")
# "125 patients (63 TE and 62 TEL patients)"
_PAIR_IN_BRACKETS_RE = re.compile(
    r"\((?P<n1>\d+)\s+(?P<g1>[^\W\d][\w+/-]{0,15})(?:\s+patients)?(?:,|\s+and|\s+vs\.?|\s+versus)\s+"
    r"(?P<n2>\d+)\s+(?P<g2>[^\W\d][\w+/-]{0,15})(?:\s+patients)?\s*\)")
_QUALIFY_RE = re.compile(r"(?i)randomi|assign|allocat|receiv|treated|underw|\bgroups?\b|\barms?\b|\bversus\b|\bvs\b|compared")
_LETTER_ITEM_RE = re.compile(r"(?:^|[:;,]\s*|\s)\((?P<l>[A-F])\)\s+(?P<g>[^;()]{3,80})")
_COUNT_RE = re.compile(r"(?i)\b(?P<k>two|three|four|five|2|3|4|5)\s+(?:\w+\s+){0,2}?(?:arms|groups)\b|\bboth\s+(?:\w+\s+)?(?:arms|groups)\b")
_COUNTS = {"two": 2, "three": 3, "four": 4, "five": 5, "2": 2, "3": 3, "4": 4, "5": 5}

# The title's comparison: "A versus B in ...", "A compared with B for ...", "A with or without B".
_TITLE_TAIL_RE = re.compile(
    r"(?i)\s+(?:in|for|as|among|on|after|within|at)\s+(?:the\s+)?(?:(?!versus\b|vs\b|or\b)[\w-]+,?\s+){0,6}?"
    r"(?:patients|treatment|therapy|first-line|second-line|[\w-]*(?:cancers?|carcinomas?|tumou?rs?|metasta\w*|lymphomas?|"
    r"leuka?emias?|melanomas?|gliomas?|hcc|nsclc|sclc|crc|disease|malignanc\w*))\b.*$")
_TITLE_VERSUS_RE = re.compile(r"(?i)\s+(?:versus|vs\.?|compared\s+(?:with|to))\s+")
_TITLE_HEAD_RE = re.compile(r"(?i)\b(?:comparison|efficacy|safety|effects?|evaluation|study|trial|analysis|outcomes?|"
                            r"survival|results?|impact|role|benefits?|experience)\s+(?:of|on|between)\s+")
_TITLE_VERB_RE = re.compile(r"(?i)\s+(?:\w+ly\s+)?(?:improves?|prolongs?|extends?|increases?|reduces?|shows?|"
                            r"demonstrates?|achieves?|is|are|was|were|has|have|yields?)\b.*$")
_TITLE_VS_RE = re.compile(r"(?i)\s+(?:versus|vs\.?|compared\s+(?:with|to)|or)\s+")
_TITLE_WITH_OR_WITHOUT_RE = re.compile(r"(?i)^(?P<a>.+?)\s+(?:with|plus)\s+or\s+without\s+(?P<b>.+)$")


def _title_groups(title: str) -> list[str]:
    """Groups a title compares, or none."""
    title = _SPACES_RE.sub(" ", title).strip()
    parts = [p for p in re.split(r"[:.?]\s+|\s+[-\u2013\u2014]\s+", title) if p]
    for part in parts:
        part = _TITLE_TAIL_RE.sub("", part)
        w = _TITLE_WITH_OR_WITHOUT_RE.match(part)
        if w:
            a = w["a"].split(" of ")[-1]
            return [a, a + " plus " + w["b"]]
        pieces = _TITLE_VS_RE.split(part)
        if len(pieces) > 2 and _TITLE_VERSUS_RE.search(part):
            pieces = _TITLE_VERSUS_RE.split(part)  # "A versus B or C": B or C is one arm
        if len(pieces) >= 2:
            pieces[0] = _TITLE_HEAD_RE.split(pieces[0])[-1]
            pieces[0] = _TITLE_VERB_RE.sub("", pieces[0])
            pieces = [_clean(_PAREN_RE.sub("", p)) for p in pieces]
            out = []
            for p in pieces:
                w = _TITLE_WITH_OR_WITHOUT_RE.match(p)
                out += [w["a"], w["a"] + " plus " + w["b"]] if w else [p]
            if all(p and len(p.split()) <= 12 for p in out) and len(out) <= 4:
                return out
    return []


_ABBR_DEF_RE = re.compile(r"\((?P<abbr>[A-Za-z][A-Za-z0-9+/-]{1,14})(?:\s+(?:group|arm))?[);,]")
_ABBR_TOKEN_RE = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_CAPITALS_RE = re.compile(r"\b[A-Z]{3,6}\b")


def _long_form(abbr: str, window: str) -> str | None:
    """The words before "(ABBR)" whose letters spell ABBR in order, the first at a word's
    start (Schwartz and Hearst's rule): "sorafenib plus HAIC" for "SoraHAIC"."""
    letters = [c.lower() for c in abbr if c.isalnum()]
    i, j = len(window) - 1, len(letters) - 1
    while j >= 0:
        c = letters[j]
        while i >= 0 and (window[i].lower() != c or (j == 0 and i > 0 and window[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return None
        i, j = i - 1, j - 1
    long = window[i + 1:].strip()
    return long if 0 < len(long.split()) <= len(letters) + 3 else None


def _word_char(c: str) -> bool:
    """What the regex \\w is for one character (False for the empty string)."""
    return c.isalnum() or c == "_"


#: Every non-empty start of a fixed therapy name: `word in _FIXED_PREFIXES` is
#: any(name.startswith(word) for name in FIXED_NAMES), in one lookup.
_FIXED_PREFIXES = frozenset(name[:i] for name in FIXED_NAMES for i in range(1, len(name) + 1))


def _names_may_start(capitals: list[re.Match], text: str) -> bool:
    """Whether a therapy name (of 6 letters or more) mentions(text) gives could start with one of
    the capital words, lower-cased. Names are fixed ones and aliases (FIXED_NAMES), or a matched
    whole word lower-cased: a longer word the capital word starts, or, for a 6-letter word, the
    word itself (at its own place only if the word alone is a mention). A local match is blanked
    before systemic terms are sought; only HIFU's pattern can end inside a word, so with its cues
    present any occurrence counts, not only one at a word start."""
    low = text.lower()
    if len(low) != len(text):  # lower-casing moved offsets: no shortcut
        return True
    any_start = any(cue in low for cue in LOCAL_TERMS[0].cues)
    own: dict[str, set[int]] = {}
    for m in capitals:
        own.setdefault(m.group().lower(), set()).add(m.start())
    for word, at in own.items():
        n = len(word)
        if word in _FIXED_PREFIXES or (n >= 6 and mentions(text[min(at):min(at) + n])):
            return True
        i = low.find(word)
        while i >= 0:
            if i not in at and (any_start or i == 0 or not _word_char(low[i - 1])) \
                    and (n >= 6 or _word_char(low[i + n:i + n + 1])):
                return True
            i = low.find(word, i + 1)
    return False


def abbreviations(text: str) -> dict[str, str]:
    """Abbreviations a text defines ("lenvatinib (LEN)", "with HAIC (SoraHAIC group)"), and
    capitals that start one drug the text names ("LEN" for lenvatinib), lower-cased, to
    their long forms."""
    out: dict[str, str] = {}
    capitals = list(_CAPITALS_RE.finditer(text))
    # mentions() of a whole text is costly; it is only needed if some name could start with a capital word.
    drugs = ({x.name for x in mentions(text) if x.name.islower() and len(x.name) > 5}
             if capitals and _names_may_start(capitals, text) else set())
    for m in capitals:
        word = m.group().lower()
        starts = [d for d in drugs if d.startswith(word)]
        if len(starts) == 1 and word not in out and not mentions(m.group()):
            out[word] = starts[0]
    for m in _ABBR_DEF_RE.finditer(text):
        abbr = m["abbr"]
        if not any(c.isupper() for c in abbr) or abbr.lower() in out:
            continue
        long = _long_form(abbr, text[max(0, m.start() - 80):m.start()].rstrip())
        if long and not mentions(abbr):
            out[abbr.lower()] = long
    return out


def _expanded(name: str, abbrs: dict[str, str]) -> str:
    """`name` with the abbreviations it uses written out ("LEN-TACE" -> "lenvatinib-TACE")."""
    if not abbrs:
        return name
    if name.lower() in abbrs:
        name = abbrs[name.lower()]
    return _ABBR_TOKEN_RE.sub(lambda m: abbrs.get(m.group().lower(), m.group()), name)


def _groups(doc: Document) -> list[_Group]:
    groups: list[_Group] = []
    abbrs = abbreviations(" ".join(doc.text[s:e] for s, e in doc.body))
    seen: dict[str, int] = {}

    def add(name: str, n: int | None, pos: int, sub: bool, strength: int, filtered: bool = False,
            apart: list | None = None) -> "_Group | None":
        name = _clean(name)
        k = keys(_expanded(name, abbrs))
        if not (k[0] or k[1] or k[3]) or _SKIP_WORDS_RE.match(name):
            return
        if _NOT_A_NAME_RE.search(name):
            return None
        if (strength == _NAMED or filtered) and not (k[1] or k[3] or any(not x.startswith("~") for x in k[0])):
            if _NOT_GROUP_WORDS.search(name):
                return None
            if not _LABEL_LIKE_RE.search(name):
                # A plain word is a group's name once the text calls it a group twice ("the garlic group").
                seen[name.lower()] = seen.get(name.lower(), 0) + 1
                if seen[name.lower()] < 2 or filtered:
                    return None
        fits = [g for g in groups if _same(k, g.keys) and not (apart and any(g is a for a in apart))]
        # The group with the very same treatments first ("LEN" is lenvatinib alone, not LEN-TACE).
        fits.sort(key=lambda g: g.keys[0] != k[0])
        for g in fits[:1]:
            g.subgroup = g.subgroup or sub
            # The name from the strongest definition wins (the one the text assigns or
            # sizes the group under: results reuse it), so a title's spelling never
            # replaces "SoraHAIC" or "TACE alone (n = 67)".
            if strength > g.strength:
                g.name, g.keys = name, k
            if g.n is None and n is not None:
                g.n, g.pos = n, pos
                if strength == g.strength and len(k[0]) >= len(g.keys[0]) and k[2] == g.keys[2] \
                        and not g.keys[3]:
                    g.name, g.keys = name, k
            # Between equals, the fuller name wins: "ICI + HIFU" over "HIFU".
            if strength == g.strength and len(k[0]) > len(g.keys[0]) and not k[2] \
                    and not (g.keys[3] or "").startswith("arm "):
                g.name, g.keys = name, k
            g.strength = max(g.strength, strength)
            return g
        groups.append(_Group(name, n, k, pos, sub, strength))
        return groups[-1]

    title = doc.fields.get("title") or ""
    if not title and doc.body:
        title = doc.text[slice(*doc.body[0])].split("\n")[0]
    for name in _title_groups(title):
        add(name, None, -1, False, _TITLE)
    for bs, be in doc.body:
        for ss, se in split_sentences(doc.text, bs, be):
            sent = doc.text[ss:se]
            low = sent.lower()
            # Cheap substring tests first: most sentences define no group.
            sub = ("sub" in low or "matched" in low) and bool(_SUBGROUP_RE.search(sent))
            # Counts in a sentence about patients excluded or lost are not a group's size
            # (tested only where a count before a group word is looked for: None until then).
            dropped = None
            # Whether the sentence is about groups at all (_QUALIFY_RE), likewise tested once, when needed.
            qualify = None
            listed_spans: list[tuple[int, int]] = []
            if "random" in low or "assign" in low or "allocat" in low:
                for m in _ASSIGN_RE.finditer(sent):
                    alternatives = _alternatives(sent, m.end())
                    if alternatives:
                        listed_spans.append((m.end(), len(sent)))
                    listed: list = []  # the alternatives of one list are different groups
                    for name, n, at in alternatives:
                        g = add(name, n, ss + at, sub, _ASSIGNED, apart=listed)
                        if g is not None:
                            listed.append(g)
                    one = None if alternatives else _ONE_GROUP_RE.match(sent, m.end())
                    if one:  # "patients randomised to sunitinib had ..., than those randomised to IFN"
                        add(one["g"], None, ss + m.end(), sub, _ASSIGNED)
            if "compar" in low or "between" in low:
                for m in _COMPARE_RE.finditer(sent):
                    for part in (m["a"], m["b"]):
                        add(part, None, ss + m.start(), sub, _TITLE, filtered=True)
            if any(w in low for w in _RECEIVED_WORDS) and _RECEIVED_HINT_RE.search(sent):
                for m in _RECEIVED_RE.finditer(sent):
                    if any(a < m.end("g") and m.start("g") < b for a, b in listed_spans):
                        continue  # "90 patients were randomised to A or B": the total, not a group
                    # "131 patients treated with A (n = 64) or B (n = 67)": the group's own n.
                    own = _N_EQ_RE.match(sent, m.end())
                    add(m["g"], int(own["n"] if own else m["n"]), ss + m.start(), sub, _ASSIGNED)
                    then = None if own else _THEN_N_RE.match(sent, m.end())
                    while then:  # "140 were treated with SR, 57 with TACE+RFA and 231 with TACE"
                        add(then["g"], int(then["n"]), ss + then.start(), sub, _ASSIGNED)
                        then = _THEN_N_RE.match(sent, then.end())
            if "(" in sent and ("group" in low or "arm" in low):
                for m in _LETTER_ITEM_RE.finditer(sent):
                    add("group " + m["l"], None, ss + m.start(), sub, _LABELLED)
            kws = _GROUP_KW_RE.finditer(sent) if ("group" in low or "arm" in low or "cohort" in low) else ()
            for kw in kws:
                plural = kw.group().lower().endswith("s")
                letter = _LETTER_RE.match(sent, kw.start())
                if letter and not plural:
                    add(letter.group(), None, ss + kw.start(), sub, _LABELLED)
                phrase, pstart = _phrase_before(sent, kw.start())
                n_after = _N_AFTER_RE.match(sent, kw.end())
                if dropped is None:
                    dropped = bool(_DROPPED_RE.search(sent))
                n_before = None if dropped else _N_IN_THE_RE.search(sent, max(0, pstart - 40), pstart)
                n = n_after or n_before
                if phrase and not plural:
                    add(phrase, int(n["n"]) if n else None, ss + pstart, sub, _ASSIGNED if n_after else _NAMED)
                elif phrase and plural and re.search(r"(?i)\s(?:and|or|vs\.?|versus)\s", phrase):
                    # "the TACE-HAIC and HAIC groups"
                    for part in re.split(r"(?i)\s+(?:and|or|vs\.?|versus)\s+", phrase):
                        add(part, None, ss + pstart, sub, _NAMED)
                w = _WITH_AFTER_RE.match(sent, kw.end())
                if w and not plural:
                    add(w["g"], int(n_after["n"]) if n_after else None, ss + kw.start(), sub, _NAMED)
            if listed_spans or "randomi" in low or "assign" in low or "allocat" in low:
                # "338 patients were randomized, 170 to LEN-TACE and 168 to LEN"
                for m in _SPLIT_N_RE.finditer(sent):
                    listed = []
                    then = m
                    while then:
                        got = add(then["g"], int(then["n"]), ss + then.start(), sub, _ASSIGNED, apart=listed)
                        if got is not None:
                            listed.append(got)
                        then = _THEN_N_RE.match(sent, then.end())
            if "(" in sent:
                labelled: list = []
                for m in _LABEL_N_RE.finditer(sent):
                    if qualify is None:
                        qualify = bool(_QUALIFY_RE.search(sent))
                    if qualify:
                        got = add(m["g"], int(m["n"]), ss + m.start(), sub, _ASSIGNED, apart=labelled)
                        if got is not None:
                            labelled.append(got)
                for m in _PAIR_IN_BRACKETS_RE.finditer(sent):
                    if m["g1"].lower() == m["g2"].lower() or not all(
                            any(c.isupper() for c in g) or mentions(g) for g in (m["g1"], m["g2"])):
                        continue  # "(937 events vs 797 events)"
                    listed = []
                    for g, n in ((m["g1"], m["n1"]), (m["g2"], m["n2"])):
                        got = add(g, int(n), ss + m.start(), sub, _ASSIGNED, apart=listed)
                        if got is not None:
                            listed.append(got)
            if ("n =" in low or "n=" in low) and (qualify if qualify is not None else _QUALIFY_RE.search(sent)):
                # "SBRT plus sintilimab (n = 60) or sintilimab alone (n = 58)"
                for m in _N_EQ_RE.finditer(sent):
                    if any(a <= m.start() < b for a, b in listed_spans):
                        continue  # sized inside an assignment list, already taken with it
                    phrase, pstart = _phrase_before(sent, m.start())
                    if phrase and not _GROUP_KW_RE.search(phrase):
                        add(phrase, int(m["n"]), ss + pstart, sub, _ASSIGNED)
            if "alone" in low or "-only" in low or "monotherapy" in low:
                for m in _ALONE_GROUP_RE.finditer(sent):
                    add(m["g"], None, ss + m.start(), sub, _NAMED)
            if "without" in low:
                for m in _WITH_WITHOUT_RE.finditer(sent):
                    add(m["g"], None, ss + m.start(), sub, _NAMED)
                    add("without " + m["g"], None, ss + m.start(), sub, _NAMED)
    return groups


def _stated_count(doc: Document) -> int | None:
    """The number of arms the text states ("the two arms", "four treatment groups"), if any."""
    counts = []
    for bs, be in doc.body:
        low = folded(doc.text[bs:be])
        if low is not None and "arms" not in low and "groups" not in low:
            continue  # every match names "arms" or "groups": a stretch without either is not searched
        for m in _COUNT_RE.finditer(doc.text, bs, be):
            before = doc.text[max(bs, m.start() - 30):m.start()].lower()
            if "sub" in m.group().lower() or "divided" in before or "according" in doc.text[m.end():m.end() + 20]:
                continue
            counts.append(_COUNTS.get((m["k"] or "two").lower(), 2))
    return max(counts) if counts else None


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


def _choose(groups: list[_Group], stated: int | None) -> list[_Group]:
    """The compared groups: those defined by assignment or size if two or more are, else
    those the text labels ("arm A"), else the title's comparison, else the named groups."""
    for strength in (_ASSIGNED, _LABELLED, _TITLE, _NAMED):
        chosen = [g for g in groups if g.strength >= strength]
        if strength == _LABELLED:
            chosen = [g for g in groups if g.strength == _LABELLED or (g.keys[3] or "").startswith("arm ")]
        named = [g for g in chosen if g.keys[0] or g.keys[1] or (g.keys[3] or "").startswith("arm ")]
        if len(named) >= 2:
            chosen = named  # "the combination arm", "the control group" refer to these
        sized = [g for g in chosen if g.n is not None]
        if strength == _NAMED and len(sized) >= 2:
            chosen = sized  # groups only named beside two the text sizes are mentions, not arms
        if len(chosen) >= 2 and (stated is None or len(chosen) <= stated or strength == _NAMED):
            return chosen
        if len(chosen) > 2 and stated and len(chosen) > stated:
            return sorted(chosen, key=lambda g: (g.n is None, -g.strength, g.pos))[:stated]
    return []


def extract_arms(doc: Document, n_patients: int | None) -> list[dict]:
    """Contract arms: one {name, n} per compared group, or one for the cohort."""
    groups = [g for g in _groups(doc) if not g.subgroup]
    groups = _choose(groups, _stated_count(doc))
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
