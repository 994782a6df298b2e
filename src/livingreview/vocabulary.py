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
    chemorad = [m.start() for m in _CHEMORADIATION.finditer(text)]
    original = text
    local: dict[str, int] = {}
    for label, rx in _LOCAL_RE:
        for m in rx.finditer(text):
            if not _NOT_GIVEN.search(original[max(0, m.start() - 60):m.start()]):
                local.setdefault(label, m.start())
            text = text[:m.start()] + " " * (m.end() - m.start()) + text[m.end():]
    systemic: dict[str, int] = {}
    for label, rx in _SYSTEMIC_RE:
        for m in rx.finditer(text):
            if not _NOT_GIVEN.search(original[max(0, m.start() - 60):m.start()]):
                systemic.setdefault(label, m.start())
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
