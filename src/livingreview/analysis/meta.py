"""Random-effects meta-analysis of study effects (yi, vi), as metafor's ``rma`` computes it.

One model: ``y_i ~ N(mu, v_i + tau²)``. ``tau²`` by REML (Fisher scoring, metafor's default) or
DerSimonian–Laird; the mean's CI by Wald (normal) or Hartung–Knapp–Sidik–Jonkman (t with k−1 df).
Our HKSJ applies the usual guard ``q* = max(1, q)`` (Röver, Knapp & Friede 2015; the variant
RevMan 2025 uses), so its interval is never narrower than Wald's; ``hksj_guard=False`` gives
metafor's ``test="knha"``, which has no guard. Heterogeneity follows metafor: ``I² = tau² /
(tau² + s²)`` and ``H² = (tau² + s²) / s²`` with ``s²`` the typical within-study variance, so
for DL they equal the Q-based ``(Q − df) / Q`` and ``Q / df``. The prediction interval is
``mu ± t(k−2) · sqrt(tau² + SE²)`` with the Wald SE (Higgins, Thompson & Spiegelhalter 2009),
given only when k ≥ 3.

Measures turn reported figures into (yi, vi): ``generic`` takes them as given; ``ratio`` takes an
estimate with its 95 % CI on the log scale, ``se = (log hi − log lo) / (2 · 1.959964)``;
``proportion`` takes events / total on the logit scale, adding 0.5 to events and non-events only
when a study has 0 or n events (otherwise the logit is undefined). Pure: no file I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from livingreview.analysis import distributions

METHODS = ("reml", "dl")
CI_METHODS = ("hksj", "wald")
MEASURES = ("generic", "ratio", "proportion")
Z975 = 1.959964  # the normal quantile reports use to print a 95 % CI
LEVEL = 0.95
REML_TOL = 1e-10  # metafor stops at |step| < 1e-5; a tighter stop costs nothing here
REML_MAXITER = 100  # metafor's default
CONTINUITY = 0.5


class MetaError(ValueError):
    """Data that cannot be pooled: the message says why."""


@dataclass(frozen=True)
class Effect:
    """One study's effect on the analysis scale (log or logit for ratio and proportion)."""

    study: str
    yi: float
    vi: float
    note: str = ""


@dataclass(frozen=True)
class MetaResult:
    """A fitted random-effects model; figures on the analysis scale, ``back`` for the reader's."""

    k: int
    estimate: float
    se: float
    ci: tuple[float, float]
    tau2: float
    I2: float
    H2: float
    Q: float
    Q_df: int
    Q_p: float
    prediction_interval: tuple[float, float] | None
    method: str
    ci_method: str
    measure: str = "generic"
    pval: float = float("nan")
    statistic: float = float("nan")  # z (Wald) or t (HKSJ, k - 1 df) of the estimate
    se_wald: float = float("nan")
    hksj_q: float | None = None
    tau2_se: float | None = None  # REML only: sqrt(2 / tr(PP)), the inverse Fisher information
    weights: tuple[float, ...] = ()
    studies: tuple[str, ...] = ()
    iterations: int = 0
    notes: tuple[str, ...] = field(default=())

    @property
    def tau(self) -> float:
        return math.sqrt(self.tau2)

    @property
    def scale(self) -> str:
        """The scale the model was fitted on."""
        return {"ratio": "log", "proportion": "logit"}.get(self.measure, "input")

    def back(self, x: float) -> float:
        """Move a value from the analysis scale to the reader's (exp for ratios, expit for proportions)."""
        return back_transform(self.measure, x)

    def summary(self) -> dict:
        """JSON-ready figures: on the input scale for ``generic``, back-transformed otherwise."""
        pi = self.prediction_interval
        out = {
            "k": self.k,
            "measure": self.measure,
            "estimate": self.back(self.estimate),
            "se": self.se,
            "ci": [self.back(self.ci[0]), self.back(self.ci[1])],
            "pval": self.pval,
            "statistic": self.statistic,
            "tau2": self.tau2,
            "tau2_se": self.tau2_se,
            "tau": self.tau,
            "I2": self.I2,
            "H2": self.H2,
            "Q": self.Q,
            "Q_df": self.Q_df,
            "Q_p": self.Q_p,
            "prediction_interval": None if pi is None else [self.back(pi[0]), self.back(pi[1])],
            "method": self.method,
            "ci_method": self.ci_method,
            "weights_percent": dict(zip(self.studies, self.weights)),
        }
        if self.measure != "generic":
            out["scale"] = self.scale
            out["log_estimate"] = self.estimate
            out["log_ci"] = list(self.ci)
            out["log_prediction_interval"] = None if pi is None else list(pi)
        if self.ci_method == "hksj":
            out["hksj_q"] = self.hksj_q
        if self.notes:
            out["notes"] = list(self.notes)
        return out


def back_transform(measure: str, x: float) -> float:
    """exp for ratios, inverse logit for proportions, identity for generic effects."""
    if measure == "ratio":
        return math.exp(x)
    if measure == "proportion":
        return float(1.0 / (1.0 + math.exp(-x)))
    return x


# --- measures: reported figures -> (yi, vi) ------------------------------------------------

def ratio_effect(study: str, estimate: float, ci_low: float, ci_high: float) -> Effect:
    """Log ratio and its variance from a ratio (HR, RR, OR) and its 95 % CI."""
    if not (estimate > 0 and ci_low > 0 and ci_high > 0):
        raise MetaError(f"{study}: a ratio and its CI must be positive")
    if ci_low > estimate:
        raise MetaError(f"{study}: ci_low {ci_low:g} > estimate {estimate:g}")
    if estimate > ci_high:
        raise MetaError(f"{study}: estimate {estimate:g} > ci_high {ci_high:g}")
    if ci_low == ci_high:
        raise MetaError(f"{study}: a CI of zero width gives no variance")
    se = (math.log(ci_high) - math.log(ci_low)) / (2 * Z975)
    return Effect(study, math.log(estimate), se * se)


def proportion_effect(study: str, events: float, total: float) -> Effect:
    """Logit proportion and its variance; 0.5 added to events and non-events only at 0 or n events."""
    if total <= 0:
        raise MetaError(f"{study}: total must be positive")
    if events < 0:
        raise MetaError(f"{study}: events must not be negative")
    if events > total:
        raise MetaError(f"{study}: events {events:g} > total {total:g}")
    note = ""
    x, n = float(events), float(total)
    if x == 0 or x == n:
        x, n = x + CONTINUITY, n + 2 * CONTINUITY
        note = f"{CONTINUITY} added to events and non-events ({events:g} of {total:g})"
    return Effect(study, math.log(x / (n - x)), 1.0 / x + 1.0 / (n - x), note)


def generic_effect(study: str, yi: float, vi: float) -> Effect:
    """An effect given on its analysis scale with its sampling variance."""
    if not (math.isfinite(yi) and math.isfinite(vi)):
        raise MetaError(f"{study}: yi and vi must be finite numbers")
    if vi < 0:
        raise MetaError(f"{study}: negative variance {vi:g}")
    if vi == 0:
        raise MetaError(f"{study}: zero variance (the study would take all the weight)")
    return Effect(study, float(yi), float(vi))


def log_risk_ratio(a: float, b: float, c: float, d: float) -> tuple[float, float]:
    """Log risk ratio and its variance from a 2x2 table (a events / b non-events treated, c / d control)."""
    n1, n2 = a + b, c + d
    return math.log((a / n1) / (c / n2)), 1 / a - 1 / n1 + 1 / c - 1 / n2


# --- tau² estimators ------------------------------------------------------------------------

def _weighted_mean(y: np.ndarray, w: np.ndarray) -> float:
    return float(np.sum(w * y) / np.sum(w))


def cochran_q(y: np.ndarray, v: np.ndarray) -> float:
    """Cochran's Q with inverse-variance (fixed-effect) weights."""
    w = 1.0 / v
    return float(np.sum(w * (y - _weighted_mean(y, w)) ** 2))


def tau2_dl(y: np.ndarray, v: np.ndarray) -> float:
    """DerSimonian–Laird moment estimator, truncated at 0."""
    w = 1.0 / v
    c = np.sum(w) - np.sum(w ** 2) / np.sum(w)
    return max(0.0, (cochran_q(y, v) - (len(y) - 1)) / c)


def tau2_he(y: np.ndarray, v: np.ndarray) -> float:
    """Hedges' (unweighted moment) estimator: metafor's starting value for REML."""
    k = len(y)
    return max(0.0, float(np.var(y, ddof=1) - np.mean(v)) if k > 1 else 0.0)


def reml_loglik(y: np.ndarray, v: np.ndarray, tau2: float) -> float:
    """The restricted log-likelihood of tau² (up to a constant)."""
    w = 1.0 / (v + tau2)
    sw = np.sum(w)
    r = y - np.sum(w * y) / sw
    return float(-0.5 * (np.sum(np.log(v + tau2)) + math.log(sw) + np.sum(w * r * r)))


def reml_score(y: np.ndarray, v: np.ndarray, tau2: float) -> float:
    """Twice the REML score in tau²: Y'PPY − tr P (zero at an interior REML estimate)."""
    w = 1.0 / (v + tau2)
    sw = np.sum(w)
    r = y - np.sum(w * y) / sw
    return float(np.sum((w * r) ** 2) - (sw - np.sum(w ** 2) / sw))


def _tau2_reml_bracketed(y: np.ndarray, v: np.ndarray, tol: float) -> float:
    """REML tau² as the root of the score by Brent's method (0 when the score is negative at 0)."""
    from scipy import optimize  # here, not at the top: see `fit`

    if reml_score(y, v, 0.0) <= 0:
        return 0.0
    hi = max(float(np.var(y)), float(np.max(v)), 1e-8)
    while reml_score(y, v, hi) > 0:
        hi *= 2
    return float(optimize.brentq(lambda t: reml_score(y, v, t), 0.0, hi, xtol=tol, rtol=1e-15))


def tau2_reml(y: np.ndarray, v: np.ndarray, tol: float = REML_TOL,
              maxiter: int = REML_MAXITER) -> tuple[float, int, str]:
    """REML tau² by Fisher scoring from the Hedges estimate, as metafor does.

    Step: (Y'PPY − tr P) / tr(PP) with P = W − W1(1'W1)⁻¹1'W, W = diag(1 / (v + tau²)); a step
    that would cross zero is halved (metafor). Fisher scoring can cycle between two values on
    some small data sets (where metafor reports non-convergence); then the score equation is
    solved by bracketing instead, and the note says so. Returns (tau², iterations, note).
    """
    tau2 = tau2_he(y, v)
    for it in range(1, maxiter + 1):
        w = 1.0 / (v + tau2)
        sw = np.sum(w)
        tr_pp = np.sum(w ** 2) - 2 * np.sum(w ** 3) / sw + (np.sum(w ** 2) / sw) ** 2
        step = reml_score(y, v, tau2) / float(tr_pp)
        while tau2 + step < 0:
            step /= 2
            if abs(step) < tol:
                step = -tau2
                break
        tau2 += step
        if abs(step) < tol:
            return max(0.0, tau2), it, ""
    return (_tau2_reml_bracketed(y, v, tol), maxiter,
            f"REML: Fisher scoring did not converge in {maxiter} iterations; "
            "the score equation was solved by bracketing (Brent)")


# --- the model ----------------------------------------------------------------------------

def fit(yi: Sequence[float], vi: Sequence[float], *, method: str = "reml", ci: str = "hksj",
        studies: Sequence[str] | None = None, measure: str = "generic",
        hksj_guard: bool = True, notes: Iterable[str] = ()) -> MetaResult:
    """Fit the random-effects model to effects ``yi`` with sampling variances ``vi`` (k >= 2)."""

    if method not in METHODS:
        raise MetaError(f"unknown method {method!r} (choose from {', '.join(METHODS)})")
    if ci not in CI_METHODS:
        raise MetaError(f"unknown CI method {ci!r} (choose from {', '.join(CI_METHODS)})")
    y, v = np.asarray(yi, dtype=float), np.asarray(vi, dtype=float)
    k = len(y)
    if k != len(v):
        raise MetaError("yi and vi differ in length")
    if k < 2:
        raise MetaError(f"k = {k}: pooling needs two or more studies")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(v))):
        raise MetaError("yi and vi must be finite")
    if np.any(v <= 0):
        raise MetaError("every sampling variance must be positive")
    names = tuple(studies) if studies is not None else tuple(str(i + 1) for i in range(k))

    iterations, notes = 0, list(notes)
    if method == "reml":
        tau2, iterations, note = tau2_reml(y, v)
        if note:
            notes.append(note)
    else:
        tau2 = tau2_dl(y, v)
    w = 1.0 / (v + tau2)
    sw = float(np.sum(w))
    mu = _weighted_mean(y, w)
    se_wald = math.sqrt(1.0 / sw)

    tau2_se = None
    if method == "reml":
        tr_pp = np.sum(w ** 2) - 2 * np.sum(w ** 3) / sw + (np.sum(w ** 2) / sw) ** 2
        tau2_se = float(math.sqrt(2.0 / tr_pp))

    q = cochran_q(y, v)
    df = k - 1
    w_fe = 1.0 / v
    s2 = df * np.sum(w_fe) / (np.sum(w_fe) ** 2 - np.sum(w_fe ** 2))  # typical within-study variance
    i2 = 100.0 * tau2 / (tau2 + s2)
    h2 = (tau2 + s2) / s2

    alpha = 1 - LEVEL
    hk_q = None
    if ci == "hksj":
        hk_q = float(np.sum(w * (y - mu) ** 2) / df)
        se = math.sqrt((max(1.0, hk_q) if hksj_guard else hk_q) / sw)
        crit = distributions.t_ppf(1 - alpha / 2, df)
    else:
        se = se_wald
        crit = distributions.norm_ppf(1 - alpha / 2)
    # Unguarded HKSJ gives se = 0 when every study agrees exactly: an infinite statistic.
    statistic = mu / se if se > 0 else (math.copysign(math.inf, mu) if mu else 0.0)
    tail = distributions.t_sf(abs(statistic), df) if ci == "hksj" else distributions.norm_sf(abs(statistic))
    pval = 2 * tail
    interval = (mu - crit * se, mu + crit * se)

    pi = None
    if k >= 3:
        half = distributions.t_ppf(1 - alpha / 2, k - 2) * math.sqrt(tau2 + se_wald ** 2)
        pi = (mu - half, mu + half)

    return MetaResult(
        k=k, estimate=mu, se=se, ci=interval, tau2=tau2, I2=float(i2), H2=float(h2), Q=q, Q_df=df,
        Q_p=distributions.chi2_sf(q, df), prediction_interval=pi, method=method,
        ci_method=ci if (ci != "hksj" or hksj_guard) else "knha", measure=measure, pval=pval,
        statistic=statistic,
        se_wald=se_wald, hksj_q=hk_q, tau2_se=tau2_se, weights=tuple(float(x) for x in 100 * w / sw),
        studies=names, iterations=iterations, notes=tuple(notes),
    )


def fit_effects(effects: Sequence[Effect], **kw) -> MetaResult:
    """Fit the model to Effects, carrying their study names and continuity-correction notes."""
    return fit([e.yi for e in effects], [e.vi for e in effects], studies=[e.study for e in effects],
               notes=[f"{e.study}: {e.note}" for e in effects if e.note], **kw)


def leave_one_out(effects: Sequence[Effect], **kw) -> list[tuple[str, MetaResult]]:
    """Refit without each study in turn (needs k >= 3 so that two remain)."""
    if len(effects) < 3:
        raise MetaError(f"k = {len(effects)}: leave-one-out needs three or more studies")
    return [(e.study, fit_effects([o for o in effects if o is not e], **kw)) for e in effects]


def without(effects: Sequence[Effect], studies: Iterable[str], **kw) -> MetaResult | str:
    """A sensitivity fit leaving out the named studies (e.g. those at high risk of bias); the
    reason as a string when too few remain."""
    drop = set(studies)
    kept = [e for e in effects if e.study not in drop]
    if len(kept) < 2:
        return f"{len(kept)} stud{'y' if len(kept) == 1 else 'ies'} left: not pooled"
    return fit_effects(kept, **kw)


# --- grouping: pool only like with like -------------------------------------------------------

ROW_FIELDS = {
    "generic": ("yi", "vi"),
    "ratio": ("estimate", "ci_low", "ci_high"),
    "proportion": ("events", "total"),
}


def effect_from_row(row: Mapping, measure: str) -> Effect:
    """Turn one row's figures into an Effect for its measure."""
    study = str(row.get("study", ""))
    if measure == "generic":
        return generic_effect(study, float(row["yi"]), float(row["vi"]))
    if measure == "ratio":
        return ratio_effect(study, float(row["estimate"]), float(row["ci_low"]), float(row["ci_high"]))
    if measure == "proportion":
        return proportion_effect(study, float(row["events"]), float(row["total"]))
    raise MetaError(f"unknown measure {measure!r} (choose from {', '.join(MEASURES)})")


@dataclass(frozen=True)
class PoolGroup:
    """Rows that answer one question; ``result`` when pooled, else ``reason`` says why not."""

    key: tuple
    rows: tuple[Mapping, ...]
    measure: str | None
    result: MetaResult | None
    reason: str = ""
    effects: tuple[Effect, ...] = ()

    @property
    def pooled(self) -> bool:
        return self.result is not None


def group_and_pool(rows: Iterable[Mapping], keys: Sequence[str] = ("comparison", "endpoint"),
                   **kw) -> list[PoolGroup]:
    """Group rows by ``keys`` (never pooling across comparisons or endpoints) and pool each group
    that can be: two or more distinct studies, one measure, valid figures. Each row names its
    ``study`` and ``measure`` (generic, ratio or proportion, plus the effect type in ``effect``,
    e.g. HR, when several ratios share the comparison)."""
    groups: dict[tuple, list[Mapping]] = {}
    for row in rows:
        groups.setdefault(tuple(row.get(k) for k in keys), []).append(row)
    out = []
    for key, members in groups.items():
        measures = sorted({str(r.get("measure")) for r in members})
        kinds = sorted({str(r.get("effect")) for r in members if r.get("effect")})
        studies = [str(r.get("study")) for r in members]
        reason = ""
        if len(set(studies)) < 2:
            reason = f"only one study ({studies[0]}): nothing to pool"
        elif len(measures) > 1:
            reason = f"mixed measures ({', '.join(measures)}): not pooled"
        elif len(kinds) > 1:
            reason = f"mixed effect types ({', '.join(kinds)}): not pooled"
        elif len(set(studies)) < len(studies):
            dup = sorted({s for s in studies if studies.count(s) > 1})
            reason = f"a study appears more than once ({', '.join(dup)}): choose one row each"
        if reason:
            out.append(PoolGroup(key, tuple(members), measures[0] if len(measures) == 1 else None,
                                 None, reason))
            continue
        measure = measures[0]
        try:
            effects = [effect_from_row(r, measure) for r in members]
            result = fit_effects(effects, measure=measure, **kw)
        except (MetaError, KeyError, TypeError, ValueError) as err:
            out.append(PoolGroup(key, tuple(members), measure, None, f"not pooled: {err}"))
            continue
        out.append(PoolGroup(key, tuple(members), measure, result, "", tuple(effects)))
    return out


def as_dict(result: MetaResult) -> dict:
    """Every field of a result (analysis scale), for tables and history diffs."""
    return asdict(result)
