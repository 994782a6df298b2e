"""GRADE certainty of the evidence per modality and outcome, one rule per function.

Start high when every study is randomised, low otherwise (observational; a mix is rated as
observational and says so: rate the randomised studies as their own row when they can be). Then:

* **Risk of bias** (from ``risk_of_bias`` assessments): each study's overall judgement gives a
  penalty (RoB 2: low 0, some concerns 1, high 2; ROBINS-I: low / moderate 0, serious / no
  information 1, critical 2, because starting low already counts the confounding a moderate
  ROBINS-I rating describes; single-arm checklist: low / some concerns 0, high 1, for the same
  reason). Rate down by the largest penalty that studies carrying half or more of the weight
  (participants when every study gives them, else one vote each) reach.
* **Inconsistency**, when pooled: down one when I² > 50 %, or when the prediction interval
  includes the null while the CI does not and tau² > 0 (heterogeneity, not imprecision, then
  makes the direction uncertain; with k = 3 the t(1) quantile makes every interval cross, so the
  bare "PI crosses the null" would rate down homogeneous evidence); down two when I² > 75 % and
  the prediction interval includes the null. Not pooled: down one when study estimates lie on
  both sides of the null with at least one CI excluding it, or when the CIs do not overlap
  (proportions: or the largest estimate is more than twice the smallest). One study: not
  assessable.
* **Indirectness**: each study may carry flags (population, intervention, comparator, outcome),
  each with its reason, given as input. Down one when flagged studies carry half or more of the
  weight; down two when two or more kinds of flag do.
* **Imprecision**: ratios: down two when the CI includes both appreciable benefit and
  appreciable harm (0.75 and 1.25, GRADE's default 25 % relative change), down one when it
  includes the null (1) or when the evidence is below the optimal-information rule of thumb
  (fewer than ``MIN_EVENTS`` = 300 events when every study gives events, else fewer than
  ``MIN_PATIENTS`` = 400 participants). Proportions: down one when the CI is wider than
  ``PROPORTION_CI_WIDTH`` (20 percentage points) or fewer than 400 participants. Not pooled and
  several studies: participants only, said so.
* **Publication bias**: fewer than ``MIN_STUDIES_FUNNEL`` = 10 studies: not assessable (funnel
  tests have too little power), no change, said so. Ten or more: down one when Egger's
  regression test gives p < 0.10, or when the reviewer suspects it (with a reason).
* **Upgrades** only for evidence that started low and was not rated down: large effect (ratio
  whose CI excludes 1 with estimate < 0.5 or > 2: up one; < 0.2 or > 5: up two), and the
  reviewer's dose–response or opposing-confounding reasons (up one each).

The level never goes below very low or above high. A reviewer override (level and reason) replaces
the computed level and is shown as such, with the computed one beside it. Pure: no file I/O.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from livingreview.analysis import distributions
from livingreview.analysis import risk_of_bias as rob
from livingreview.analysis.meta import Effect, MetaResult

LEVELS = {4: "high", 3: "moderate", 2: "low", 1: "very low"}
WORD_TO_LEVEL = {v: k for k, v in LEVELS.items()}
SYMBOLS = {4: "⊕⊕⊕⊕", 3: "⊕⊕⊕◯", 2: "⊕⊕◯◯", 1: "⊕◯◯◯"}
I2_SERIOUS, I2_VERY_SERIOUS = 50.0, 75.0
APPRECIABLE_BENEFIT, APPRECIABLE_HARM = 0.75, 1.25
MIN_EVENTS, MIN_PATIENTS = 300, 400
PROPORTION_CI_WIDTH = 0.20
SPREAD_RATIO = 2.0
MIN_STUDIES_FUNNEL = 10
EGGER_ALPHA = 0.10
LARGE, VERY_LARGE = 2.0, 5.0
HALF = 0.5
INDIRECTNESS_KINDS = ("population", "intervention", "comparator", "outcome")
DOMAINS = ("risk of bias", "inconsistency", "indirectness", "imprecision", "publication bias",
           "large effect", "dose-response", "plausible confounding")

PENALTY = {
    rob.ROB2: {"low": 0, "some concerns": 1, "high": 2},
    rob.ROBINS_I: {"low": 0, "moderate": 0, "no information": 1, "serious": 1, "critical": 2},
    rob.CHECKLIST: {"low": 0, "some concerns": 0, "high": 1},
}


class GradeError(ValueError):
    """Evidence or an override that cannot be rated as given."""


@dataclass(frozen=True)
class StudyEvidence:
    """One study's contribution to an outcome: design, size, RoB and the reader-scale effect."""

    study: str
    randomised: bool
    participants: int | None = None
    events: int | None = None
    risk_of_bias: rob.Assessment | None = None
    estimate: float | None = None
    ci: tuple[float, float] | None = None
    indirectness: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class OutcomeEvidence:
    """The body of evidence for one modality and outcome; ``pooled`` when a meta-analysis exists."""

    modality: str
    outcome: str
    studies: tuple[StudyEvidence, ...]
    measure: str = "ratio"  # ratio | proportion | generic
    effect_label: str = "HR"
    pooled: MetaResult | None = None
    effects: tuple[Effect, ...] = ()  # analysis-scale effects, for Egger's test
    not_pooled_reason: str = ""
    null: float | None = None  # generic measures: the no-effect value (default 0)
    publication_bias_suspected: str = ""
    dose_response: str = ""
    plausible_confounding: str = ""
    effect_summary: str = ""  # the effect cell when no estimate fits (e.g. medians as printed)


@dataclass(frozen=True)
class Rating:
    """One GRADE domain: the change in levels (negative down, positive up) and its footnote."""

    domain: str
    change: int
    footnote: str
    assessable: bool = True


@dataclass(frozen=True)
class Override:
    level: int
    reason: str


@dataclass(frozen=True)
class Certainty:
    """The rated body of evidence: start, each domain's rating, computed and final level."""

    modality: str
    outcome: str
    n_studies: int
    participants: int | None
    effect: str
    start: int
    start_footnote: str
    ratings: tuple[Rating, ...]
    computed_level: int
    level: int
    override: Override | None = None

    @property
    def word(self) -> str:
        return LEVELS[self.level]

    @property
    def symbols(self) -> str:
        return SYMBOLS[self.level]

    @property
    def overridden(self) -> bool:
        return self.override is not None

    def footnotes(self) -> list[str]:
        """The start, every rating that changed the level or was not assessable, and any override."""
        notes = [self.start_footnote]
        notes += [f"{r.domain}: {r.footnote}" for r in self.ratings if r.change or not r.assessable]
        if self.override:
            notes.append(f"reviewer's rating {LEVELS[self.level]} (computed: "
                         f"{LEVELS[self.computed_level]}): {self.override.reason}")
        return notes

    def row(self) -> dict:
        """A summary-of-findings row."""
        changes = {r.domain: r.change for r in self.ratings}
        return {
            "modality": self.modality, "outcome": self.outcome, "studies": self.n_studies,
            "participants": self.participants, "effect": self.effect,
            "start": LEVELS[self.start], **{d: changes.get(d, 0) for d in DOMAINS},
            "certainty": f"{self.symbols} {self.word}", "level": self.word,
            "computed": LEVELS[self.computed_level], "overridden": self.overridden,
            "footnotes": self.footnotes(),
        }


# --- helpers --------------------------------------------------------------------------------

def _weights(studies: Sequence[StudyEvidence]) -> dict[str, float]:
    """Participants when every study gives them, else one vote each."""
    if studies and all(s.participants for s in studies):
        return {s.study: float(s.participants) for s in studies}
    return {s.study: 1.0 for s in studies}


def _share(studies: Sequence[StudyEvidence], chosen: Sequence[StudyEvidence]) -> float:
    w = _weights(studies)
    total = sum(w.values())
    return sum(w[s.study] for s in chosen) / total if total else 0.0


def _null(evidence: OutcomeEvidence) -> float | None:
    if evidence.measure == "ratio":
        return 1.0
    if evidence.measure == "generic":
        return 0.0 if evidence.null is None else evidence.null
    return None


def _pooled_reader(evidence: OutcomeEvidence) -> tuple[float, tuple[float, float],
                                                       tuple[float, float] | None] | None:
    """Pooled estimate, CI and PI on the reader's scale."""
    p = evidence.pooled
    if p is None:
        return None
    pi = p.prediction_interval
    return (p.back(p.estimate), (p.back(p.ci[0]), p.back(p.ci[1])),
            None if pi is None else (p.back(pi[0]), p.back(pi[1])))


def _fmt(x: float) -> str:
    return f"{x:.2f}"


def _includes(interval: tuple[float, float], value: float) -> bool:
    return interval[0] <= value <= interval[1]


def _main_effect(evidence: OutcomeEvidence):
    """(estimate, CI, what) for the body: the pooled one, else a single study's; None otherwise."""
    pooled = _pooled_reader(evidence)
    if pooled:
        return pooled[0], pooled[1], "pooled"
    with_ci = [s for s in evidence.studies if s.estimate is not None and s.ci]
    if len(evidence.studies) == 1 and with_ci:
        return with_ci[0].estimate, tuple(with_ci[0].ci), "single study"
    return None


# --- the rules ----------------------------------------------------------------------------

def start_level(studies: Sequence[StudyEvidence]) -> tuple[int, str]:
    """High when every study is randomised, else low (observational or mixed evidence)."""
    if not studies:
        raise GradeError("no studies to rate")
    randomised = sum(1 for s in studies if s.randomised)
    if randomised == len(studies):
        return 4, "starts high: randomised trials"
    if randomised:
        return 2, (f"starts low: {randomised} of {len(studies)} studies randomised, rated as "
                   "observational (rate the randomised trials in their own row)")
    return 2, "starts low: observational studies"


def rate_risk_of_bias(studies: Sequence[StudyEvidence]) -> Rating:
    """Down by the penalty that studies with half or more of the weight reach (see module doc)."""
    assessed = [s for s in studies if s.risk_of_bias is not None]
    missing = [s.study for s in studies if s.risk_of_bias is None]
    gap = f"; not assessed: {', '.join(missing)}" if missing else ""
    if not assessed:
        return Rating("risk of bias", 0, "not assessed (no structured risk-of-bias entry)", False)
    penalty = {s.study: PENALTY[s.risk_of_bias.tool][s.risk_of_bias.overall] for s in assessed}
    change = 0
    for level in (2, 1):
        chosen = [s for s in assessed if penalty[s.study] >= level]
        if chosen and _share(studies, chosen) >= HALF:
            change = -level
            break
    if change == 0:
        return Rating("risk of bias", 0, "not serious: most weight from studies at low risk "
                      "for their design" + gap)
    worst = [s for s in assessed if penalty[s.study] >= -change]
    share = _share(studies, worst)
    named = ", ".join(f"{s.study} ({s.risk_of_bias.tool} {s.risk_of_bias.overall})" for s in worst)
    word = "very serious" if change == -2 else "serious"
    return Rating("risk of bias", change,
                  f"{word}: {share:.0%} of the weight from studies at "
                  f"{'high' if change == -2 else 'raised'} risk of bias: {named}{gap}")


def rate_inconsistency(evidence: OutcomeEvidence) -> Rating:
    """I² and the prediction interval when pooled; the spread of study estimates otherwise."""
    name = "inconsistency"
    null = _null(evidence)
    pooled = _pooled_reader(evidence)
    if pooled:
        p = evidence.pooled
        _, ci, pi = pooled
        pi_crosses = pi is not None and null is not None and _includes(pi, null)
        text = f"I² = {p.I2:.0f} %"
        if pi is not None:
            text += f", prediction interval {_fmt(pi[0])} to {_fmt(pi[1])}"
        if p.I2 > I2_VERY_SERIOUS and pi_crosses:
            return Rating(name, -2, f"very serious: {text} includes {null:g}")
        heterogeneous_direction = pi_crosses and p.tau2 > 0 and not _includes(ci, null)
        if p.I2 > I2_SERIOUS or heterogeneous_direction:
            why = f"I² > {I2_SERIOUS:.0f} %" if p.I2 > I2_SERIOUS else \
                f"the prediction interval includes {null:g} though the CI does not"
            return Rating(name, -1, f"serious: {text} ({why})")
        return Rating(name, 0, f"not serious: {text}")
    studies = [s for s in evidence.studies if s.estimate is not None]
    if len(evidence.studies) < 2:
        return Rating(name, 0, "not assessable (one study)", False)
    if len(studies) < 2:
        return Rating(name, 0, "not assessable (fewer than two studies report an estimate)", False)
    values = [s.estimate for s in studies]
    cis = [tuple(s.ci) for s in studies if s.ci]
    reasons = []
    if null is not None and min(values) < null < max(values) and any(not _includes(c, null) for c in cis):
        reasons.append(f"estimates on both sides of {null:g} ({_fmt(min(values))} to {_fmt(max(values))})")
    if len(cis) >= 2 and max(c[0] for c in cis) > min(c[1] for c in cis):
        reasons.append("confidence intervals do not overlap")
    if evidence.measure == "proportion" and min(values) > 0 and max(values) / min(values) > SPREAD_RATIO:
        reasons.append(f"largest estimate more than {SPREAD_RATIO:g} times the smallest "
                       f"({_fmt(min(values))} to {_fmt(max(values))})")
    if reasons:
        return Rating(name, -1, "serious (not pooled): " + "; ".join(reasons))
    return Rating(name, 0, f"not serious (not pooled): estimates {_fmt(min(values))} to "
                  f"{_fmt(max(values))} agree")


def rate_indirectness(studies: Sequence[StudyEvidence]) -> Rating:
    """Down when studies flagged for population, intervention, comparator or outcome carry half the weight."""
    for s in studies:
        unknown = set(s.indirectness) - set(INDIRECTNESS_KINDS)
        if unknown:
            raise GradeError(f"{s.study}: unknown indirectness flag {', '.join(sorted(unknown))} "
                             f"(use {', '.join(INDIRECTNESS_KINDS)})")
    flagged = [s for s in studies if s.indirectness]
    if not flagged or _share(studies, flagged) < HALF:
        extra = f" ({', '.join(s.study for s in flagged)} flagged, minority of weight)" if flagged else ""
        return Rating("indirectness", 0, "not serious" + extra)
    kinds = [k for k in INDIRECTNESS_KINDS
             if _share(studies, [s for s in flagged if k in s.indirectness]) >= HALF]
    details = "; ".join(f"{s.study}: " + ", ".join(f"{k} ({r})" for k, r in s.indirectness.items())
                        for s in flagged)
    change = -2 if len(kinds) >= 2 else -1
    word = "very serious" if change == -2 else "serious"
    return Rating("indirectness", change, f"{word}: {details}")


def rate_imprecision(evidence: OutcomeEvidence) -> Rating:
    """CI against the null and appreciable effects, and the optimal-information rule of thumb."""
    name = "imprecision"
    studies = evidence.studies
    patients = sum(s.participants or 0 for s in studies)
    events_known = studies and all(s.events is not None for s in studies)
    events = sum(s.events for s in studies) if events_known else None
    reasons, change = [], 0
    if events is not None and evidence.measure != "proportion":
        if events < MIN_EVENTS:
            reasons.append(f"{events} events (< {MIN_EVENTS})")
            change = -1
    elif patients < MIN_PATIENTS:
        known = "" if all(s.participants for s in studies) else " reported"
        reasons.append(f"{patients}{known} participants (< {MIN_PATIENTS})")
        change = -1
    main = _main_effect(evidence)
    if main is None:
        lead = "not pooled, judged on the number of participants"
        if change:
            return Rating(name, change, f"serious ({lead}): " + "; ".join(reasons))
        return Rating(name, 0, f"not serious ({lead}: {patients})")
    estimate, ci, what = main
    null = _null(evidence)
    span = f"{what} {evidence.effect_label} {_fmt(estimate)}, 95 % CI {_fmt(ci[0])} to {_fmt(ci[1])}"
    if evidence.measure == "ratio" and ci[0] < APPRECIABLE_BENEFIT and ci[1] > APPRECIABLE_HARM:
        reasons.insert(0, f"CI includes appreciable benefit (< {APPRECIABLE_BENEFIT:g}) and harm "
                          f"(> {APPRECIABLE_HARM:g})")
        change = -2
    elif null is not None and _includes(ci, null):
        reasons.insert(0, f"CI includes {null:g}")
        change = min(change, -1)
    elif evidence.measure == "proportion" and ci[1] - ci[0] > PROPORTION_CI_WIDTH:
        reasons.insert(0, f"CI {100 * (ci[1] - ci[0]):.0f} percentage points wide "
                          f"(> {100 * PROPORTION_CI_WIDTH:.0f})")
        change = min(change, -1)
    if change:
        word = "very serious" if change == -2 else "serious"
        return Rating(name, change, f"{word}: {span}; " + "; ".join(reasons))
    return Rating(name, 0, f"not serious: {span}")


def egger_test(effects: Sequence[Effect]) -> tuple[float, float]:
    """Egger's regression test: intercept of yi/se on 1/se, and its two-sided p (t, k−2 df)."""

    y = np.array([e.yi for e in effects])
    se = np.sqrt([e.vi for e in effects])
    k = len(y)
    if k < 3:
        raise GradeError("Egger's test needs three or more studies")
    X = np.column_stack([np.ones(k), 1 / se])
    z = y / se
    beta, *_ = np.linalg.lstsq(X, z, rcond=None)
    resid = z - X @ beta
    s2 = float(resid @ resid) / (k - 2)
    cov = s2 * np.linalg.inv(X.T @ X)
    if cov[0, 0] <= 0:  # a perfect line: the intercept is exact
        return float(beta[0]), 1.0 if abs(beta[0]) < 1e-12 else 0.0
    t = beta[0] / math.sqrt(cov[0, 0])
    return float(beta[0]), 2 * distributions.t_sf(abs(t), k - 2)


def rate_publication_bias(evidence: OutcomeEvidence) -> Rating:
    """Not assessable under ten studies; Egger's test or the reviewer's suspicion from ten on."""
    name = "publication bias"
    k = len(evidence.studies)
    if evidence.publication_bias_suspected:
        return Rating(name, -1, f"suspected by the reviewer: {evidence.publication_bias_suspected}")
    if k < MIN_STUDIES_FUNNEL:
        return Rating(name, 0, f"not assessable: {k} stud{'y' if k == 1 else 'ies'} "
                      f"(funnel-plot tests need {MIN_STUDIES_FUNNEL} or more); not rated down", False)
    if len(evidence.effects) < MIN_STUDIES_FUNNEL:
        return Rating(name, 0, "not assessable: study effects not available for a funnel test", False)
    intercept, p = egger_test(evidence.effects)
    if p < EGGER_ALPHA:
        return Rating(name, -1, f"suspected: Egger's test intercept {intercept:.2f}, p = {p:.3f}")
    return Rating(name, 0, f"undetected: Egger's test p = {p:.2f}")


def rate_upgrades(evidence: OutcomeEvidence, start: int, downgraded: bool) -> list[Rating]:
    """Large effect, dose–response and opposing confounding; only for evidence that started low
    and was not rated down."""
    if start != 2 or downgraded:
        why = "randomised evidence is not rated up" if start == 4 else \
            "not considered: the evidence was rated down"
        return [Rating("large effect", 0, why)]
    out = []
    main = _main_effect(evidence)
    if evidence.measure == "ratio" and main is not None:
        est, ci, what = main
        text = f"{what} {evidence.effect_label} {_fmt(est)} (95 % CI {_fmt(ci[0])} to {_fmt(ci[1])})"
        if not _includes(ci, 1.0) and (est < 1 / VERY_LARGE or est > VERY_LARGE):
            out.append(Rating("large effect", 2, f"very large effect: {text}"))
        elif not _includes(ci, 1.0) and (est < 1 / LARGE or est > LARGE):
            out.append(Rating("large effect", 1, f"large effect: {text}"))
        else:
            out.append(Rating("large effect", 0, f"no large effect: {text}"))
    else:
        out.append(Rating("large effect", 0, "not assessable without a ratio estimate", False))
    if evidence.dose_response:
        out.append(Rating("dose-response", 1, evidence.dose_response))
    if evidence.plausible_confounding:
        out.append(Rating("plausible confounding", 1,
                          f"would reduce the effect seen: {evidence.plausible_confounding}"))
    return out


def effect_text(evidence: OutcomeEvidence) -> str:
    """The effect as a summary-of-findings cell: pooled with CI, else the range, else one study."""
    if evidence.effect_summary:
        return evidence.effect_summary
    label = evidence.effect_label
    pooled = _pooled_reader(evidence)
    pct = evidence.measure == "proportion"

    def f(x: float) -> str:
        return f"{100 * x:.0f} %" if pct else _fmt(x)
    if pooled:
        est, ci, _ = pooled
        return (f"{label} {f(est)} (95 % CI {f(ci[0])} to {f(ci[1])}; random effects, "
                f"{evidence.pooled.k} studies)")
    values = [s for s in evidence.studies if s.estimate is not None]
    if len(values) == 1:
        s = values[0]
        ci = f" (95 % CI {f(s.ci[0])} to {f(s.ci[1])})" if s.ci else ""
        return f"{label} {f(s.estimate)}{ci}; one study"
    if values:
        lo, hi = min(s.estimate for s in values), max(s.estimate for s in values)
        why = f"; not pooled: {evidence.not_pooled_reason}" if evidence.not_pooled_reason else "; not pooled"
        return f"{label} {f(lo)} to {f(hi)} across {len(values)} studies{why}"
    return "no estimate reported"


def read_override(data: Mapping | None, where: str = "") -> Override | None:
    """A reviewer's ``{level: moderate, reason: ...}``; a level without a reason is refused."""
    if not data:
        return None
    level = str(data.get("level", "")).strip().lower()
    if level not in WORD_TO_LEVEL:
        raise GradeError(f"{where}: override level {data.get('level')!r} is not one of "
                         f"{', '.join(WORD_TO_LEVEL)}")
    reason = str(data.get("reason") or "").strip()
    if not reason:
        raise GradeError(f"{where}: an override needs a reason")
    return Override(WORD_TO_LEVEL[level], reason)


def rate(evidence: OutcomeEvidence, override: Override | Mapping | None = None) -> Certainty:
    """Rate one body of evidence: start level, the five downgrades, the upgrades, any override."""
    if isinstance(override, Mapping):
        override = read_override(override, f"{evidence.modality}, {evidence.outcome}")
    start, start_note = start_level(evidence.studies)
    downs = [rate_risk_of_bias(evidence.studies), rate_inconsistency(evidence),
             rate_indirectness(evidence.studies), rate_imprecision(evidence),
             rate_publication_bias(evidence)]
    downgraded = any(r.change < 0 for r in downs)
    ups = rate_upgrades(evidence, start, downgraded)
    ratings = tuple(downs + ups)
    computed = max(1, min(4, start + sum(r.change for r in ratings)))
    participants = sum(s.participants for s in evidence.studies if s.participants) or None
    return Certainty(
        modality=evidence.modality, outcome=evidence.outcome, n_studies=len(evidence.studies),
        participants=participants, effect=effect_text(evidence), start=start,
        start_footnote=start_note, ratings=ratings, computed_level=computed,
        level=override.level if override else computed, override=override,
    )
