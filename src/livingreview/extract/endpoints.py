"""Endpoint statements of an abstract, as contract endpoint dicts.

Each sentence of the document's body is cut into tokens (endpoint mentions,
timepoints, numbers with units, CIs, p-values, "vs", "respectively", group
mentions, and words that end a statement such as "follow-up" or "most
common"), then read left to right as *statements*: endpoint mentions followed
by values. A statement's values are paired with its endpoints, timepoints or
groups in order (respectively-lists), "A vs B" values go to the arms in the
order the sentence names them, and "2.38 times [A vs B, CI, P]" gives a ratio
carrying the CI and p plus one median per arm.

Precision first: a value is only emitted when its endpoint, measure and unit
are all clear (a survival time needs "median"/"mean", a survival rate needs a
timepoint; "not reached", "<10%" and bare numbers are never values), and the
quote is the statement itself, so every number it carries is in it. Results
"in patients with ..." belong to a subgroup unless the phrase restates the study's
own population (title words, the study's treatment); then they are kept.
"""
from __future__ import annotations

import re

from livingreview.extract.arms import fits_arm, match_arm, treatment_labels
from livingreview.extract.document import Document
from livingreview.extract.numbers import CI_RE, DASHES, NUM, P_RE, fold_pattern, folded, normalise_p, to_number
from livingreview.extract.sentences import split_sentences
from livingreview.extract.vocabulary import mentions

_D = f"[{DASHES}]"
_SP = r"[\s\u00a0\u2009\u202f]"
_AE = (r"(?:(?:treatment|immune|drug)[-\u2010\u2011 ](?:related|emergent|mediated)\s+)?"
       r"(?:adverse\s+(?:events?|effects?|reactions?)|T?R?AEs?\b|irAEs?\b|imAEs?\b"
       r"|toxicit(?:y|ies)|complications?)")
_G3 = (rf"(?:grades?|G)\s?(?:(?:≥|>=|⩾|≧)\s?(?:3|III)\b"
       rf"|(?:3|III)\s?(?:{_D}\s?(?:4|5|IV|V)\b|/\s?(?:4|5|IV|V)\b|\+|\s(?:or|and|to)\s+(?:higher|above|greater|more|worse|(?:grade\s?)?(?:4|5|IV|V))\b))"
       rf"|(?:≥|>=)\s?grade\s?(?:3|III)\b")
# "3/4 grade adverse events": the grades before the word (a number first, which the scanner reads apart).
_G3_BEFORE_RE = re.compile(rf"(?<![\d.])(?:3|III)\s?(?:/|{_D}|\s(?:or|and|to)\s)\s?(?:4|5|IV|V)\s+grades?\s+$", re.IGNORECASE)
_GLOW = rf"(?:grade|G)\s?(?:1|I)\s?(?:{_D}|/|or|and|to)\s?(?:2|II)\b"
_NUMW = r"(?:\d+|one|two|three|four|five|six)"
_TPU = r"(?P<{}>years?|yrs?|months?|mos?|weeks?|wks?)\b"

# Order matters: at one position the first alternative that matches wins.
# Tokens start at a word's beginning (the lookbehind lets the engine skip the
# inside of words cheaply); ";" is the one token that may follow a letter.
_ALTS = [
    rf"(?P<ci>{CI_RE.pattern})",
    rf"(?P<p>{P_RE.pattern})",
    # Hazard ratios; odds and risk ratios ("odds ratio [OR] = 5.31", "RR 0.57") read the same way.
    r"(?P<hr>\b(?:adjusted\s+)?(?:a?HRs?|hazard\s+ratios?|odds\s+ratios?|risk\s+ratios?|relative\s+risks?|a?ORs?|RRs?)\b"
    r"(?:\s*[(\[]\s*(?:a?HR|a?OR|RR)\s*[)\]])?"
    r"(?:\s+(?:for|of)\s+(?:the\s+)?(?P<hrfor>death|mortality|(?:disease\s+|cancer\s+|tumou?r\s+)?progression(?:\s+or\s+death)?|recurrence"
    rf"|OS|PFS|DFS|RFS|overall{_SP}+survival|(?:progression|disease|recurrence|relapse){_D}?\s?free{_SP}+survival))?"
    r"(?:\s*[:=,]|\s+(?:of|was|is|were))?)",
    # "1-, 2- and 3-year", "12-month", "3 year OS": one or more landmark timepoints.
    rf"(?P<tpl>\b{_NUMW}(?:(?:\s?{_D}?\s?[,/]\s*|\s?{_D}?\s?,?\s*(?:and|&)\s+){_NUMW})*)"
    rf"(?:\s?{_D}\s?|\s(?=(?:year|month|week)s?\s+(?:overall|progression|OS|PFS|survival|local|rates?|LC|DFS|RFS|DCR|ORR)))"
    + _TPU.format("tplu") + r"(?!\s+(?:old|of\s+age))",
    rf"(?P<attp>\bat\s+{_NUMW}(?:\s*,\s*{_NUMW})*(?:\s*,?\s*and\s+{_NUMW})?\s+(?:years?|months?|weeks?)\b)",
    # Endpoint mentions.
    rf"(?P<ae>(?:(?P<g3a>{_G3})\s+|(?P<glowa>{_GLOW})\s+|(?:any|all)[-\u2010\u2011 ](?:grade|cause)\s+)?{_AE}"
    rf"(?:\s+(?:of\s+)?(?:(?P<g3b>{_G3})|(?P<glowb>{_GLOW})))?)",
    rf"(?P<pfs>(?:disease\s+)?progression{_D}?\s?free{_SP}+survival|\bPFS\b)",
    r"(?P<mpfs>\bmPFS\b)",
    rf"(?P<os>overall{_SP}+survival|\bOS\b)",
    r"(?P<mos>\bmOS\b)",
    rf"(?P<dfs>disease{_D}?\s?free\s+survival|\bDFS\b)",
    rf"(?P<rfs>(?:recurrence|relapse){_D}?\s?free\s+survival|\bRFS\b)",
    rf"(?P<efs>event{_D}?\s?free\s+survival|\bEFS\b)",
    rf"(?P<css>(?:cancer|disease){_D}?\s?specific\s+survival|\bCSS\b|\bDSS\b)",
    r"(?P<ttp>times?\s+to\s+(?:tumou?r\s+)?progression|\bTTP\b)",
    r"(?P<ttf>times?\s+to\s+treatment\s+failure|\bTTF\b)",
    r"(?P<dor>duration\s+of\s+(?:objective\s+)?response|\bresponse\s+duration|\bDoR\b|\bDOR\b)",
    r"(?P<surv>\bsurvival\b)",
    # "45% were alive at 2 years": a landmark overall survival rate.
    r"(?P<alive>\b(?:were|was|remained|are|still|being)\s+alive\b)",
    # "25% of patients remained progression-free at 5 years": a landmark PFS rate.
    rf"(?P<pfree>\b(?:were|was|remained|are|still|being)\s+(?:alive\s+and\s+)?progression{_D}?\s?free\b(?!{_SP}+survival))",
    r"(?P<death>\b(?:risk|hazard)\s+of\s+(?:death|dying)\b)",
    r"(?P<cr>\bcomplete\s+(?:tumou?r\s+)?respon(?:se|ses)(?:\s+rates?)?)",
    r"(?P<orr>\b(?:objective|overall)\s+(?:tumou?r\s+|clinical\s+)?response(?:\s+rates?)?|\bORR\b|\bresponse\s+rates?"
    r"|\b(?:number|proportion|percentage)\s+of\s+(?:objective\s+)?responders\b)",
    r"(?P<dcr>\bdisease\s+control(?:\s+rates?)?|\bDCR\b)",
    r"(?P<lc>\b(?:local|in-field)\s+(?:tumou?r\s+)?control(?:\s+rates?)?|\bLCR?\b)",
    r"(?P<ts>\btechnical(?:ly)?\s+success(?:ful)?(?:\s+rates?)?)",
    r"(?P<te>\btechni(?:cal|que)\s+(?:efficacy|effectiveness)(?:\s+rates?)?)",
    r"(?P<cab>\bcomplete\s+ablation(?:\s+rates?)?)",
    r"(?P<mc>\bmajor\s+complications?(?:\s+rates?)?)",
    # Non-values.
    r"(?P<nr>\bnot\s+(?:yet\s+)?(?:been\s+)?reached\b|\bNR\b|\bnot\s+estimable\b|\bNE\b)",
    rf"(?P<count>(?<![\w.·\-\u2011]){NUM}\s*(?:/|of\s)\s*\d+\b(?:\s+(?:patients|cases|subjects|participants))?)",
    rf"(?<![\w.·\-\u2011±/])(?<!± )(?<!week )(?<!Week )(?<!cycle )(?<!Cycle )(?<!day )(?<!Day )(?P<val>{NUM})(?:{_SP}?(?P<unit>%|percent\b|months?\b|mos?\b|times\b|{_D}?fold\b|years?\b|yrs?\b"
    r"|weeks?\b|days?\b|Gy\b|cm\b|mm\b|ml\b|mg\b|[μµ]M\b|nM\b|[μµ]g\b|mcg\b|kg\b|patients\b|cases\b|subjects\b|participants\b"
    r"|lesions\b|tumou?rs\b|nodules\b|sessions\b|cycles\b))?",
    r"(?P<vs>\b(?:vs\.?|versus|v\.)(?=\s)|\bcompared\s+(?:with|to)\b)",
    r"(?P<resp>\b(?:respectively|correspondingly)\b)",
    r"(?P<median>\bmedians?\b)",
    r"(?P<mean>\bmean\b|\baverage\b)",
    rf"(?P<fu>\bfollow{_D}?\s?ups?\b|\bfollowed\s+up\b)",
    r"(?P<range>\brange[sd]?\b|\bIQR\b|\binterquartile\b)",
    r"(?P<block>\bmost\s+(?:common(?:ly)?|frequent(?:ly)?)\b|\bincluding\b|\bincluded\b|\bsuch\s+as\b"
    r"|\bmainly\b|\bpredominantly\b|\bvaried\b|\branging\b|(?<!for\s)(?<!for\sthe\s)\bbaseline\b)",
    # Other trials' or the literature's figures, protocol targets and sample-size assumptions:
    # nothing in a sentence that says so is this study's result.
    r"(?P<elsewhere>\bhistorical\b|\bpreviously\s+(?:reported|published)\b|\bliterature\b"
    r"|\b(?:an?|the)\s+(?:previous|prior|earlier|landmark|pivotal)\s+(?:[\w/-]+\s+){0,3}?(?:trials?|stud(?:y|ies)|reports?"
    r"|series|analys[ie]s)\b"
    r"|\b(?:previous|prior|earlier|other|published)\s+(?:[\w/-]+\s+){0,2}?(?:trials|studies|reports|series)\b"
    r"|\bpowered\s+to\b|\bsample\s+size\b|\bassum(?:ed|ing|ption)\b|\bhypothesi[sz]ed\b|\bhypothes[ie]s\b|\bto\s+detect\b"
    r"|\bwas\s+expected\b|\b(?:have|has)\s+been\s+initiated\b|\b(?:is|are)\s+(?:currently\s+)?ongoing\b"
    r"|\b(?:primary\s+)?objective\s+is\s+to\b|\bpooled\s+(?:analys[ie]s|data)\b|\bmeta-?analys[ie]s\b|\bsystematic\s+review\b"
    r"|\breported\s+(?:by|in)\s+(?:others|[A-Z]\w+\s+et\s+al)\b|\bet\s+al\b|\bmargin\b"
    r"|\bsurveys?\b|\bquestionnaires?\b|\bmailings?\b|\bdefined\s+as\b|\bwas\s+defined\b"
    r"|\bsimulat(?:ion|ions|ed|es)\b"
    r"|\banother\s+(?:[\w-]+\s+){0,2}?(?:study|trial|series|report|analysis)\b"
    # a cited reference ("[46]", "[12, 14]"; never a range, which may be a CI): the literature's figure
    r"|\[\d{1,3}(?:\s*,\s*\d{1,3})*\])",
    # "HR 0.61 (0.45-0.83)": a bare range, a CI only right after a hazard ratio.
    rf"(?P<bci>[(\[]\s*(?P<blo>{NUM})\s*(?:{_D}|\bto\b)\s*(?P<bhi>{NUM})\s*[)\]])",
    # A subgroup qualifier anywhere in a clause makes its numbers a subgroup's (unless the
    # phrase names the study's own population: _study_population).
    r"(?P<sub>\bsub-?groups?\b|\bsubsets?\b|\ba\s+(?:\w+\s+)?group\s+of\s+(?:patients|cases)\b|\b(?:(?:in|among|for)\s+(?:the\s+)?)?(?:patients|those|subjects|participants|individuals|cases|dogs|cats)\s+(?:with|without|who|whose)\b"
    r"|\b(?:older|younger)\s+than\b|\btumou?rs\s+(?:with|without)\b|\b(?:black|white|asian|hispanic|caucasian|african)\s+patients\b|\b(?:or|and)\s+(?:younger|older)\b|\baged\s+(?:[<>≤≥]|over\b|under\b|\d)|\b(?:non-?)?responders\b"
    r"|\bper[-\s]?protocol\b|\bexcept\s+(?:for|in|among)\b|\bonly\s+(?:in|among)\b|\b(?:high|low|intermediate|poor|good)[-\s]risk\b"
    # "the EGFR-mutant groups", "HER2-negative tumours": a biomarker stratum
    r"|\b(?:mutant|mutated|wild[-\s]?type|positive|negative)\s+(?:sub-?)?(?:groups?|patients|tumou?rs|cases|cohorts?)\b"
    r"|\b(?:other|geographic(?:al)?)\s+regions?\b)",
    r"(?P<group>\b(?:groups?|arms?|cohorts?)\b|(?<=-)only\b|\balone\b|\bmonotherapy\b)",
]

_ALT_BY_NAME = {re.search(r"\(\?P<(\w+)>", x).group(1): x for x in _ALTS}


def _alts(*names: str) -> str:
    return "|".join(_ALT_BY_NAME[n] for n in names)


_FIRST = ("ci", "tpl")
_DIGIT_FIRST = ("count", "val")
_TOKEN_RE = re.compile(
    r"(?<![A-Za-z0-9_])(?:" + _alts(*_FIRST)
    + r"|(?=\d)(?:" + _alts(*_DIGIT_FIRST) + ")"
    + r"|(?=\D)(?:" + _alts(*[n for n in _ALT_BY_NAME if n not in _FIRST + _DIGIT_FIRST]) + "))"
    + r"|(?P<semi>;)", re.IGNORECASE)
# The same scanner for lower-cased text (numbers.folded): same matches, same offsets, faster.
_TOKEN_RE_FOLDED = re.compile(fold_pattern(_TOKEN_RE.pattern))




# Groups whose case must be respected (abbreviations); the regex above is
# case-insensitive for the prose, so these are re-checked on the matched text.
_CASED = {"pfs": "PFS", "mpfs": "mPFS", "os": "OS", "mos": "mOS", "dfs": "DFS", "rfs": "RFS",
          "efs": "EFS", "ttp": "TTP", "ttf": "TTF", "nr": None, "lc": None}
_EP_NAME = {"pfs": "PFS", "mpfs": "PFS", "os": "OS", "mos": "OS", "surv": "OS",
            "dfs": "other:DFS", "rfs": "other:RFS", "efs": "other:EFS", "css": "other:CSS",
            "ttp": "other:TTP", "ttf": "other:TTF", "dor": "other:DoR", "orr": "ORR", "alive": "OS", "pfree": "PFS", "death": "OS", "dcr": "DCR",
            "lc": "local_control", "ts": "technical_success", "te": "technical_efficacy",
            "cab": "other:complete_ablation", "cr": "other:complete_response", "mc": "other:major_complications",
            "ae3": "AE_grade3plus", "aeany": "AE_any", "aelow": None}
_TIME_TO_EVENT = {"PFS", "OS", "other:PPS", "other:DFS", "other:RFS", "other:EFS", "other:CSS", "other:TTP", "other:TTF", "other:DoR"}


def _time_to_event(name: str) -> bool:
    """Survival-type endpoints: a value in months is a time, a % needs a timepoint."""
    return name in _TIME_TO_EVENT or name.rsplit("_", 1)[-1] in ("PFS", "OS", "DFS", "RFS", "TTP")

_WORDNUM = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_MOD_RE = re.compile(r"(intra-?hepatic|extra-?hepatic|hepatic|liver|local|locoregional|distant"
                     r"|in-field|out-of-field|lung|pulmonary|intracranial|second|2nd)[-\s]+$", re.IGNORECASE)
_NOT_BARE_SURV_RE = re.compile(r"(?:free|specific|related)[-\s]+$|\bsurvival\b.{0,3}$", re.IGNORECASE)
# "Implant survival", "graft survival": of a device or a transplant, not of patients; in such a
# sentence its other "survival" mentions are that too.
_DEVICE_SURVIVAL_RE = re.compile(r"\b(?:implants?|grafts?|allografts?|prosthes[ie]s|prosthetic|device|catheters?|fistulae?"
                                 r"|technique|flaps?|tooth|teeth|restorations?|stents?|valves?)\s+survival\b", re.IGNORECASE)
_NOT_ORR_RE = re.compile(r"(?:complete|partial|pathologic(?:al)?|major|best|molecular|metabolic"
                         r"|biochemical|virologic(?:al)?|serologic(?:al)?|clinical|symptom(?:atic)?|pain|survey|negative|positive)\s+$",
                         re.IGNORECASE)
# "Pathological complete response" is another endpoint (of resected tissue), left out.
_NOT_CR_RE = re.compile(r"(?:patholog\w*|metabolic|histolog\w*|radiolog\w*|near|clinical|major)[-\s]+$", re.IGNORECASE)
_INEXACT_RE = re.compile(r"(?:<|>|≤|≥|⩽|⩾|~|≈|\bless\s+than|\bmore\s+than|\bgreater\s+than|\bover|\bunder"
                         r"|\bup\s+to|\bat\s+least(?:\s+an?)?|\bapproximately|\babout|\bnearly|\balmost|\bexceed(?:s|ed|ing)?)\s*$",
                         re.IGNORECASE)
_PROGNOSTIC_RE = re.compile(r"independent|prognostic|risk\s+factor|predict|multivariate|multivariable"
                            r"|univariate|associated\s+with|correlated", re.IGNORECASE)
_ARM_ASSOCIATED_RE = re.compile(r"\bassociated\s+with\s+(?:a\s+)?(?:significantly\s+)?(?:longer|shorter|better|worse|improved"
                                r"|prolonged|superior|inferior)\b[^;]{0,60}?\bthan\b", re.IGNORECASE)
_PROGNOSTIC_OTHER_RE = re.compile(r"independent|prognostic|risk\s+factor|predict|multivariate|multivariable|univariate|correlated",
                                  re.IGNORECASE)
# An HR of another analysis (adjusted, sensitivity, per-protocol): not the main comparison's.
_OTHER_ANALYSIS_RE = re.compile(r"\b(?:adjust\w*|sensitivity|per[-\s]?protocol|multivariat\w*|stratif\w*|covariat\w*)", re.IGNORECASE)
# Between a rate and the landmark that follows it: "90.7% at 5 years", "45%, at 2 years".
_TP_AFTER_RE = re.compile(r"[\s\u00a0]*,?[\s\u00a0]*(?:of\s+patients\s+)?")
# "28.8% of the AEs were related": a share of the events, not of the patients.
_OF_RE = re.compile(r"\bof\b", re.IGNORECASE)
# "98% and the overall response rate (CR+CRi) was 68%": the endpoint has a value of its own.
_OWN_VALUE_AFTER_RE = re.compile(r"\s*(?:\([^()]*\)\s*)?(?:was|were|is|of|reached)\s+\d")
_FILLER_RE = re.compile(r"(?:[\s\u00a0]|\b(?:of|the|patients|cases|lesions|tumou?rs|had|achieved|showed"
                        r"|an?|with|and|rate|in)\b)*", re.IGNORECASE)
# Section labels of structured abstracts, also glued to the text ("BackgroundThe").
# A label may carry a layout prefix ("ABSTRACT.METHODS:", "BODY.RESULTS:"). "Methods and findings"
# (one section holding results) is read; design, setting and the like need a colon or full stop.
_LABEL_PREFIX = r"^[\W_]*(?:(?:ABSTRACT|BODY|Abstract|Body)\s*[.:]\s*)?(?:[A-Z][a-z]+\s*:\s*\|?\s*)?"
_CASED_NEXT = r"(?:\s*[:.|]|\s+(?=[A-Z])|(?=[A-Z])|$)"  # "Background:", "Background The", "BackgroundThe"
_COLON_NEXT = r"(?:\s*[:.|]|\s*$)"
_LABEL_SKIP_RE = re.compile(
    _LABEL_PREFIX + r"(?:(?i:background|introduction|purpose|objectives?|aims?|context|rationale"
    r"|(?:(?:patients|materials|subjects)\s+and\s+)?methods?(?!\s+and\s+findings)|methodology|discussion|comment)"
    + _CASED_NEXT + r"|(?i:design|setting|settings|participants|interventions?|trial\s+registration|registration"
    r"|funding|main\s+outcome\s+measures?|outcome\s+measures|study\s+design|hypothesis)" + _COLON_NEXT + ")")
_LABEL_ANY_RE = re.compile(
    _LABEL_PREFIX + r"(?:(?i:background|introduction|purpose|objectives?|aims?|context|rationale|methods?|methodology"
    r"|materials|patients\s+and|subjects\s+and|methods\s+and\s+findings|results?|findings|conclusions?|interpretation|discussion|comment"
    r"|summary|abstract)" + _CASED_NEXT + r"|(?i:design|setting|settings|participants|interventions?"
    r"|trial\s+registration|registration|funding|main\s+outcome\s+measures?|outcome\s+measures|study\s+design"
    r"|hypothesis)" + _COLON_NEXT + ")")
# A sentence can only state an endpoint if it names one (cheap test first).
_PREFILTER_RE = re.compile(r"surviv|PFS|OS\b|respon|ORR|DCR|control|technic|techniq|advers|AEs?\b|toxic|alive|death"
                           r"|complicat|ablation|\b[DRE]FS\b|TTP|DoR|progression|HR\b|hazard", re.IGNORECASE)
_DIFFERENCE_RE = re.compile(r"(?<!no )(?<!no significant )(?<!no statistical )(?<!not a )"
                            r"\b(?:difference|increase|gain|reduction|decrease|improvement)\s+(?:in|of)\b[^;%,]{0,80}?"
                            r"\b(?:was|were|of|by|is)\s*$", re.IGNORECASE)
# "OS was 8 months longer in group A", "an ORR 20% higher than": the value is a difference.
_DIFFERENCE_AFTER_RE = re.compile(r"\s+(?:longer|shorter|more|less|greater|fewer|higher|lower|better|worse)\b",
                                  re.IGNORECASE)
_CI_WORD_AFTER_RE = re.compile(r"\s*(?:CIs?\b|confidence|credible)", re.IGNORECASE)  # "(overlapping 95% CIs)"
_VERSION_RE = re.compile(r"(?:RECIST|CTCAE|NCI-CTC|version|\bv\.?|WHO)\s*$", re.IGNORECASE)
# "5-FU 0.5%/salicylic acid 10% arm", "1% cream": a concentration in a treatment's name, not a result.
_STRENGTH_AFTER_RE = re.compile(r"\s?%\s*/\s*[A-Za-z]|\s?%\s+(?:(?:study|treatment)\s+)?(?:cream|gel|solution|ointment"
                                r"|lotion|foam|spray|drops|w/w|w/v|arms?|groups?)\b", re.IGNORECASE)
_PERIOD_BEFORE_RE = re.compile(r"\b(?:for|within|during|every|each|per)\s+(?:the\s+)?(?:first\s+|next\s+|last\s+)?$", re.IGNORECASE)
# "survival after progression", "survival from relapse": time from a later event, not overall survival.
_AFTER_EVENT_RE = re.compile(r"\s+(?:after|from|following|post)\s+(?:the\s+)?(?:first\s+|disease\s+)?"
                             r"(?:progression|PD|relapse|recurrence)\b", re.IGNORECASE)
_POST_EVENT_BEFORE_RE = re.compile(r"\bpost[-\s]?(?:progression|relapse|recurrence)[-\s]+$", re.IGNORECASE)
_OR_MORE_AFTER_RE = re.compile(r"\s+(?:or|and)\s+(?:more|greater|higher|above|over)\b", re.IGNORECASE)
# A response on a symptom or disease-activity scale (ACR20, PASI 75, HAM-D) is not a tumour response.
_SCALE_RESPONSE_RE = re.compile(r"\b(?:ACR\s?\d{2}|PASI\s?\d{2,3}|EASI(?:\s?\d{2})?|DAS28|HAM-?D|HDRS|MADRS|BDI|CES-D|"
                                r"ASAS\s?\d{2}|SALT\s?\d{2})\b")
# A "response rate" of those asked to take part is a survey's, not a tumour response.
_SURVEY_SENTENCE_RE = re.compile(r"\b(?:participat(?:e|ed|ion)|respondents?|households?|eligibles|returned|refused|declined"
                                 r"|replied|repl(?:y|ies)|invited|mailed|reminders?)\b",
                                 re.IGNORECASE)
_INEXACT_RE_FOLDED = re.compile(fold_pattern(_INEXACT_RE.pattern))
_PROGNOSTIC_RE_FOLDED = re.compile(fold_pattern(_PROGNOSTIC_RE.pattern))
_PREFILTER_RE_FOLDED = re.compile(fold_pattern(_PREFILTER_RE.pattern))
_GROUP_CUT_RE = re.compile(r"\bthe\s+|\bin\s+|\bof\s+|\(|\bwith\s+|\bfor\s+|\bbetween\s+")
_WORD_BEFORE_RE = re.compile(r"[^\s,;:.()\[\]]+[-\s]$")
_DIGIT_RE = re.compile(r"\d")
_UNITS = {"%": "%", "percent": "%", "month": "months", "months": "months", "mo": "months",
          "mos": "months", "times": "ratio", "fold": "ratio", "week": "weeks", "weeks": "weeks",
          "day": "days", "days": "days", "year": "years", "years": "years", "yr": "years", "yrs": "years"}
# Units a median or mean time keeps as printed (contract v2: never converted).
_TIME_UNITS = frozenset(("months", "weeks", "days", "years"))
_COUNT_UNITS = {"patients", "cases", "subjects", "participants"}
_OTHER_UNITS = frozenset(("gy", "cm", "mm", "ml", "mg", "μm", "µm", "nm", "μg", "µg", "mcg", "kg", "lesions", "tumors", "tumours", "nodules", "sessions",
                          "cycles"))
_TO_BEFORE_RE = re.compile(r"\bto\s+$", re.IGNORECASE)
_IN_BEFORE_RE = re.compile(r"\b(?:in|among)\s+(?:only\s+|just\s+)?$", re.IGNORECASE)  # "occurred in 5 patients"
_FROM_RE = re.compile(r"\bfrom\s+$", re.IGNORECASE)
_INNER = frozenset(("hrfor", "tplu", "unit", "lo", "hi", "pcmp", "pval", "blo", "bhi"))
_HR_CASED_RE = re.compile(r"HR|[Hh]azard|[Oo]dds|[Rr]isk|[Rr]elative|OR|RR")
_GRADE_BEFORE_RE = re.compile(rf"\bgrades?\s*(?:[1-5]\s*(?:{_D}|/|\bor\b|\band\b|\bto\b)\s*)?$", re.IGNORECASE)
_COMMA_GAP_RE = re.compile(r"\s*,\s*")
_DASH_GAP_RE = re.compile(rf"\s*{_D}\s*")
_COUNT_AFTER_RE = re.compile(r"\s+(?:[\w-]+\s+){1,2}(?:patients|cases|subjects|participants)\b", re.IGNORECASE)
_RATIO_ENDPOINTS = frozenset(("ORR", "DCR", "other:complete_response", "local_control"))
_ODDS_RE = re.compile(r"(?:adjusted\s+)?(?:odds|risk|relative|a?ORs?\b|RRs?\b)", re.IGNORECASE)
_NUMW_RE = re.compile(_NUMW, re.IGNORECASE)
_AE_LED_TO_RE = re.compile(r"(?:reported\s+as|assess\w*\s+for|evaluab\w*\s+for|evaluated\s+for|discontinu\w*|withdr[ae]w\w*|interrupt\w*|stop\w*|dropp?\w*|due|led|leading"
                           r"|because|owing|result|reduc\w*|delay\w*|death\w*|died|hospitali[sz]\w*)\s+(?:\w+\s+){0,2}$",
                           re.IGNORECASE)
# "Treatment was discontinued because of disease progression in 20 patients (64.5%) and adverse
# events in two": reasons for stopping, listed after the verb.
_AE_REASON_RE = re.compile(r"\b(?:discontinu\w*|withdr[ae]w\w*|stopped)\s+(?:\w+\s+){0,3}?(?:because\s+of|due\s+to|owing\s+to)\b"
                           r"(?:[^;.]|\.\d)*$", re.IGNORECASE)
_AE_LEADING_RE = re.compile(r"\s*(?:\([^()]{1,12}\)\s*)?(?:leading|(?:that\s+|which\s+)?led\s+to|resulting|requiring)\s",
                            re.IGNORECASE)
_AE_OF_RE = re.compile(r"\s+of\s+(?!(?:any|all|grade|severity|the\s+(?:study|trial)|patients|special)\b)[a-z]", re.IGNORECASE)
_AE_WORD_BEFORE_RE = re.compile(r"([A-Za-z][\w-]*)\s+$")
# Words that may stand before an adverse-event mention without naming a particular toxicity.
_AE_PLAIN_BEFORE = frozenset(
    "the of any all overall total and or with had have has experienced reported no in for common related "
    "emergent other new more fewer less similar higher lower rate rates incidence frequency number proportion "
    "percentage occurrence grade severe major acute late significant notable observed developed showed "
    "from to by were was as than between among at a an these those their its patients' 3 4 5 iii iv v "
    "possibly probably definitely "
    "3-4 3/4 3-5 higher-grade high-grade".split())
_IMMUNE_RE = re.compile(r"immune|irAE|imAE", re.IGNORECASE)
_COMPLICATION_RE = re.compile(r"complication", re.IGNORECASE)
_WITH_FWD_RE = re.compile(r"\s+(?:without|not\s+receiving|receiving|treated\s+with|with)\s+[^,;.()]{1,40}")
_LIST_SEP_RE = re.compile(r"(\s+and\s+|\s*,\s*|\s+or\s+)")
_LIST_SEP_FULL_RE = re.compile(r"\s+and\s+|\s*,\s*|\s+or\s+")
_OPEN_GAP_RE = re.compile(r"[\s(\[,]*")


class _Tok:
    __slots__ = ("kind", "s", "e", "depth", "data")

    def __init__(self, kind, s, e, depth, data=None):
        self.kind, self.s, self.e, self.depth, self.data = kind, s, e, depth, data


def _months(nums: list[str], unit: str) -> list[float | int]:
    out = []
    for n in nums:
        v = _WORDNUM.get(n.lower()) or int(n)
        u = unit.lower()
        # A landmark in weeks as months to one decimal (12 weeks -> 2.8), as the gold records it.
        out.append(v * 12 if u.startswith("y") else round(v * 12 / 52, 1) if u.startswith("w") else v)
    return out


def _printed(text: str, m: re.Match, name: str) -> str | None:
    """A group of `m` as printed in `text` (the match may be on lower-cased text)."""
    a, b = m.span(name)
    return text[a:b] if a >= 0 else None


def _tokens(text: str, ss: int, se: int, low: str | None = None) -> list[_Tok]:
    """Tokens of text[ss:se]; `low` is numbers.folded(text) when the caller has it."""
    toks: list[_Tok] = []
    depth, pos = 0, ss
    matches = _TOKEN_RE.finditer(text, ss, se) if low is None else _TOKEN_RE_FOLDED.finditer(low, ss, se)
    part = (low or text)[ss:se] if low is not None else text[ss:se].lower()
    counted = "patients" in part or "cases" in part or "subjects" in part or "participants" in part
    diff_unit = None  # the unit of a difference stated, until the next endpoint: "... was 0.6% (...) in X and 2.5% in Y"
    for m in matches:
        ms, me = m.span()
        if ms > pos:
            gap = text[pos:ms]
            depth = max(0, depth + gap.count("(") + gap.count("[") - gap.count(")") - gap.count("]"))
        pos = me
        kind = m.lastgroup
        if kind in _INNER:  # an inner group closed last
            kind = next(k for k in ("ci", "p", "hr", "tpl", "val", "bci") if m.group(k) is not None)
        g = text[ms:me]
        cased = _CASED.get(kind)
        if cased is not None and len(g) <= 4 and g.strip() != cased:
            continue
        if kind in ("lc", "nr") and len(g) <= 3 and g.isupper() is False:
            continue
        data = None
        if kind == "ci":
            data = (_printed(text, m, "lo"), _printed(text, m, "hi"))
        elif kind == "bci":
            data = (_printed(text, m, "blo"), _printed(text, m, "bhi"))
        elif kind == "p":
            data = normalise_p(_printed(text, m, "pcmp"), _printed(text, m, "pval"))
        elif kind == "hr":
            if not _HR_CASED_RE.search(g):
                continue
            data = (_printed(text, m, "hrfor") or "").lower()
        elif kind == "tpl":
            data = _months(_NUMW_RE.findall(_printed(text, m, "tpl")), _printed(text, m, "tplu"))
        elif kind == "attp":
            nums = _NUMW_RE.findall(g[2:])
            data = _months(nums, "y" if "year" in g.lower() else "w" if "week" in g.lower() else "m")
            kind = "tpl"
        elif kind == "val":
            unit = (_printed(text, m, "unit") or "").lower().lstrip(DASHES)
            exact = not (_INEXACT_RE.search(text, max(ss, ms - 14), ms) if low is None
                         else _INEXACT_RE_FOLDED.search(low, max(ss, ms - 14), ms))
            if _VERSION_RE.search(text, max(ss, ms - 12), ms) or _CI_WORD_AFTER_RE.match(text, me, se):
                continue  # "RECIST 1.1", "CTCAE v4.03": a version, not a number of the study
            if unit == "%" and _STRENGTH_AFTER_RE.match(text, m.end("val"), se):
                continue
            if _UNITS.get(unit, unit) in _TIME_UNITS and _PERIOD_BEFORE_RE.search(text, max(ss, ms - 16), ms):
                continue  # "given for 1 year", "within the first 5 years": a period, not a survival time
            if exact and _DIFFERENCE_RE.search(text, max(ss, ms - 100), ms):
                exact = False  # "the absolute increase in PFS at 3 years was 7.3%": a difference
                diff_unit = unit or None
            elif exact and diff_unit is not None and unit == diff_unit:
                exact = False  # the same difference for another group or stratum
            if exact and _OR_MORE_AFTER_RE.match(text, me, se):
                exact = False  # "reported by 10% or more of the patients": a threshold
            if exact and _DIFFERENCE_AFTER_RE.match(text, me, se):
                exact = False  # "median OS was 8 months longer in group A": a difference too
            unit = _UNITS.get(unit, unit or None)
            if unit is None and "rade" in text[max(ss, ms - 14):ms] and _GRADE_BEFORE_RE.search(text, max(ss, ms - 14), ms):
                continue  # "usually grade 1-2": a toxicity grade, not a value
            if unit is None and counted and _COUNT_AFTER_RE.match(text, me, se) and _DIGIT_ONLY_RE.fullmatch(text, ms, me):
                unit = "patients"  # "for 52 PM01183-treated patients": a count of patients
            data = (_printed(text, m, "val"), unit, exact)
        elif kind == "ae":
            kind = "ae3" if m["g3a"] or m["g3b"] or _G3_BEFORE_RE.search(text, max(ss, ms - 16), ms) \
                else "aelow" if m["glowa"] or m["glowb"] else "aeany"
        if kind in _EP_NAME:
            diff_unit = None
            name = _EP_NAME[kind]
            before = text[max(ss, ms - 25):ms]
            if kind == "surv" and (_NOT_BARE_SURV_RE.search(before) or _DEVICE_SURVIVAL_RE.search(text, ss, se)):
                continue
            if kind == "orr" and (_NOT_ORR_RE.search(before) or (
                    not _TUMOUR_RESPONSE_RE.search(g) and _SURVEY_SENTENCE_RE.search(text, ss, se))
                    or _SCALE_RESPONSE_RE.search(text, ss, se)):
                continue
            if kind in ("os", "surv") and (_AFTER_EVENT_RE.match(text, me, se) or _POST_EVENT_BEFORE_RE.search(before)):
                name = "other:PPS"
            if kind == "cr" and _NOT_CR_RE.search(before):
                continue
            if kind in ("pfs", "os", "surv", "dfs", "rfs", "ttp") and (mod := _MOD_RE.search(before)):
                name = f"other:{mod.group(1).lower().replace('2nd', 'second')}_{name.split(':')[-1]}"
            if name and name.startswith("AE_") and not _IMMUNE_RE.search(g):
                w = _AE_WORD_BEFORE_RE.search(text, max(ss, ms - 30), ms)
                if _AE_LED_TO_RE.search(text, max(ss, ms - 40), ms) or _AE_LEADING_RE.match(text, me, se) \
                        or _AE_REASON_RE.search(text, max(ss, ms - 160), ms):
                    name = None  # "discontinuation due to adverse events": another endpoint
                elif _AE_OF_RE.match(text, me, se):
                    name = None  # "an adverse event of bradycardia": a named toxicity
                elif w and w.group(1).lower() == "serious":
                    name = "other:serious_AE"
                elif w and w.group(1).lower() not in _AE_PLAIN_BEFORE:
                    name = None  # "skin toxicity", "cardiovascular adverse events": a named toxicity
            if name and name.startswith("AE_") and _IMMUNE_RE.search(g):
                name = "other:irAE_grade3plus" if name == "AE_grade3plus" else "other:irAE_any"
            if name and name.startswith("AE_") and _COMPLICATION_RE.search(g):
                name = "other:complications_grade3plus" if name == "AE_grade3plus" else None
            data = (name, kind)
            kind = "ep"
        toks.append(_Tok(kind, ms, me, depth, data))
    return toks


# ------------------------------------------------------------------ items
class _Item:
    """One reported value group: a value, an "A vs B" pair, or a ratio over a pair."""

    __slots__ = ("vals", "ratio", "hr", "ci", "p", "end", "start", "count")

    def __init__(self, start):
        self.count = False  # "in 5 patients": a count of patients, no percentage printed
        self.vals = []      # [[value_tok, ci]]
        self.ratio = None   # value tok of "2.38 times"
        self.hr = None      # [value_tok, hrfor, ci, p]
        self.ci = None      # item-level CI (of the ratio)
        self.p = None
        self.start, self.end = start, start


def _build_items(raw: list[_Tok], text: str = "") -> list[_Item]:
    vals = [t for t in raw if t.kind in ("val", "nr", "count")]
    if not vals and not any(t.kind == "hr" for t in raw):
        return []
    # The statement's own values sit at one bracket depth; counts ("in 275 patients") do not set it.
    valued = [t for t in vals if t.kind != "count" and not (t.kind == "val" and t.data[1] in _COUNT_UNITS)]
    base = min(t.depth for t in (valued or vals)) if vals else min(t.depth for t in raw)
    items: list[_Item] = []
    i, n = 0, len(raw)
    while i < n:
        t = raw[i]
        k = t.kind
        if k == "hr":
            j = i + 1
            if j < n and raw[j].kind == "val" and raw[j].data[1] in (None, "ratio"):
                hr = [raw[j], t.data, None, None, "ratio" if _ODDS_RE.match(text, t.s) else "HR"]
                j += 1
                while j < n and raw[j].kind in ("ci", "p", "bci") and raw[j].depth >= t.depth:
                    if raw[j].kind == "bci" and (j != i + 2 or hr[2] is not None):
                        break  # a bare range is the HR's CI only right after it
                    if raw[j].kind in ("ci", "bci") and hr[2] is None:
                        hr[2] = raw[j].data
                    elif raw[j].kind == "p" and hr[3] is None:
                        hr[3] = raw[j].data
                    j += 1
                prev = next((x for x in reversed(items) if not x.count), None)
                if prev is not None and prev.hr is None:
                    prev.hr = hr
                    prev.end = max(prev.end, raw[j - 1].e)
                else:
                    it = _Item(t.s)
                    it.hr, it.end = hr, raw[j - 1].e
                    items.append(it)
                i = j
                continue
        elif k in ("val", "nr", "count") and t.depth == base:
            it = _Item(t.s)
            if k == "count" or (k == "val" and t.data[1] in _COUNT_UNITS) or (
                    k == "val" and t.data[1] is None and i + 1 < n and raw[i + 1].kind == "val"
                    and raw[i + 1].depth == base + 1 and raw[i + 1].data[1] == "%"
                    and "." not in t.data[0] and _OPEN_GAP_RE.fullmatch(text, t.e, raw[i + 1].s)):
                # "12 patients (19%)", "12/62 (19.4%)": the percentage is the value.
                if i + 1 < n and raw[i + 1].kind == "val" and raw[i + 1].depth == base + 1 \
                        and raw[i + 1].data[1] == "%":
                    it.vals.append([raw[i + 1], None])
                    it.end = raw[i + 1].e
                    items.append(it)
                    i += 2
                    continue
                if k == "val" and t.data[1] in _COUNT_UNITS and t.data[2] and "." not in t.data[0] \
                        and "·" not in t.data[0] and _IN_BEFORE_RE.search(text, max(0, t.s - 12), t.s):
                    it.count = True
                    it.vals.append([t, None])
                    it.end = t.e
                    items.append(it)
                i += 1
                continue
            if k == "val" and t.data[1] == "ratio":
                it.ratio = t
                it.end = t.e
                j = i + 1
                while j < n and raw[j].depth > base and raw[j].kind in ("val", "nr", "vs", "ci", "p"):
                    r = raw[j]
                    if r.kind in ("val", "nr"):
                        it.vals.append([r, None])
                    elif r.kind == "ci" and it.ci is None:
                        it.ci = r.data
                    elif r.kind == "p" and it.p is None:
                        it.p = r.data
                    it.end = r.e
                    j += 1
                items.append(it)
                i = j
                continue
            it.vals.append([t, None])
            it.end = t.e
            j = i + 1
            inner = False  # a bracketed sub-result passed: a CI after it is not this value's
            from_to = k == "val" and _FROM_RE.search(text, max(0, t.s - 6), t.s) is not None
            # "prolonged PFS to 10.6 months from 6.4 months": the same pair, the new value first
            to_from = k == "val" and not from_to and _TO_BEFORE_RE.search(text, max(0, t.s - 4), t.s) is not None
            while j < n:
                r = raw[j]
                if r.kind == "ci" and r.depth >= base and it.vals[-1][1] is None and it.ci is None:
                    if not inner and (r.depth == base + 1 or len(it.vals) == 1):
                        it.vals[-1][1] = r.data
                    it.end = r.e
                elif r.kind == "p" and r.depth >= base:
                    it.p = it.p or r.data
                    it.end = r.e
                elif r.kind == "vs" and r.depth == base \
                        and j + 1 < n and raw[j + 1].kind in ("val", "nr") and raw[j + 1].depth == base:
                    it.vals.append([raw[j + 1], None])
                    it.end = raw[j + 1].e
                    inner = False
                    j += 1
                elif (from_to and _TO_BEFORE_RE.search(text, max(it.end, r.s - 4), r.s)
                      or to_from and _FROM_RE.search(text, max(it.end, r.s - 6), r.s)) \
                        and len(it.vals) == 1 and r.kind in ("val", "nr") and r.depth == base:
                    # "from 9 months in the 45 Gy group to 12 months in the 60 Gy group"
                    it.vals.append([r, None])
                    it.end = r.e
                    inner = False
                elif r.kind == "val" and r.data[1] is None and j + 1 < n and raw[j + 1].kind == "val" \
                        and it.vals[-1][0].kind == "val" and it.vals[-1][1] is None \
                        and raw[j + 1].data[1] in (None, it.vals[-1][0].data[1]) \
                        and any(v[1] for v in it.vals[:-1]) and _COMMA_GAP_RE.fullmatch(text, it.end, r.s) \
                        and _DASH_GAP_RE.fullmatch(text, r.e, raw[j + 1].s):
                    # "(A, 3.7 months, 95% CI 3.2-4.2, vs B, 3.6 months, 3.2-3.9)": the CI printed unlabelled
                    it.vals[-1][1] = (r.data[0], raw[j + 1].data[0])
                    it.end = raw[j + 1].e
                    j += 1
                elif r.kind in ("val", "nr", "count", "bci") and r.depth > base or r.kind == "bci":
                    inner = inner or r.kind != "bci"  # ranges, counts, sub-results in brackets are not values
                else:
                    break
                j += 1
            items.append(it)
            i = j
            continue
        i += 1
    _inherit_units(items)
    return items


def _inherit_units(items: list[_Item]) -> None:
    """A bare number in a list takes the unit printed after the list ("98.4, 78.7% and 43.7%")."""
    unit = None
    for it in reversed(items):
        for v in reversed(it.vals):
            tok = v[0]
            if tok.kind != "val":
                continue
            num, u, exact = tok.data
            if u == "%" or u in _TIME_UNITS:
                unit = u
            elif u is None and unit is not None:
                tok.data = (num, unit, exact)


# ------------------------------------------------------------- statements
class _Statement:
    __slots__ = ("start", "eps", "tps", "median", "mean", "raw", "resp_end", "groups", "local")

    def __init__(self):
        self.local = False  # the groups it names are its own (one of several per-group lists)
        self.start = None
        self.eps, self.tps, self.raw, self.groups = [], [], [], []
        self.median = self.mean = False
        self.resp_end = None

    def mark(self, t: _Tok) -> None:
        if self.start is None:
            self.start = t.s

    def has_values(self) -> bool:
        return any(t.kind in ("val", "nr", "count") for t in self.raw)


class _Ctx:
    """What one sentence's statements need to know about the document."""

    __slots__ = ("text", "arms", "sent", "prognostic", "sent_eps", "out", "doc_words", "pop_groups", "floor",
                 "sent_resp", "postfix", "prev_ep", "onco")

    def other_trial(self) -> bool:
        """True when the sentence reports a named trial ("in IMbrave150") that is not this study."""
        for m in _TRIAL_NAME_RE.finditer(self.text, self.sent[0], self.sent[1]):
            if not self.doc_words.own_trial(m[1]):
                return True
        return False

    def __init__(self, text, arms, sent, out, doc_words=frozenset(), low=None):
        self.text, self.arms, self.sent, self.out = text, arms, sent, out
        self.prognostic = bool(_PROGNOSTIC_RE.search(text, sent[0], sent[1]) if low is None
                               else _PROGNOSTIC_RE_FOLDED.search(low, sent[0], sent[1]))
        if self.prognostic and len(arms) > 1 and _ARM_ASSOCIATED_RE.search(text, sent[0], sent[1]) \
                and not _PROGNOSTIC_OTHER_RE.search(text, sent[0], sent[1]):
            # "SR was associated with longer OS than TACE+RFA (HR 1.78)": two arms compared, no covariate
            names = [a["name"] for a in arms]
            self.prognostic = len(_named_arms(text[sent[0]:sent[1]].lower(), names, 0)) < 2
        self.sent_eps: list[_Tok] = []
        self.doc_words = doc_words  # words that describe the whole study population
        self.pop_groups: list[tuple[int, str]] = []  # the arm a study-population phrase names
        self.floor = sent[0]  # quotes start no earlier (after a follow-up clause)
        self.sent_resp = False  # a top-level "respectively" makes every list of the sentence per group
        self.postfix = True  # values may be named after them ("35% vs 20% for ORR")
        self.prev_ep = None  # the time-to-event endpoint the sentence before ended on
        self.onco = True  # the document is about tumours (a "response rate" is a tumour response)


# ---------------------------------------------------- population or subgroup
# "In patients with HCC treated with SBRT plus camrelizumab, the ORR was ..." names
# the study's own population; "among patients with PD-L1 >=1%" a subgroup. The
# condition after "patients with" is the population when every word of it is in the
# title (or is an abbreviation the text defines for title words), and a treatment
# after it ("treated with", "who received") is the study's own.
_POP_TREAT_RE = re.compile(r"\b(?:(?:who\s+(?:were\s+)?)?(?:treated|managed)\s+with|(?:who\s+)?(?:received|receiving"
                           r"|underwent|undergoing)|who\s+were\s+given)\s+", re.IGNORECASE)
_OWN_RE = re.compile(r"\b(?:this|our|we|present|current)\b")
_POP_FILLER = frozenset(("a", "an", "the", "and", "of"))
_ABBREV_RE = re.compile(r"\(\s*([A-Za-z][\w-]{1,9})\s*\)")
_WORDS_RE = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")


# "in IMbrave150", "in the KEYNOTE-240 trial", "from CheckMate 459": results of a named trial.
_TRIAL_NAME_RE = re.compile(r"\b(?:[Ii]n|[Ff]rom|[Oo]f|[Ll]ike)\s+(?:the\s+)?((?:[A-Z][A-Za-z]*[A-Z][A-Za-z]*|[A-Z]{2,})[- ]?\d{2,4}[A-Za-z]?)\b"
                            r"(?!\s*(?:patients|cases|mg|Gy|months|weeks|days|years))")


class _PopulationWords:
    """Lower-cased words of the title, plus abbreviations the text defines for two title
    words ("hepatocellular carcinoma (HCC)"); worked out once, when first needed."""

    __slots__ = ("title", "text", "words", "trials")

    def __init__(self, title: str, text: str):
        self.title, self.text, self.words, self.trials = title, text, None, {}

    def own_trial(self, name: str) -> bool:
        """A trial name the title gives, or the text ties to this study ("this", "our", "we")."""
        if name not in self.trials:
            low, key = self.text.lower(), name.lower()
            own = key in self.title.lower()
            pos = low.find(key)
            while not own and pos >= 0:
                window = low[max(0, pos - 120):pos + 120]
                own = bool(_OWN_RE.search(window))
                pos = low.find(key, pos + 1)
            self.trials[name] = own
        return self.trials[name]

    def __contains__(self, word: str) -> bool:
        if self.words is None:
            words = {w.lower() for w in _WORDS_RE.findall(self.title)}
            for m in _ABBREV_RE.finditer(self.text):
                before = self.text[max(0, m.start() - 80):m.start()].lower().split()
                if len(before) >= 2 and before[-1] in words and before[-2] in words:
                    words.add(m[1].lower())
            self.words = frozenset(words)
        return word in self.words


_PEOPLE = ("patients", "subjects", "participants", "individuals")


def _study_population(ctx: _Ctx, t: _Tok) -> bool:
    """True when an "in/among/for patients with/who ..." phrase names the study population."""
    text = ctx.text
    g = text[t.s:t.e].lower()
    if not any(w in g for w in _PEOPLE) or g.endswith("without"):
        return False
    end = t.e
    while end < ctx.sent[1] and text[end] not in ",;:()[]":
        end += 1
    clause = text[t.e:end]
    m = _POP_TREAT_RE.search(clause)
    cond, treat = (clause[:m.start()], clause[m.end():]) if m else (clause, "")
    if g.endswith("who"):
        if not m or cond.strip():
            return False
    else:
        words = cond.split()
        if not words:
            return False
        for w in words:
            w = w.strip(".").lower()
            if w in _POP_FILLER:
                continue
            if w not in ctx.doc_words or not _WORDS_RE.fullmatch(w):
                return False
    if treat.strip():
        names = [a["name"] for a in ctx.arms]
        if not names or not treatment_labels(treat):
            return False
        if len(names) == 1:  # match_arm takes any phrase for a single arm; the treatment must fit it
            arm = names[0] if fits_arm(treat, names[0]) else None
        else:
            arm = match_arm(treat, names)
        if arm is None:
            return False
        ctx.pop_groups.append((t.s, arm))
    return True


def _group_phrases(text: str, t: _Tok, sent: tuple[int, int]) -> list[tuple[int, str]]:
    """(position, phrase) of the groups a group word names ("the A and B groups" gives two)."""
    g = text[t.s:t.e]
    if not re.fullmatch(r"(?:groups?|arms?|cohorts?)", g, re.IGNORECASE):
        # "chemotherapy alone", "chemotherapy-only": the word before names the group.
        w = _WORD_BEFORE_RE.search(text, max(sent[0], t.s - 40), t.s)
        return [(w.start() if w else t.s, (w.group() if w else "") + g)]
    lo = max(sent[0], t.s - 60)
    back = text[lo:t.s]
    cut = max((m.end() for m in _GROUP_CUT_RE.finditer(back)), default=0)
    fwd = _WITH_FWD_RE.match(text[t.e:min(sent[1], t.e + 50)])
    if fwd:
        return [(t.s, g + fwd.group())]
    out, pos = [], lo + cut
    for part in _LIST_SEP_RE.split(back[cut:]):
        if part and not _LIST_SEP_FULL_RE.fullmatch(part):
            out.append((pos, part + " " + g))
        pos += len(part)
    return out or [(t.s, g)]


def _sentence(ctx: _Ctx, toks: list[_Tok]) -> None:
    if any(t.kind == "elsewhere" for t in toks) or ctx.other_trial():
        return
    ctx.sent_resp = any(t.kind == "resp" and t.depth == 0 for t in toks)
    # "21 (78%) among those who received A and 20 (65%) among those who received B": groups by
    # treatment, compared; not subgroups
    treated = [i for i, t in enumerate(toks) if t.kind == "sub" and ctx.text[t.s:t.e].lower().endswith("who")
               and _POP_TREAT_RE.match(ctx.text, t.e + 1)]
    treated = set(treated) if len(treated) >= 2 else ()
    toks = _ae_after_counts(_alive_after_landmark(toks), ctx.text)
    toks = _each_then_respectively(ctx, toks)
    st = _Statement()
    skip = None
    n = len(toks)
    consumed = set()
    carry = None  # the endpoint of a rate whose landmark followed it
    # A subgroup named before the sentence's first endpoint ("Among those who were KRAS-positive,
    # median OS was ...; median PFS was ...") is the subject of all its clauses.
    leading_sub = False
    seen_ep = False
    for i, t in enumerate(toks):
        if i in consumed:
            continue
        k = t.kind
        seen_ep = seen_ep or k == "ep"
        if k in ("ep", "semi", "block", "sub", "fu"):
            carry = None
        if k == "ep":
            if skip == "hard":
                continue
            if st.has_values() and _POSTFIX_FOR_RE.search(ctx.text, max(ctx.sent[0], t.s - 8), t.s):
                # "(23.5% vs 11.8% for ORR, P < .01; and 58.8% vs 35.3% for DCR)": the values before
                # "for <endpoint>" are that endpoint's, whatever the sentence named first.
                st.eps = [t]
                _close(ctx, st)
                st = _Statement()
                ctx.postfix = True
                ctx.sent_eps.append(t)
                continue
            if st.has_values() and t.depth > min(r.depth for r in st.raw if r.kind in ("val", "nr", "count")):
                continue  # "64% (18% complete response)": a bracketed part of the value, not a new statement
            if st.has_values():
                _close(ctx, st)
                st = _Statement()
            elif st.eps and not st.raw and _EP_COLON_RE.match(ctx.text, t.e, ctx.sent[1]):
                # "for ORR and DCR (ORR: 64.3 vs 33.3%; ...; DCR: ...)": each labelled part is a statement
                st = _Statement()
            skip = None
            prev = st.eps[-1] if st.eps else None
            # "progression-free survival (PFS)": one mention, not two.
            if not st.eps and not st.raw and (st.median or st.mean) and t.s - st.start > 40:
                st = _Statement()  # "(mean age 59.8 years): ... mOS was": that mean was the age's
            same = prev and (prev.data[0] == t.data[0] or (prev.data[0] or "").startswith("AE_") and t.data[0] == "AE_any")
            if not (same and _OPEN_GAP_RE.fullmatch(ctx.text[prev.e:t.s])):  # "grade >=3 adverse events (AEs)" too
                st.eps.append(t)
            st.mark(t)
            ctx.sent_eps.append(t)
        elif k == "tpl":
            if skip == "hard":
                continue
            if st.has_values() and t.depth > min(r.depth for r in st.raw if r.kind in ("val", "nr", "count")):
                continue  # "87 months for arm A (82.0% at 3 years)": a bracketed aside, not the statement's landmark
            if st.has_values() and st.eps and not st.tps and st.raw and st.raw[-1].kind == "val" \
                    and not skip and _TP_AFTER_RE.fullmatch(ctx.text, st.raw[-1].e, t.s):
                # "Local control was 100%, 94.8% and 90.7% at 1, 2 and 5 years": the landmarks follow.
                st.tps.extend(t.data)
                _close(ctx, st, end=t.e)
                carry = st.eps[-1]  # "... at 1 year and 61% at 2 years": the next landmark's too
                st = _Statement()
                continue
            if st.has_values() or (st.tps and not st.eps):  # "1-year recurrence rates ..., and 1-year OS"
                _close(ctx, st)
                st = _Statement()
            skip = None
            st.tps.extend(t.data)
            st.mark(t)
        elif k in ("median", "mean"):
            if skip == "hard":
                continue
            if st.has_values() or (st.eps and k == "median" and st.median):
                _close(ctx, st)
                st = _Statement()
            skip = None
            setattr(st, k, True)
            st.mark(t)
        elif k == "fu" or (k == "range" and not st.raw) or (k == "range" and t.depth <= min(r.depth for r in st.raw)):
            _close(ctx, st)
            st = _Statement()
            skip = skip or "soft"
            if k == "fu":  # "After a median follow-up of 13.8 months, ...": quotes start after the clause
                comma = ctx.text.find(",", t.e, ctx.sent[1])
                if comma > 0:
                    ctx.floor = comma + 1
        elif k == "sub" and i in treated:
            continue
        elif k == "sub" and _study_population(ctx, t):
            continue  # the study's own population, not a subgroup
        elif k == "sub" and i + 1 < n and toks[i + 1].kind == "ep" and toks[i + 1].data[1] in ("ae3", "aeany") \
                and ctx.text[t.s:t.e].lower().endswith("with") and _NO_PUNCT_RE.fullmatch(ctx.text, t.e, toks[i + 1].s):
            continue  # "the frequency of patients with related adverse events": the endpoint's own count
        elif k == "sub" and st.eps and st.has_values() and not skip and _whole_then_subgroup(ctx, st, t):
            st = _Statement()  # the whole population's value closed, the subgroup's dropped
            skip = "hard"
        elif k == "sub":
            st = _Statement()  # dropped, not closed
            skip = "hard"
            leading_sub = leading_sub or not seen_ep
        elif k == "block":
            _close(ctx, st)
            st = _Statement()
            skip = "hard"
        elif k == "semi":
            if t.depth == 0 and not (i + 1 < n and toks[i + 1].kind in ("ci", "p", "hr")
                                     and not (toks[i + 1].kind == "hr" and toks[i + 1].data)):
                # "...; HR for OS was 0.93": an HR naming its endpoint starts a statement of its own
                _close(ctx, st)
                st = _Statement()
                skip = "hard" if leading_sub else None
        elif k == "resp":
            if st.raw and not skip:
                st.resp_end = t.e
        elif k == "group":
            phrases = _group_phrases(ctx.text, t, ctx.sent)
            if st.resp_end and st.eps and st.groups and not skip and _values_follow(toks, i):
                # "EP1 and EP2 in the A arm (a1 and a2, respectively) were similar to those in the
                # B arm (b1 and b2, respectively)": the same endpoints again, for another group
                st.local = True
                _close(ctx, st)
                nxt = _Statement()
                nxt.eps, nxt.median, nxt.mean, nxt.tps, nxt.local = list(st.eps), st.median, st.mean, list(st.tps), True
                nxt.start = t.s
                st = nxt
            if st.start is not None and not skip:
                st.groups.extend(phrases)
        elif k in ("val", "nr", "count", "ci", "p", "vs", "hr", "bci"):
            if st.resp_end and k == "hr" and st.raw and not skip and len(ctx.arms) > 1:
                st.resp_end = None  # "43 and 24%, respectively (RR 0.56, 95% CI ...)": the list's ratio
            if skip or st.resp_end:  # nothing else after "respectively" belongs to the list
                continue
            if k == "val" and t.data[1] == "%" and i + 1 < n and toks[i + 1].kind == "ep" \
                    and (not st.eps or t.depth == 0 and toks[i + 1].data[1] in ("alive", "pfree") and st.has_values()) \
                    and _FILLER_RE.fullmatch(ctx.text, t.e, toks[i + 1].s) \
                    and not (toks[i + 1].data[1] in ("ae3", "aeany") and _OF_RE.search(ctx.text, t.e, toks[i + 1].s)) \
                    and not _OWN_VALUE_AFTER_RE.match(ctx.text, toks[i + 1].e, ctx.sent[1]):
                if st.eps:  # "the 2-year PFS was 57%, and 25% remained progression-free at 5 years"
                    _close(ctx, st)
                    st = _Statement()
                # "achieved 100% technical success": value before its endpoint.
                pre = _Statement()
                pre.start, pre.eps, pre.raw = t.s, [toks[i + 1]], [t]
                if st.tps:  # "at 12 months, 45% were alive"
                    pre.start, pre.tps = st.start, st.tps
                elif i + 2 < n and toks[i + 2].kind == "tpl" and toks[i + 2].s - toks[i + 1].e <= 3:
                    pre.tps = toks[i + 2].data  # "45% were alive at 2 years"
                _close(ctx, pre, end=toks[i + 2].e if pre.tps and not st.tps else toks[i + 1].e)
                consumed.add(i + 1)
                continue
            if not st.eps and carry is not None and k == "val" and t.data[1] == "%" and i + 1 < n \
                    and toks[i + 1].kind == "tpl" and _TP_AFTER_RE.fullmatch(ctx.text, t.e, toks[i + 1].s):
                st.eps.append(carry)
                st.mark(t)
            if not st.eps and st.tps and k == "val" and ctx.sent_eps and _RATES_RE.search(ctx.text, st.start, t.s):
                st.eps.append(ctx.sent_eps[-1])  # "..., and the 5-year rates were 81.4 and 48.3%"
            if not st.eps and k == "hr" and t.data:
                # "the hazard ratio for death was 0.72": the HR names its own endpoint.
                hname = _hr_endpoint(t.data)
                if hname:
                    st.eps.append(_Tok("ep", t.s, t.e, t.depth, (hname, "hr")))
                    st.mark(t)
            if not st.eps and k == "hr" and ctx.sent_eps:
                st.eps.append(ctx.sent_eps[-1])
                st.mark(t)
            elif not st.eps and k == "hr" and ctx.prev_ep is not None and not any(x.kind == "ep" for x in toks) \
                    and not any(x.kind in ("val", "nr", "count") for x in toks[:i]) and i + 1 < n \
                    and toks[i + 1].kind == "val" and not ctx.text[t.e:toks[i + 1].s].strip() \
                    and not ctx.prognostic and not _OTHER_ANALYSIS_RE.search(ctx.text, ctx.sent[0], t.s):
                # "Median OS was 9.1 vs 6.2 months. The hazard ratio was 0.61": the HR of the
                # endpoint the sentence before reported, when this one names none.
                st.eps.append(_Tok("ep", t.s, t.s, t.depth, ctx.prev_ep.data))
                st.mark(t)
            if st.eps:
                st.raw.append(t)
            elif ctx.postfix and (k in ("val", "nr") or st.raw and k in ("vs", "ci", "p", "bci")):
                st.mark(t)  # values waiting for their "for <endpoint>"
                st.raw.append(t)
    if st.eps:
        _close(ctx, st)


_HAD_AE_RE = re.compile(r"\s*[)\]]?\s*(?:patients\s+)?(?:experienced|had|developed|reported|suffered|presented)\s+"
                        r"(?:(?:some|any|at\s+least\s+one|an?)\s+)?(?:(?:episodes?|form|kind|type)\s+of\s+)?", re.IGNORECASE)


def _ae_after_counts(toks: list[_Tok], text: str) -> list[_Tok]:
    """ "31 patients (65%) experienced some toxicity in arm A and 32 (70%) in arm B": the adverse-event
    mention, printed after its first count, is moved before it so the counts become its values."""
    for i, t in enumerate(toks):
        if t.kind == "ep" and t.data[1] in ("ae3", "aeany") and i >= 2:
            a, b = toks[i - 2], toks[i - 1]
            if a.kind == "val" and b.kind == "val" and b.data[1] == "%" and b.depth == a.depth + 1 \
                    and (a.data[1] is None or a.data[1] in _COUNT_UNITS) \
                    and not any(x.kind in ("ep", "val", "count") for x in toks[:i - 2]) \
                    and _HAD_AE_RE.fullmatch(text, b.e, t.s):
                return toks[:i - 2] + [t, a, b] + toks[i + 1:]
            return toks
    return toks


_WHOLE_RE = re.compile(r"\b(?:all|overall|entire|whole|intention-to-treat|ITT)\b", re.IGNORECASE)
_AND_CUT_RE = re.compile(r",?\s+and\s+")


def _whole_then_subgroup(ctx: _Ctx, st: _Statement, sub: _Tok) -> bool:
    """ "Median PFS for all treated patients was 4.0 months (...), and 5.0 months (...) for patients
    with X": the value stated for the whole population is closed as the statement, the one after the
    last "and" is the subgroup's. True when the statement was closed so."""
    vals = [r for r in st.raw if r.kind in ("val", "nr")]
    if len(vals) < 2 or not _WHOLE_RE.search(ctx.text, st.start, vals[0].s):
        return False
    cuts = list(_AND_CUT_RE.finditer(ctx.text, vals[0].e, sub.s))
    if not cuts:
        return False
    pos = cuts[-1].start()
    st.raw = [r for r in st.raw if r.e <= pos]
    _close(ctx, st)
    return True


_PAIR_VALUE_KINDS = frozenset(("val", "nr", "count", "ci", "p", "hr", "bci"))


def _each_then_respectively(ctx: _Ctx, toks: list[_Tok]) -> list[_Tok]:
    """ "the A group reached an mOS of 19.7 months and an mPFS of 6.6 months, compared with 10.5 and
    3.7 months, respectively, in the B group": each endpoint's own value, then the other group's
    values in the same order. Each endpoint's pair is closed as an "a vs b" statement; the tokens
    left are returned."""
    v = next((i for i, t in enumerate(toks) if t.kind == "vs"), None)
    if v is None or v < 4:
        return toks
    r = next((i for i in range(v + 1, len(toks)) if toks[i].kind == "resp"), None)
    if r is None:
        return toks
    after = [t for t in toks[v + 1:r] if t.kind in _PAIR_VALUE_KINDS]
    if len(after) < 2 or any(t.kind != "val" for t in after):
        return toks
    k = len(after)
    head = [(i, t) for i, t in enumerate(toks[:v]) if t.kind in _PAIR_VALUE_KINDS or t.kind in ("ep", "semi", "sub", "block", "elsewhere", "fu")]
    pairs = head[-2 * k:]
    if len(pairs) != 2 * k or len(head) != 2 * k and head[-2 * k - 1][1].kind not in ("ep",) and head[-2 * k - 1][1].kind != "semi":
        return toks
    if not all(pairs[2 * j][1].kind == "ep" and pairs[2 * j + 1][1].kind == "val" for j in range(k)):
        return toks
    eps = [pairs[2 * j][1] for j in range(k)]
    if len({e.data[0] for e in eps}) != k or any(e.data[0] is None for e in eps):
        return toks
    unit = after[-1].data[1]
    after = [t if t.data[1] is not None or unit is None else _Tok(t.kind, t.s, t.e, t.depth, (t.data[0], unit, t.data[2]))
             for t in after]  # "10.5 and 3.7 months": the unit printed after the list
    vs = toks[v]
    groups = [ph for t in toks if t.kind == "group" for ph in _group_phrases(ctx.text, t, ctx.sent)]
    first = pairs[0][0]
    for j in range(k):
        ep_i = pairs[2 * j][0]
        st = _Statement()
        st.eps = [eps[j]]
        st.start = eps[j].s
        st.median = any(t.kind == "median" for t in toks[(pairs[2 * j - 1][0] if j else 0):ep_i])
        st.raw = [pairs[2 * j + 1][1], vs, after[j]]
        st.groups = list(groups)
        st.resp_end = toks[r].e
        _close(ctx, st)
    ctx.sent_eps.extend(eps)
    return toks[:first] + toks[r + 1:]


def _values_follow(toks: list[_Tok], i: int) -> bool:
    """True when a value comes after token i before the next endpoint or top-level ";"."""
    for t in toks[i + 1:]:
        if t.kind == "val":
            return True
        if t.kind == "ep" or t.kind == "semi" and t.depth == 0:
            return False
    return False


def _alive_after_landmark(toks: list[_Tok]) -> list[_Tok]:
    """ "at 24 months 75% of A and 69% of B were alive": the "alive" mention, read after its
    values, is moved right after the landmark so the values become its statement's."""
    for i, t in enumerate(toks):
        if t.kind == "ep" and t.data[1] == "alive" and i > 0 and toks[i - 1].kind != "ep":
            j = max((k for k in range(i) if toks[k].kind == "tpl"), default=None)
            if j is not None and not any(x.kind in ("ep", "semi") for x in toks[j + 1:i]) \
                    and any(x.kind == "val" for x in toks[j + 1:i]):
                return toks[:j + 1] + [t] + toks[j + 1:i] + toks[i + 1:]
    return toks


def _close(ctx: _Ctx, st: _Statement, end: int | None = None) -> None:
    eps = st.eps  # unnamed mentions ("grade 1-2 AEs") still take their values
    if len(eps) > 1 and len({e.data[0] for e in eps}) == 1 and eps[0].data[0] is not None:
        eps = eps[:1]  # "overall survival (OS), lowering the risk of death": one endpoint named twice
    if not eps or not st.raw:
        return
    # "in the 45 Gy group", "2 cycles": numbers in other units name groups or doses, not results.
    st.raw = [t for t in st.raw if not (t.kind == "val" and t.data[1] in _OTHER_UNITS)]
    if all(e.data[0] and not _time_to_event(e.data[0]) and e.data[0] != "local_control" for e in eps) \
            and any(t.kind == "val" and t.data[1] == "%" for t in st.raw):
        # "response rates after 14 weeks (...) were 30% and 17%": a time beside a rate is its timing
        st.raw = [t for t in st.raw if not (t.kind == "val" and t.data[1] in ("months", "weeks", "days"))]
    items = _build_items(st.raw, ctx.text)
    if any(not it.count for it in items):
        items = [it for it in items if not it.count]  # "in 40 patients" beside a rate is its denominator
    if not items:
        return
    tps = st.tps or [None]
    k, m = len(eps), len(items)
    arm_names = [a["name"] for a in ctx.arms]
    # Arms named in the sentence as printed ("TACE plus ICI compared with TACE
    # alone") count as mentions too, at the place they are named.
    low = ctx.text[ctx.sent[0]:ctx.sent[1]].lower()
    named = (_named_arms(low, arm_names, ctx.sent[0]) + _combinations_named(ctx.text, ctx.sent, arm_names)
             if len(arm_names) > 1 and not st.local else [])
    mapped = _mapped_arms(st.groups + named + ([] if st.local else ctx.pop_groups), arm_names)
    labels = _value_labels(ctx, st.raw)
    names = {ctx.text[e.s:e.e].lower() for e in eps}
    labels = {k: v for k, v in labels.items() if v.lower() not in names}  # "20.5% for ORR" names no group
    if any(_SUBGROUP_LABEL_RE.search(lab) for lab in labels.values()):
        return  # "45% in PD-L1-positive vs 20% in PD-L1-negative tumours": subgroups
    single = all(len(it.vals) == 1 and not it.ratio for it in items)
    if k < m and _AND_NAME_RE.match(ctx.text, eps[-1].e, items[0].start):
        return  # "The median OS and SBP were a and b, respectively": one value is another endpoint's
    if k < m and _NAME_AND_RE.search(ctx.text, max(ctx.sent[0], eps[0].s - 30), eps[0].s):
        return  # "RR and DCR were a and b, respectively": the first value is an unrecognised name's
    plan = []  # (ep_tok, item, timepoint, arm_or_None)
    if len(tps) > 1:
        if k == 1 and m == len(tps):
            plan = [(eps[0], it, tp, None) for it, tp in zip(items, tps)]
        elif k == 1 and single and m % len(tps) == 0:
            # "1-, 3- and 5-year OS were a, b, c for arm A and d, e, f for arm B"
            chunks = [items[c:c + len(tps)] for c in range(0, m, len(tps))]
            arms_of = _arms_for([ch[-1] for ch in chunks], labels, mapped, arm_names, st, ctx)
            if arms_of is not None:
                plan = [(eps[0], it, tp, a) for ch, a in zip(chunks, arms_of) for it, tp in zip(ch, tps)]
    elif k == m:
        plan = [(ep, it, tps[0], None) for ep, it in zip(eps, items)]
    elif k == 1 and m > 1 and all(not it.vals and it.hr for it in items):
        # "higher after A (HR 1.78; ...) and after B (HR 3.17; ...)": several comparisons, each its HR
        plan = [(eps[0], it, tps[0], _NO_ARM) for it in items]
    elif k == 1 and m > 1 and single:
        arms_of = _arms_for(items, labels, mapped, arm_names, st, ctx)
        if arms_of is not None:
            plan = [(eps[0], it, tps[0], a) for it, a in zip(items, arms_of)]
    if not plan:
        return
    start = min([st.start] + [e.s for e in eps])  # an endpoint borrowed from earlier in the sentence
    qs, qe = _clause(ctx, start, max(end or 0, max(it.end for it in items), st.resp_end or 0))
    for ep, it, tp, arm in plan:
        _emit(ctx, st, ep, it, tp, arm, mapped, arm_names, qs, qe, labels)


def _named_arms(low: str, arm_names: list[str], base: int) -> list[tuple[int, str]]:
    """(offset, arm) of each arm's first mention in a lower-cased sentence, never inside a
    longer arm's name ("LEN" inside "LEN-TACE")."""
    spans = []
    for a in sorted(arm_names, key=len, reverse=True):
        key, i = a.lower(), low.find(a.lower())
        while i >= 0 and any(s <= i < e for s, e, _ in spans):
            i = low.find(key, i + 1)
        if i >= 0:
            spans.append((i, i + len(key), a))
    return [(base + s, a) for s, _, a in sorted(spans)]


# Therapies joined into one combination's name: "TACE-RT", "TACE plus RT", "lenvatinib + TACE".
_COMBINED_BY_RE = re.compile(r"\s*(?:[-+\u2013]|plus|combined with|with)\s*", re.IGNORECASE)


def _combinations_named(text: str, sent: tuple[int, int], arm_names: list[str]) -> list[tuple[int, str]]:
    """(offset, arm) of the arms a sentence names in a form other than their own names, when it
    names a combination of therapies so ("with TACE-RT" for the arm "TACE plus RT"): then its
    single therapies ("with sorafenib" for "sorafenib group") are matched to arms too, so that
    "a vs b" values follow the order the sentence names its groups in. A sentence naming no
    combination keeps to the arms' own names (a lone "resection" may be a population's)."""
    sentence = text[sent[0]:sent[1]]
    found = [x for x in mentions(sentence) if not x.not_given]
    out, combined, i = [], False, 0
    while i < len(found):
        j = i
        while j + 1 < len(found) and _COMBINED_BY_RE.fullmatch(sentence, found[j].end, found[j + 1].start):
            j += 1
        arm = match_arm(sentence[found[i].start:found[j].end], arm_names)
        if arm is not None:
            out.append((sent[0] + found[i].start, arm))
            combined = combined or j > i
        i = j + 1
    return out if combined else []


# A group label printed after a value: "25 weeks for patients in the bolus arm", "9 months in the
# 45 Gy group", "14.1 months (arm A)", "30% for ILF".
_LABEL_RE = re.compile(
    r"[\s,]*(?:[(\[]\s*(?P<par>[^()\[\]]{1,40}?)\s*[)\]]"
    r"|(?:for|in|with|among|on|using|receiving|of)\s+(?P<ph>[^,;:()\[\]]{1,60}?))"
    r"(?=\s*[,;:(\[]|\s+(?:and|vs|versus|compared|to|than|while|whereas|was|were|had|has|showed|achieved|reported|developed"
    r"|experienced|remained|corresponding|respectively)\b|\s*\.?$)",
    re.IGNORECASE)
_LABEL_LEAD_RE = re.compile(r"^(?:(?:the|all|both)\s+)?(?:(?:patients|subjects|participants|cases|those|women|men)\s+"
                            r"(?:(?:who\s+were\s+)?(?:in|on|treated\s+with|receiving|given|who\s+received|assigned\s+to"
                            r"|allocated\s+to|randomi[sz]ed\s+to|with)\s+)?)?(?:the\s+)?", re.IGNORECASE)
_NOT_LABEL_RE = re.compile(r"=|%|^(?:95\s*%?\s*)?CIs?\s*$|^95\s*%|\bconfidence\b|\bp\b|\brange\b|\bIQR\b|^\d+(?:[.·]\d+)?\s*(?:patients|cases|subjects|of\b|"
                           r"months?|years?|weeks?|days?|mo\b)|^(?:both|each|all|total|overall|this|these|our)\b"
                           r"|^(?:median|mean|the\s+)?(?:follow|month|year|week|day|time|cycle|dose)"
                           r"|^(?:patients|subjects|participants|cases|them|whom|which|turn|terms|addition|particular)$"
                           r"|^(?:favou?r|contrast|comparison|total|all|which|whom|patients$)"
                           r"|^(?:no|not|a|an|significant\w*|similar\w*|terms|spite|line|accordance)\b"
                           r"|\b(?:respectively|study|trial|analysis|population|cohort)$", re.IGNORECASE)
# A label naming a subgroup (a biomarker, age or sex stratum), never a treatment arm.
_SUBGROUP_LABEL_RE = re.compile(r"\b(?:positive|negative|older|younger|aged|elderly|male|female|men|women|mutant|responders"
                                r"|mutations?|mutated|wild[-\s]?type|expression|express\w*|stage|grade)\b|[<>≤≥]"
                                r"|\b(?:high|low)\b(?![-\s]dose)", re.IGNORECASE)


def _labels_before(ctx: _Ctx, raw: list[_Tok]) -> dict[int, str]:
    """ "higher with A (64%) than with B (43%) and C (27%)": the group each bracketed value
    follows, by the value's start; only when every value of the list (two or more) has one."""
    text, out = ctx.text, {}
    vals = [t for t in raw if t.kind == "val" and (t.data[1] == "%" or t.data[1] in _TIME_UNITS)]
    if len(vals) < 2:
        return out
    floor = max([ctx.sent[0]] + [e.e for e in ctx.sent_eps if e.e <= vals[0].s])
    names = [a["name"] for a in ctx.arms]
    for t in vals:
        m = _OPEN_BEFORE_RE.search(text, max(floor, t.s - 3), t.s)
        if not m or t.depth == 0 or not _CLOSE_AFTER_RE.match(text, t.e):
            return {}
        lo = max(floor, m.start() - 60)
        seps = list(_SEP_BEFORE_RE.finditer(text, lo, m.start()))
        if not seps:
            return {}
        lab = text[seps[-1].end():m.start()].strip()
        lab = lab[_LABEL_LEAD_RE.match(lab).end():].strip()
        if not lab or _NOT_LABEL_RE.search(lab) or _DIGIT_ONLY_RE.fullmatch(lab) or any(
                e.s < m.start() and e.e > seps[-1].end() for e in ctx.sent_eps):
            return {}
        # a group the study has ("the A arm", "80 mg X"), never a toxicity's name ("anemia (3.4%)")
        if not (_GROUP_WORD_RE.search(lab) or _resolve_label(lab, names, len(vals)) in names) \
                or _LABEL_TAIL_RE.search(lab):
            return {}
        out[t.s] = lab
        floor = t.e
    return out


_GROUP_WORD_RE = re.compile(r"\b(?:arms?|groups?|cohorts?)\b", re.IGNORECASE)
_LABEL_TAIL_RE = re.compile(r"[\d/(\[]$|\b(?:was|were|is|are)\b", re.IGNORECASE)
_OPEN_BEFORE_RE = re.compile(r"[(\[]\s*$")
_CLOSE_AFTER_RE = re.compile(r"\s*(?:[,;]\s*(?:95\s*%|p\b|P\b)[^()\[\]]*)?[)\]]")
_SEP_BEFORE_RE = re.compile(r"\b(?:with|for|in|among|on|receiving|after|than|and|or|vs\.?|versus)\s+|,\s*", re.IGNORECASE)


def _value_labels(ctx: _Ctx, raw: list[_Tok]) -> dict[int, str]:
    """The group label printed right after each value of a statement, by the value's start
    (or, for a list of bracketed values, right before each)."""
    out = {}
    text = ctx.text
    before = _labels_before(ctx, raw)
    if before:
        return before
    for idx, t in enumerate(raw):
        if t.kind not in ("val", "nr", "count"):
            continue
        nxt = next((r.s for r in raw[idx + 1:] if r.kind in ("val", "nr", "count", "vs", "hr", "ci", "p")
                    and r.s > t.e), ctx.sent[1])
        m = _LABEL_RE.match(text, t.e, nxt)
        if m and m["par"] is not None and (_NOT_LABEL_RE.search(m["par"]) or _DIGIT_RE.search(m["par"])
                                           and not _ARM_LETTER_RE.search(m["par"])):
            m = None
        if not m:
            # "46% (95% CI, 29.5-57.7%) for arm A": the label follows the value's bracket.
            after = _skip_bracket(text, t.e, ctx.sent[1])
            if after == t.e and t.depth > 0 and (close := _CLOSE_RE.match(text, t.e, ctx.sent[1])):
                after = close.end()  # "21 (78%) among those who received A": the label after the bracket
            if after == t.e:
                continue
            nxt = next((r.s for r in raw[idx + 1:] if r.kind in ("val", "nr", "count", "vs", "hr")
                        and r.s >= after), ctx.sent[1])
            m = _LABEL_RE.match(text, after, nxt)
            if not m or m["par"] is not None:
                continue
        lab = m["par"] if m["par"] is not None else m["ph"]
        if _BOTH_RE.match(lab):
            continue  # "8 months for both groups": one value for all, no one group's
        lead = _LABEL_LEAD_RE.match(lab)
        lab = lab[lead.end():].strip()
        if _TREATED_LEAD_RE.search(lead.group()):
            lab = _ARTICLE_START_RE.sub("", lab)  # "those who received a single fraction"
        if lab and not _NOT_LABEL_RE.search(lab) and not _DIGIT_ONLY_RE.fullmatch(lab):
            out[t.s] = lab
    return out


_ARM_LETTER_RE = re.compile(r"\b(?:arm|group|cohort)\s+\w+|\b\d+\s*Gy\b", re.IGNORECASE)
_TREATED_LEAD_RE = re.compile(r"(?:received|receiving|given|treated\s+with|assigned\s+to|allocated\s+to|randomi[sz]ed\s+to)\s+$",
                              re.IGNORECASE)
_ARTICLE_START_RE = re.compile(r"^(?:a|an)\s+", re.IGNORECASE)
_CLOSE_RE = re.compile(r"\s*[)\]]")
_BRACKET_START_RE = re.compile(r"\s*[(\[]")


def _skip_bracket(text: str, pos: int, limit: int) -> int:
    """The position after a bracketed part that opens right at `pos`, else `pos`."""
    m = _BRACKET_START_RE.match(text, pos, limit)
    if not m:
        return pos
    depth, i = 0, m.end() - 1
    while i < limit:
        c = text[i]
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return pos


_BOTH_RE = re.compile(r"(?:both|all|each|either)\b", re.IGNORECASE)
_DIGIT_ONLY_RE = re.compile(r"[\d\s.,·%-]+")


def _resolve_label(label: str | None, arm_names: list[str], n_groups: int = 1) -> str | None:
    """The study arm a printed group label names, else the label as printed. A list of more
    groups than the study has arms is not matched by treatment (each would fit the one arm)."""
    if not label:
        return None
    low = label.lower()
    hits = [a for a in arm_names if a.lower() in low or low in a.lower()]
    if len(hits) == 1:
        return hits[0]
    if n_groups > len(arm_names):
        return label
    if len(arm_names) > 1:
        a = match_arm(label, arm_names)  # also "the combination arm", "the control group"
        if a is not None:
            return a
    elif arm_names and treatment_labels(label) and fits_arm(label, arm_names[0]):
        return arm_names[0]
    return label


def _arms_for(items: list[_Item], labels: dict, mapped: list[str], arm_names: list[str], st, ctx=None) -> list | None:
    """One arm per value of a list ("a and b, respectively", "a for A and b for B"), or None
    when the statement does not say which value is whose."""
    m = len(items)
    labs = [labels.get(it.vals[-1][0].s) for it in items]
    if all(labs) and len({lab.lower() for lab in labs}) == m:
        return [_resolve_label(lab, arm_names, m) for lab in labs]
    if len(mapped) == m:
        return list(mapped)
    if st.resp_end or (ctx is not None and ctx.sent_resp):
        listed = _respectively_labels(ctx, m) if ctx is not None else None
        if listed:
            return [_resolve_label(lab, arm_names, m) for lab in listed]
        return list(arm_names) if len(arm_names) == m else [_NO_ARM] * m
    return None


# "... for TOMOX and FOLFOX4, respectively", "in the A, B and C groups, respectively"
_RESP_LIST_RE = re.compile(r"\b(?:for|in|with|between|of|on)\s+(?:the\s+)?((?:(?!\b(?:for|in|with|was|were)\b)[^;:()\d%])"
                           r"{2,120}?)\s*,?\s*respectively", re.IGNORECASE)
_RESP_SPLIT_RE = re.compile(r"\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+vs\.?\s+|\s+versus\s+|\s+or\s+", re.IGNORECASE)
_RESP_TAIL_RE = re.compile(r"\s+(?:groups?|arms?|cohorts?)$", re.IGNORECASE)


def _respectively_labels(ctx: _Ctx, m: int) -> list[str] | None:
    """The m group names a "for A and B, respectively" phrase of the sentence lists, in order."""
    text = ctx.text[ctx.sent[0]:ctx.sent[1]]
    found = None
    for mm in _RESP_LIST_RE.finditer(text):
        found = mm
    if found is None:
        return None
    body = _RESP_TAIL_RE.sub("", found.group(1).strip())
    parts = [p.strip() for p in _RESP_SPLIT_RE.split(body) if p.strip()]
    if len(parts) != m or any(len(p) > 50 or _SUBGROUP_LABEL_RE.search(p) for p in parts):
        return None
    return parts


#: A value of a list whose group the text does not name (never the single arm's by default).
_NO_ARM = ""


def _clause(ctx: _Ctx, s: int, e: int) -> tuple[int, int]:
    """The whole clause a statement stands in: from the sentence start, or the last top-level ";"
    before it, to the next top-level ";" or the sentence end (final full stop left out)."""
    text = ctx.text
    ss, se = ctx.sent
    e = _balance(text, s, e, se)
    floor = ctx.floor if ctx.floor <= s else ss
    qs = floor
    pos = text.rfind(";", floor, s)
    while pos >= 0:  # the last ";" before the statement outside any bracket it sits in
        between = text[pos:s]
        if between.count("(") + between.count("[") >= between.count(")") + between.count("]"):
            qs = pos + 1
            break
        pos = text.rfind(";", floor, pos)
    qe = se
    pos = text.find(";", e, se)
    while pos >= 0:  # the first ";" after it at the statement's own level
        between = text[e:pos]
        if between.count("(") + between.count("[") <= between.count(")") + between.count("]"):
            qe = pos
            break
        pos = text.find(";", pos + 1, se)
    # A statement inside brackets ("(...; HR 0.77 [0.60-1.00]; p=0.041)") is quoted with the
    # clause that holds the brackets.
    excess = 0
    q = text[qs:qe]
    closers = q.count(")") + q.count("]")
    for pos in range(qs, qe) if closers and closers > q.count("(") + q.count("[") or q[:1] in ")]" else ():
        c = text[pos]
        if c in "([":
            excess += 1
        elif c in ")]":
            excess -= 1
            if excess < 0:
                opener = max(text.rfind("(", ss, qs), text.rfind("[", ss, qs))
                if opener < 0:
                    break
                return _clause(ctx, opener, e)
    label = _LABEL_ANY_RE.match(text[qs:min(qe, qs + 60)])
    if label and qs + label.end() <= s:  # "Results: In patients ...": the label is not the statement
        qs += label.end()
    while qs < qe and (text[qs].isspace() or text[qs] in ":|"):
        qs += 1
    while qe > qs and text[qe - 1] in " \t\n.":
        qe -= 1
    if qe < e:  # never cut a value off ("... 12.5." ends in the number's own digits)
        qe = e
    return qs, qe


def _mapped_arms(phrases: list[tuple[int, str]], arm_names: list[str]) -> list[str]:
    """The study arms a statement names, in the order it names them."""
    out = []
    for _, ph in sorted(phrases):
        a = match_arm(ph, arm_names) if arm_names else None
        if a is not None and a not in out:
            out.append(a)
    return out


def _balance(text: str, s: int, e: int, limit: int) -> int:
    """Extend a quote's end to close the brackets it opens."""
    q = text[s:e]
    depth = q.count("(") + q.count("[") - q.count(")") - q.count("]")
    while depth > 0 and e < limit:
        c = text[e]
        e += 1
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
    return e


def _pair_arms(n_vals: int, mapped: list[str], arm_names: list[str], labs=None) -> list[str | None] | None:
    """Arms of an "A vs B" statement, in the order the sentence names the groups (or as each
    value's own label prints them)."""
    if labs and all(labs) and len({lab.lower() for lab in labs}) == n_vals:
        return [_resolve_label(lab, arm_names, n_vals) for lab in labs]
    if len(mapped) == n_vals:
        return mapped
    if len(arm_names) <= 1:
        return [None] * n_vals
    if n_vals == 2 and len(arm_names) == 2:
        if len(mapped) == 1:
            return [mapped[0], next(a for a in arm_names if a != mapped[0])]
        if not mapped:
            return list(arm_names)
    return [None] * n_vals


def _emit(ctx, st, ep, it, tp, arm, mapped, arm_names, qs, qe, labels=None) -> None:
    name = ep.data[0]
    if name is None or name == "ORR" and not ctx.onco and not _TUMOUR_RESPONSE_RE.search(ctx.text, max(0, ep.s - 15), ep.e):
        return  # a survey's or a depression scale's "response rate" is no tumour response
    labels = labels or {}
    median = st.median or ep.data[1] in ("mpfs", "mos")
    # "survival was 9 months" may be a median; "were alive 2 months after" never is (a landmark)
    bare_surv = ep.data[1] in ("surv", "alive", "pfree")
    quote = ctx.text[qs:qe]
    span = [qs, qe]

    def add(value_tok, measure, unit, arm_name, ci=None, p=None, timepoint=None):
        ctx.out.append({
            "endpoint": name, "measure": measure, "arm": arm_name,
            "value": to_number(value_tok.data[0]), "unit": unit,
            "ci": [to_number(ci[0]), to_number(ci[1])] if ci else None,
            "timepoint_months": timepoint, "p": p, "quote": quote, "span": span,
        })

    def value_measure(tok):
        """(measure, unit) of a plain value, or None when it is not clearly an endpoint value."""
        if tok.kind != "val" or not tok.data[2]:
            return None
        unit = tok.data[1]
        if unit == "%":
            if _time_to_event(name):
                return ("rate", "%") if tp is not None else None
            return "rate", "%"
        if unit in _TIME_UNITS and _time_to_event(name) and tp is None:
            if _BY_RE.search(ctx.text, max(0, tok.s - 4), tok.s):
                return None  # "prolonged OS by 3.1 months": a difference, not a median
            if st.mean:
                return "mean", unit
            if median or not bare_surv:
                # "PFS was 5.4 months": a survival time is reported as its median.
                return "median", unit
        return None

    # A timepoint belongs to Kaplan-Meier rates (survival, local control); a response or AE
    # rate "at 24 weeks" is the rate itself (the gold records no timepoint for it).
    landmark = _time_to_event(name) or name == "local_control"
    vals = it.vals
    if it.count:
        tok = vals[0][0]
        if not _time_to_event(name) and tp is None and len(arm_names) <= 1:
            add(tok, "count", "patients", arm or (arm_names[0] if arm_names else None))
        return
    if it.ratio is not None:
        if len(arm_names) == 1 or not it.ratio.data[2]:
            return
        pair = _pair_arms(len(vals), mapped, arm_names) if len(vals) == 2 else None
        vs = f"{pair[0]} vs {pair[1]}" if pair and None not in pair else (
            f"{arm_names[0]} vs {arm_names[1]}" if len(arm_names) == 2 else None)
        add(it.ratio, "ratio", "ratio", vs, it.ci, it.p)
        if pair:
            for (tok, ci), a in zip(vals, pair):
                mu = value_measure(tok)
                if mu:
                    add(tok, mu[0], mu[1], a, ci, None, tp if mu[0] == "rate" and landmark else None)
        return
    pair = None
    if len(vals) == 1:
        a = arm
        if a is None:
            a = _resolve_label(labels.get(vals[0][0].s), arm_names)
        if a is None:
            a = mapped[0] if len(mapped) == 1 else (arm_names[0] if len(arm_names) == 1 else None)
        if a == _NO_ARM:
            a = None
        mu = value_measure(vals[0][0])
        if mu:
            # A p-value belongs to a comparison; next to one value it compares
            # with something the record has no place for ("vs baseline").
            add(vals[0][0], mu[0], mu[1], a, vals[0][1], None, tp if mu[0] == "rate" and landmark else None)
    elif len(vals) > 1:
        pair = _pair_arms(len(vals), mapped, arm_names, [labels.get(v[0].s) for v in vals])
        for (tok, ci), a in zip(vals, pair):
            mu = value_measure(tok)
            if mu:
                add(tok, mu[0], mu[1], a, ci, it.p if it.hr is None else None,
                    tp if mu[0] == "rate" and landmark else None)
    if it.hr is not None and not ctx.prognostic:
        tok, hrfor, ci, p, measure = it.hr
        if hrfor:
            name = _hr_endpoint(hrfor) or name
        if not tok.data[2] or name is None or measure == "ratio" and name not in _RATIO_ENDPOINTS:
            return  # odds/risk ratios of response; a risk ratio of death is no survival comparison
        # The direction of an HR is the arms' as the study names them; a pair known only from
        # printed labels gives the order of mention, not the direction, so it is left unnamed.
        pair = _pair_arms(2, mapped, arm_names) if len(arm_names) == 2 and arm != _NO_ARM else None
        vs = f"{pair[0]} vs {pair[1]}" if pair and None not in pair else None
        add(tok, measure, "ratio", vs, ci, p or (it.p if len(vals) != 1 else None))


def _hr_endpoint(hrfor: str) -> str | None:
    """The endpoint an HR "for death", "for OS", "for progression-free survival" is about."""
    h = hrfor.lower()
    if h in ("death", "mortality", "os") or h.startswith("overall"):
        return "OS"
    if h in ("pfs",) or h.startswith(("progression", "disease progression", "cancer progression", "tumor progression",
                                      "tumour progression")):
        return "PFS"
    if h in ("dfs",) or h.startswith("disease"):
        return "other:DFS"
    if h in ("rfs", "recurrence") or h.startswith("recurrence") or h.startswith("relapse"):
        return "other:RFS"
    return None


# Words of a document about tumours: only there is a "response rate" an objective (tumour) response.
_ONCO_WORDS = ("cancer", "carcinom", "tumor", "tumour", "neoplas", "oncolog", "malignan", "metasta", "lymphoma", "leukemi",
               "leukaemi", "myeloma", "sarcoma", "melanoma", "gliom", "blastoma", "mesothelioma", "recist", "chemotherap",
               "radiotherap", "hcc", "nsclc")  # substring tests on lower-cased text: cheap on long documents
_TUMOUR_RESPONSE_RE = re.compile(r"ORR|objective|tumou?r|radiolog", re.IGNORECASE)
_NO_PUNCT_RE = re.compile(r"[^,;:()\[\]]{0,40}")
_EP_COLON_RE = re.compile(r"\s*(?:\([^()]{1,12}\)\s*)?:")
_NAME_AND_RE = re.compile(r"\b[A-Za-z][\w-]*\s*(?:\([^()]{1,12}\)\s*)?(?:and|&)\s*(?:the\s+)?$", re.IGNORECASE)
_AND_NAME_RE = re.compile(r"\s*(?:\([^()]{1,12}\)\s*)?(?:and\b|&)\s*(?:the\s+)?[A-Za-z]", re.IGNORECASE)
_POSTFIX_FOR_RE = re.compile(r"(?:%|months?|weeks?)\s+for\s+(?:the\s+)?$", re.IGNORECASE)
_RATES_RE = re.compile(r"\brates?\b", re.IGNORECASE)
_BY_RE = re.compile(r"\bby\s*$", re.IGNORECASE)


def _dedupe(found: list[dict]) -> list[dict]:
    """One endpoint per (endpoint, measure, arm, value, timepoint); the fullest statement wins."""
    best: dict = {}
    order = []
    for e in found:
        key = (e["endpoint"], e["measure"], e["arm"], float(e["value"]), e["timepoint_months"])
        cur = best.get(key)
        if cur is None:
            best[key] = [e]
            order.append(key)
            continue
        if any(c["ci"] == e["ci"] and c["p"] == e["p"] for c in cur):
            continue
        richer = (e["ci"] is not None) + (e["p"] is not None)
        same_ci = [c for c in cur if e["ci"] is None or c["ci"] is None or c["ci"] == e["ci"]]
        if same_ci and all((c["ci"] is not None) + (c["p"] is not None) >= richer for c in same_ci):
            continue
        cur[:] = [c for c in cur if c not in same_ci] + [e]
    out = [e for key in order for e in best[key]]
    # A value printed twice (abstract and key findings, a sentence and a table row) is one
    # endpoint even when the two statements name its group differently; within one statement
    # equal values are different groups' and are all kept.
    kept: dict = {}
    for e in out:
        key = (e["endpoint"], e["measure"], float(e["value"]), e["timepoint_months"], e["unit"])
        other = kept.get(key)
        if other is None or other["span"] == e["span"]:
            kept.setdefault(key, e)
            continue
        if (e["ci"] is not None) + (e["p"] is not None) > (other["ci"] is not None) + (other["p"] is not None):
            e["_drop_other"] = other
            kept[key] = e
        else:
            e["_dropped"] = True
    drop = {id(e["_drop_other"]) for e in out if "_drop_other" in e}
    final = [e for e in out if not e.pop("_dropped", False) and id(e) not in drop]
    for e in final:
        e.pop("_drop_other", None)
    final.sort(key=lambda e: e["span"][0])
    return final


# ------------------------------------------------------------ table rows
# A table flattened to text keeps one row per line, cells split by tabs or " | ":
# "Median OS, months (95% CI) | 14.1 (12.0-16.3) | 10.2 (9.1-11.5) | <.001".
_CELL_SEP_RE = re.compile(r"\t|[ \u00a0]\|[ \u00a0]")
_CELL_SPLIT_RE = re.compile(r"[ \u00a0]*(?:\t+|[ \u00a0]\|[ \u00a0])[ \u00a0]*")
_CELL_VALUE_RE = re.compile(rf"(?P<v>{NUM})[ \u00a0]?(?P<pct>%)?(?:[ \u00a0]*[(\[](?P<lo>{NUM})[ \u00a0]*(?:{_D}|to)[ \u00a0]*"
                            rf"(?P<hi>{NUM})[)\]])?")
_CELL_NR_RE = re.compile(r"NR|NE|not\s+(?:reached|estimable)|[-\u2013\u2014]", re.IGNORECASE)
_HEAD_UNIT_RE = re.compile(r"(?:[,(]|^|\s)\s*(?P<u>%|months?|mo|weeks?|days?|years?)\s*\)?(?:\s|,|$|\()", re.IGNORECASE)
_HEAD_CI_RE = re.compile(r"\bCI\b|confidence", re.IGNORECASE)


def _table_row(ctx: _Ctx, low: str | None) -> bool:
    """Endpoints of a flattened table row: an endpoint and unit in the first cell, one value per
    arm in the next cells (a bracketed range is the CI only when the header says CI). True when
    the row was read as a table row."""
    text = ctx.text
    ss, se = ctx.sent
    cells, pos = [], ss
    for m in _CELL_SPLIT_RE.finditer(text, ss, se):
        cells.append((pos, m.start()))
        pos = m.end()
    cells.append((pos, se))
    if len(cells) < 3:
        return False
    hs, he = cells[0]
    head = [t for t in _tokens(text, hs, he, low) if t.kind in ("ep", "median", "mean", "tpl", "sub", "elsewhere")]
    eps = [t for t in head if t.kind == "ep"]
    if len(eps) != 1 or eps[0].data[0] is None or any(t.kind in ("sub", "elsewhere") for t in head):
        return False
    name = eps[0].data[0]
    tps = [tp for t in head if t.kind == "tpl" for tp in t.data]
    median = any(t.kind == "median" for t in head) or eps[0].data[1] in ("mpfs", "mos")
    hu = _HEAD_UNIT_RE.search(text, eps[0].e, he) or _HEAD_UNIT_RE.search(text, hs, eps[0].s)
    head_unit = _UNITS.get(hu["u"].lower(), None) if hu else None
    with_ci = bool(_HEAD_CI_RE.search(text, hs, he))
    values = []
    for cs, ce in cells[1:]:
        m = _CELL_VALUE_RE.fullmatch(text, cs, ce)
        if m:
            values.append(m)
        elif _CELL_NR_RE.fullmatch(text, cs, ce):
            values.append(None)
        else:
            break
    arm_names = [a["name"] for a in ctx.arms]
    n = len(arm_names) if len(arm_names) >= 2 and len(values) >= len(arm_names) else 2 if len(values) == 2 else 0
    if n < 2:
        return False
    names = arm_names[:n] if len(arm_names) >= 2 else [None] * n
    tp = tps[0] if len(tps) == 1 else None
    for m, arm in zip(values[:n], names):
        if m is None:
            continue
        unit = "%" if m["pct"] else head_unit
        if unit == "%":
            if _time_to_event(name) and tp is None:
                continue
            measure = "rate"
        elif unit in _TIME_UNITS and _time_to_event(name) and tp is None and (median or name in ("OS", "PFS")):
            measure = "median"
        else:
            continue
        ci = [to_number(m["lo"]), to_number(m["hi"])] if with_ci and m["lo"] else None
        landmark = _time_to_event(name) or name == "local_control"
        ctx.out.append({"endpoint": name, "measure": measure, "arm": arm, "value": to_number(m["v"]), "unit": unit,
                        "ci": ci, "timepoint_months": tp if measure == "rate" and landmark else None, "p": None,
                        "quote": text[ss:se], "span": [ss, se]})
    return True


#: Section roles (document.SECTION_ROLES) whose sentences may state this study's results.
_RESULT_ROLES = frozenset(("title", "abstract", "results", "conclusions"))


def _result_ranges(body, sections) -> list[tuple[int, int, bool]]:
    """(start, end, tables_only) stretches to read: result-role sections inside the body, body
    stretches no section covers (unheaded text reads as abstract), and the parts of result
    sections outside the body, where only flattened table rows count (never captions)."""
    spans = sorted((sec.start, sec.end) for sec in sections)
    body = sorted(body)
    out = []
    for sec in sections:
        if sec.role not in _RESULT_ROLES:
            continue
        pos = sec.start
        for bs, be in body:
            if be <= pos or bs >= sec.end:
                continue
            if bs > pos:
                out.append((pos, bs, True))
            out.append((max(pos, bs), min(be, sec.end), False))
            pos = min(be, sec.end)
        if pos < sec.end:
            out.append((pos, sec.end, True))
    for bs, be in body:
        pos = bs
        for s, e in spans:
            if e <= pos or s >= be:
                continue
            if s > pos:
                out.append((pos, s, False))
            pos = max(pos, e)
        if pos < be:
            out.append((pos, be, False))
    return sorted(set(out))


# A caption label glued to its title as flattened full texts print it ("Fig. 2Survival outcomes").
_CAPTION_RE = re.compile(r"\b(?:Fig(?:ure)?s?\.?|Table)[ \u00a0]?\d{1,2}[A-Z][a-z]")


def extract_endpoints(doc: Document, arms: list[dict]) -> list[dict]:
    """Contract endpoint dicts for every clearly stated result in the document's body."""
    text = doc.text
    low = folded(text)
    title = doc.fields.get("title") or (text[slice(*doc.body[0])] if doc.body else "")
    doc_words = _PopulationWords(title, text)
    found: list[dict] = []
    sections = doc.sections or ()
    if sections:
        # The reader's sections say which stretches report this study's results.
        ranges = _result_ranges(doc.body, sections)
    else:
        ranges = [(bs, be, False) for bs, be in doc.body]
    prev_ep, prev_end = None, None  # the endpoint a sentence ended on, and where it ended
    lowered = low if low is not None else text.lower()
    onco = any(w in lowered for w in _ONCO_WORDS) or any(w in title.lower() for w in _ONCO_WORDS)
    skipping = False  # a label's state carries over the ranges that follow it ("ABSTRACT.METHODS:" alone)
    for bs, be, tables_only in ranges:
        for ss, se in split_sentences(text, bs, be):
            cap = _CAPTION_RE.search(text, ss, se)
            if cap is not None:  # a figure or table caption flattened into the text: restated, cut by panel
                if cap.start() - ss < 12:
                    continue
                se = cap.start()
            head = text[ss:min(se, ss + 40)]
            if _LABEL_ANY_RE.match(head):
                skipping = bool(_LABEL_SKIP_RE.match(head))
            if skipping:
                prev_ep = None
            if skipping or not _DIGIT_RE.search(text, ss, se) or not (
                    _PREFILTER_RE.search(text, ss, se) if low is None else _PREFILTER_RE_FOLDED.search(low, ss, se)):
                continue
            ctx = _Ctx(text, arms, (ss, se), found, doc_words, low)
            ctx.onco = onco
            if _CELL_SEP_RE.search(text, ss, se) and _table_row(ctx, low) or tables_only:
                prev_ep = None
                continue
            # a short sentence without numbers between them ("The difference was significant.") keeps the link
            ctx.prev_ep = prev_ep if prev_end is not None and ss - prev_end < 160 \
                and not _DIGIT_RE.search(text, prev_end, ss) else None
            _sentence(ctx, _tokens(text, ss, se, low))
            last = ctx.sent_eps[-1] if ctx.sent_eps else None
            prev_ep = last if last is not None and last.data[0] and _time_to_event(last.data[0]) else None
            prev_end = se
    return _dedupe(found)
