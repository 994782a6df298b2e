"""Structured risk-of-bias judgements, read from a plain dict and checked against each tool's rule.

Three tools, chosen by design:

* **RoB 2** (randomised trials; Sterne et al. 2019), domains D1–D5, judged low / some concerns /
  high. Overall: low only if every domain is low; high if any domain is high; some concerns if
  one or more domains have some concerns and none is high. The tool lets "some concerns in
  multiple domains" lower confidence enough to rate the study high; our rule for that is
  documented and checkable: with three or more domains at some concerns (``MULTIPLE_CONCERNS``)
  the computed overall is high; with two or more a reviewer may state either some concerns or
  high, and both are accepted.
* **ROBINS-I** (non-randomised comparisons; Sterne et al. 2016), domains D1–D7, judged low /
  moderate / serious / critical / no information. Overall is the worst domain: critical if any is
  critical; else serious if any is serious; else no information if any domain lacks it; else
  moderate if any is moderate; else low.
* **Single-arm checklist** (case series, our own short list after Murad et al. 2018 and the JBI
  case-series checklist), items C1–C6 answered yes / no / unclear:
  C1 consecutive or complete inclusion; C2 eligibility criteria stated; C3 the intervention
  described well enough to repeat; C4 outcomes assessed by standard criteria (e.g. RECIST,
  mRECIST) or independently; C5 follow-up long enough for the outcome, with losses reported and
  under 20 %; C6 outcomes pre-specified (registered protocol) and all reported. Overall, on the
  RoB 2 scale so the charts share colours: low if every item is yes; high if C1 or C5 (selection
  and attrition, the ones that move single-arm rates most) is no, or two or more items are no;
  otherwise some concerns. A low rating speaks of the series' own conduct: with no comparator it
  cannot support a comparative effect (GRADE starts such evidence low).

Input per study (what ``data/appraisals/<id>.yaml`` holds under ``risk_of_bias``)::

    tool: RoB 2            # or ROBINS-I, or single-arm checklist
    outcome: OS            # optional: RoB 2 and ROBINS-I judge a result, not a study
    domains:
      D1: {judgement: low, support: "central web randomisation, allocation concealed"}
      ...
    overall: some concerns # optional; computed when absent, refused when it contradicts
    support: "..."         # optional one line on the overall

Pure: the book loads the YAML and passes the dict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

ROB2, ROBINS_I, CHECKLIST = "RoB 2", "ROBINS-I", "single-arm checklist"
MULTIPLE_CONCERNS = 3  # RoB 2: this many "some concerns" domains make the computed overall high

DOMAINS = {
    ROB2: {
        "D1": "Bias arising from the randomisation process",
        "D2": "Bias due to deviations from intended interventions",
        "D3": "Bias due to missing outcome data",
        "D4": "Bias in measurement of the outcome",
        "D5": "Bias in selection of the reported result",
    },
    ROBINS_I: {
        "D1": "Bias due to confounding",
        "D2": "Bias in selection of participants into the study",
        "D3": "Bias in classification of interventions",
        "D4": "Bias due to deviations from intended interventions",
        "D5": "Bias due to missing data",
        "D6": "Bias in measurement of outcomes",
        "D7": "Bias in selection of the reported result",
    },
    CHECKLIST: {
        "C1": "Consecutive or complete inclusion",
        "C2": "Eligibility criteria stated",
        "C3": "Intervention described well enough to repeat",
        "C4": "Outcomes assessed by standard criteria or independently",
        "C5": "Follow-up adequate, losses reported and under 20 %",
        "C6": "Outcomes pre-specified and all reported",
    },
}
SCALES = {
    ROB2: ("low", "some concerns", "high"),
    ROBINS_I: ("low", "moderate", "serious", "critical", "no information"),
    CHECKLIST: ("yes", "unclear", "no"),
}
OVERALL_SCALES = {ROB2: SCALES[ROB2], ROBINS_I: SCALES[ROBINS_I], CHECKLIST: SCALES[ROB2]}
CHECKLIST_CRITICAL = ("C1", "C5")

TOOL_NAMES = {
    "rob 2": ROB2, "rob2": ROB2, "rob-2": ROB2,
    "robins-i": ROBINS_I, "robins i": ROBINS_I, "robinsi": ROBINS_I,
    "single-arm checklist": CHECKLIST, "checklist": CHECKLIST, "single-arm": CHECKLIST,
    "case series": CHECKLIST,
}
JUDGEMENT_ALIASES = {
    "some_concerns": "some concerns", "some concern": "some concerns",
    "ni": "no information", "no_information": "no information", "no info": "no information",
}
# A common severity for charts and GRADE: 0 low, 1 concerns/moderate, 2 high/serious, 3 critical,
# None for no information (shown grey).
SEVERITY = {
    "low": 0, "some concerns": 1, "moderate": 1, "high": 2, "serious": 2, "critical": 3,
    "no information": None, "yes": 0, "unclear": 1, "no": 2,
}


class AppraisalError(ValueError):
    """A risk-of-bias entry that is incomplete or contradicts its tool's rule."""


@dataclass(frozen=True)
class Domain:
    key: str
    name: str
    judgement: str
    support: str


@dataclass(frozen=True)
class Assessment:
    """One study's (or one result's) risk of bias by one tool."""

    study: str
    tool: str
    domains: tuple[Domain, ...]
    overall: str
    computed_overall: str
    overall_stated: bool
    outcome: str | None = None
    support: str = ""

    @property
    def severity(self) -> int | None:
        return SEVERITY[self.overall]

    def judgement(self, key: str) -> str:
        return next(d.judgement for d in self.domains if d.key == key)


def tool_name(value: str, study: str = "") -> str:
    """The canonical tool name for a spelling of it."""
    name = TOOL_NAMES.get(str(value).strip().lower())
    if name is None:
        raise AppraisalError(f"{study}: unknown risk-of-bias tool {value!r} "
                             f"(use {ROB2}, {ROBINS_I} or {CHECKLIST})")
    return name


def _judgement(value, tool: str, scale: Sequence[str], where: str) -> str:
    text = " ".join(str(value).strip().lower().split())
    text = JUDGEMENT_ALIASES.get(text, text)
    if text not in scale:
        raise AppraisalError(f"{where}: judgement {value!r} is not on the {tool} scale "
                             f"({' / '.join(scale)})")
    return text


def rob2_overall(judgements: Mapping[str, str]) -> str:
    """RoB 2's rule: high if any high or >= MULTIPLE_CONCERNS some concerns, low if all low."""
    values = list(judgements.values())
    if "high" in values or values.count("some concerns") >= MULTIPLE_CONCERNS:
        return "high"
    if all(v == "low" for v in values):
        return "low"
    return "some concerns"


def robins_i_overall(judgements: Mapping[str, str]) -> str:
    """ROBINS-I's rule: the worst domain, no information ranking below serious but above moderate."""
    values = set(judgements.values())
    for level in ("critical", "serious", "no information", "moderate"):
        if level in values:
            return level
    return "low"


def checklist_overall(judgements: Mapping[str, str]) -> str:
    """Our single-arm rule: high if a critical item (C1, C5) or two items are no; low if all yes."""
    noes = [k for k, v in judgements.items() if v == "no"]
    if len(noes) >= 2 or any(k in CHECKLIST_CRITICAL for k in noes):
        return "high"
    if all(v == "yes" for v in judgements.values()):
        return "low"
    return "some concerns"


RULES = {ROB2: rob2_overall, ROBINS_I: robins_i_overall, CHECKLIST: checklist_overall}


def _allowed_overall(tool: str, judgements: Mapping[str, str]) -> set[str]:
    """The overall judgements a reviewer may state for these domains."""
    computed = RULES[tool](judgements)
    if tool == ROB2 and computed != "low" and "high" not in judgements.values() \
            and list(judgements.values()).count("some concerns") >= 2:
        return {"some concerns", "high"}  # the tool leaves "multiple concerns" to judgement
    return {computed}


ORDER = {  # overall judgements from least to most severe, per tool
    ROB2: ("low", "some concerns", "high"),
    ROBINS_I: ("low", "moderate", "no information", "serious", "critical"),
    CHECKLIST: ("low", "some concerns", "high"),
}
CHECKLIST_AS_OVERALL = {"yes": "low", "unclear": "some concerns", "no": "high"}


def _offending(tool: str, judgements: Mapping[str, str], stated: str, computed: str) -> str:
    """Name the domain(s) that make a stated overall wrong."""
    rank = {v: i for i, v in enumerate(ORDER[tool])}
    levels = {k: CHECKLIST_AS_OVERALL[v] if tool == CHECKLIST else v for k, v in judgements.items()}
    if rank[stated] < rank[computed]:
        worst = max(levels, key=lambda k: rank[levels[k]])
        if tool == ROB2 and levels[worst] != "high" and computed == "high":
            concerns = [k for k, v in levels.items() if v == "some concerns"]
            return f"{', '.join(concerns)} have some concerns ({len(concerns)} domains)"
        return f"{worst} is {judgements[worst]}"
    if tool == CHECKLIST and stated == "high":
        return f"no critical item ({', '.join(CHECKLIST_CRITICAL)}) and fewer than two items are no"
    above = [f"{k} {judgements[k]}" for k, v in levels.items() if v != "low"]
    return f"no domain is {stated}" + (f" ({', '.join(above)})" if above else
                                      f" (every domain is {next(iter(judgements.values()))})")


def read_assessment(study: str, data: Mapping) -> Assessment:
    """Check one study's risk-of-bias entry and return it with its overall judgement.

    Every domain of the tool must be judged on its scale with a one-line support; an overall
    judgement, when stated, must follow the tool's rule (AppraisalError names study and domain).
    """
    if not isinstance(data, Mapping):
        raise AppraisalError(f"{study}: risk_of_bias must be a mapping")
    if "tool" not in data:
        raise AppraisalError(f"{study}: risk_of_bias has no tool")
    tool = tool_name(data["tool"], study)
    outcome = data.get("outcome")
    label = f"{study}" + (f" ({outcome})" if outcome else "")
    given = data.get("domains")
    if not isinstance(given, Mapping):
        raise AppraisalError(f"{label}: {tool} needs domains "
                             f"{', '.join(DOMAINS[tool])} as a mapping")
    unknown = [str(k) for k in given if str(k).upper() not in DOMAINS[tool]]
    if unknown:
        raise AppraisalError(f"{label}: {', '.join(unknown)} not a {tool} domain "
                             f"(expected {', '.join(DOMAINS[tool])})")
    by_key = {str(k).upper(): v for k, v in given.items()}
    missing = [k for k in DOMAINS[tool] if k not in by_key]
    if missing:
        raise AppraisalError(f"{label}: {tool} domain {', '.join(missing)} not judged")

    domains, judgements = [], {}
    for key, name in DOMAINS[tool].items():
        entry = by_key[key]
        where = f"{label}, {tool} {key}"
        if isinstance(entry, Mapping):
            value, support = entry.get("judgement"), str(entry.get("support") or "").strip()
        else:
            value, support = entry, ""
        if value is None:
            raise AppraisalError(f"{where}: no judgement")
        judgement = _judgement(value, tool, SCALES[tool], where)
        if not support:
            raise AppraisalError(f"{where}: judgement {judgement!r} has no support "
                                 "(one line saying why)")
        if "\n" in support:
            raise AppraisalError(f"{where}: support should be one line")
        judgements[key] = judgement
        domains.append(Domain(key, name, judgement, support))

    computed = RULES[tool](judgements)
    stated = data.get("overall")
    overall = computed
    if stated is not None:
        overall = _judgement(stated, tool, OVERALL_SCALES[tool], f"{label}, {tool} overall")
        if overall not in _allowed_overall(tool, judgements):
            raise AppraisalError(
                f"{label}: overall {overall!r} contradicts the {tool} domains: "
                f"{_offending(tool, judgements, overall, computed)}, so the tool's rule gives "
                f"{computed!r}")
    return Assessment(study, tool, tuple(domains), overall, computed, stated is not None,
                      str(outcome) if outcome else None, str(data.get("support") or "").strip())


def read_assessments(study: str, value) -> list[Assessment]:
    """One entry or a list of them (one per outcome) from an appraisal file's ``risk_of_bias``."""
    if value is None:
        return []
    entries = value if isinstance(value, list) else [value]
    out = [read_assessment(study, e) for e in entries]
    outcomes = [a.outcome for a in out]
    if len(set(outcomes)) < len(outcomes):
        raise AppraisalError(f"{study}: two risk-of-bias entries for the same outcome "
                             f"({', '.join(sorted({str(o) for o in outcomes if outcomes.count(o) > 1}))})")
    return out


def for_outcome(assessments: Iterable[Assessment], outcome: str | None) -> Assessment | None:
    """The assessment of a study's result for an outcome, else its outcome-free one."""
    items = list(assessments)
    return next((a for a in items if a.outcome == outcome), None) or \
        next((a for a in items if a.outcome is None), None)


def traffic_light_rows(assessments: Iterable[Assessment]) -> list[dict]:
    """Long rows (study, tool, domain, judgement, severity, support) for a robvis traffic-light plot,
    the overall as domain "Overall"."""
    rows = []
    for a in assessments:
        for d in a.domains:
            rows.append({"study": a.study, "tool": a.tool, "outcome": a.outcome, "domain": d.key,
                         "domain_name": d.name, "judgement": d.judgement,
                         "severity": SEVERITY[d.judgement], "support": d.support})
        rows.append({"study": a.study, "tool": a.tool, "outcome": a.outcome, "domain": "Overall",
                     "domain_name": "Overall risk of bias", "judgement": a.overall,
                     "severity": SEVERITY[a.overall],
                     "support": a.support or ("stated by the reviewer" if a.overall_stated
                                              else "by the tool's rule")})
    return rows


def summary_rows(assessments: Sequence[Assessment], weights: Mapping[str, float] | None = None) -> list[dict]:
    """Weighted share of each judgement per tool and domain (robvis's summary bar chart).

    ``weights`` maps study to weight (e.g. participants, or meta-analysis weight); equal otherwise.
    """
    rows = []
    for tool in (ROB2, ROBINS_I, CHECKLIST):
        items = [a for a in assessments if a.tool == tool]
        if not items:
            continue
        w = {a.study: float((weights or {}).get(a.study, 1.0)) for a in items}
        total = sum(w[a.study] for a in items)
        for key in (*DOMAINS[tool], "Overall"):
            shares: dict[str, float] = {}
            for a in items:
                j = a.overall if key == "Overall" else a.judgement(key)
                shares[j] = shares.get(j, 0.0) + w[a.study]
            for j in (SCALES[tool] if key != "Overall" else OVERALL_SCALES[tool]):
                if j in shares:
                    rows.append({"tool": tool, "domain": key, "judgement": j,
                                 "share": shares[j] / total if total else 0.0,
                                 "severity": SEVERITY[j]})
    return rows
