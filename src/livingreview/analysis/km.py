"""Survival analysis of (pseudo) individual data with lifelines: KM summaries, Cox HR, log-rank, RMST.

Input everywhere is a sequence of ``(time, event)`` pairs (event 1, censored 0), such as
``guyot.reconstruct(...).ipd``. Quantities beyond the data's last time (a landmark or an RMST
horizon past follow-up) are ``None`` rather than the flat extrapolation lifelines would give.
Pure: no file access.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from lifelines import KaplanMeierFitter

# lifelines is imported inside the functions that fit: importing it (with its scipy, autograd
# and formulaic) costs about a second, which every notebook kernel paid, most of them for a
# study with no digitised figure to fit.

LANDMARKS = (12, 24, 36)
MEDIAN_REL_TOLERANCE = 0.05  # the reconstruction's validated accuracy for medians (tests/test_guyot.py)
RMST_HORIZONS = (12, 24, 36)
DECIMALS = 4

IPD = Sequence[tuple[float, int]]


def _arrays(ipd: IPD) -> tuple[np.ndarray, np.ndarray]:
    if not len(ipd):
        raise ValueError("no patients")
    arr = np.asarray(ipd, dtype=float).reshape(-1, 2)
    return arr[:, 0], arr[:, 1].astype(int)


def _num(x: float | None) -> float | None:
    """A finite float rounded for reports; infinite or missing becomes None (not reached)."""
    if x is None or not math.isfinite(float(x)):
        return None
    return round(float(x), DECIMALS)


def fit_km(ipd: IPD, label: str = "KM_estimate", alpha: float = 0.05) -> KaplanMeierFitter:
    """The lifelines Kaplan–Meier fit of the data (Greenwood / exponential-Greenwood CI)."""
    from lifelines import KaplanMeierFitter

    durations, events = _arrays(ipd)
    return KaplanMeierFitter(alpha=alpha).fit(durations, events, label=label)


def km_step(ipd: IPD) -> tuple[np.ndarray, np.ndarray]:
    """Times and survival of the KM step function (right-continuous), starting at (0, 1)."""
    sf = fit_km(ipd).survival_function_
    return sf.index.to_numpy(dtype=float), sf.iloc[:, 0].to_numpy(dtype=float)


def km_frame(ipd: IPD, alpha: float = 0.05) -> pd.DataFrame:
    """The KM step curve with its pointwise CI, for plotting: columns time, survival, lower, upper."""
    kmf = fit_km(ipd, alpha=alpha)
    ci = kmf.confidence_interval_
    return pd.DataFrame({
        "time": kmf.survival_function_.index.to_numpy(dtype=float),
        "survival": kmf.survival_function_.iloc[:, 0].to_numpy(dtype=float),
        "lower": ci.iloc[:, 0].to_numpy(dtype=float),
        "upper": ci.iloc[:, 1].to_numpy(dtype=float),
    })


def censor_marks(ipd: IPD) -> pd.DataFrame:
    """Where the censoring ticks go on a KM plot: each censored time and the curve's value there."""
    durations, events = _arrays(ipd)
    kt, ks = km_step(ipd)
    times = np.unique(durations[events == 0])
    return pd.DataFrame({"time": times, "survival": ks[np.searchsorted(kt, times, side="right") - 1]})


def median_differs(rebuilt: float | None, reported: float, decimals: int = 1,
                   relative: float = MEDIAN_REL_TOLERANCE) -> bool:
    """Whether a rebuilt median differs from the reported one by more than rounding and digitising allow.

    Allowed: half a unit of the reported value's last decimal, or ``relative`` of it, whichever is
    larger. A rebuilt median that is not reached against a reported one is a difference.
    """
    if rebuilt is None:
        return True
    return abs(rebuilt - reported) > max(0.5 * 10 ** -decimals, relative * abs(reported))


def km_summary(ipd: IPD, *, landmarks: Sequence[float] = LANDMARKS,
               horizons: Sequence[float] = RMST_HORIZONS, alpha: float = 0.05) -> dict:
    """n, events, median with its CI, survival at landmarks and RMST at horizons of one arm."""
    from lifelines.utils import median_survival_times, restricted_mean_survival_time

    kmf = fit_km(ipd, alpha=alpha)
    durations, events = _arrays(ipd)
    follow_up = float(durations.max())
    ci = median_survival_times(kmf.confidence_interval_)
    lower, upper = (float(v) for v in ci.iloc[0, :2])
    at = {t: _num(kmf.survival_function_at_times(t).iloc[0]) if t <= follow_up else None for t in landmarks}
    rmst = {t: _num(restricted_mean_survival_time(kmf, t=t)) if t <= follow_up else None for t in horizons}
    return {
        "n": int(len(durations)),
        "events": int(events.sum()),
        "median": _num(kmf.median_survival_time_),
        "median_ci": [_num(lower), _num(upper)],
        "survival_at": {str(t): v for t, v in at.items()},
        "rmst": {str(t): v for t, v in rmst.items()},
        "follow_up": _num(follow_up),
    }


def compare_arms(control: IPD, experimental: IPD, alpha: float = 0.05) -> dict:
    """Cox HR (experimental vs control) with CI and Wald p, and the log-rank test, from two arms' data."""
    from lifelines import CoxPHFitter
    from lifelines.statistics import logrank_test

    t0, e0 = _arrays(control)
    t1, e1 = _arrays(experimental)
    df = pd.DataFrame({
        "time": np.concatenate([t0, t1]),
        "event": np.concatenate([e0, e1]),
        "arm": np.concatenate([np.zeros(len(t0)), np.ones(len(t1))]),
    })
    cph = CoxPHFitter(alpha=alpha).fit(df, duration_col="time", event_col="event")
    log_ci = cph.confidence_intervals_.loc["arm"].to_numpy(dtype=float)
    lr = logrank_test(t0, t1, event_observed_A=e0, event_observed_B=e1)
    return {
        "hr": _num(float(cph.hazard_ratios_["arm"])),
        "hr_ci": [_num(math.exp(log_ci[0])), _num(math.exp(log_ci[1]))],
        "cox_p": _num(float(cph.summary.loc["arm", "p"])),
        "logrank_statistic": _num(float(lr.test_statistic)),
        "logrank_p": _num(float(lr.p_value)),
    }


def reconstruction_error(ipd: IPD, times: Sequence[float], survival: Sequence[float]) -> dict:
    """RMSE and largest gap between the rebuilt KM curve and the digitised points.

    A point's error is its vertical distance to the rebuilt step curve at its time, taking the
    vertical segment of a drop as part of the curve (the clicked corners of a step lie on it):
    the distance from the point to the range between the curve's left limit and its value there.
    """
    kt, ks = km_step(ipd)
    t = np.asarray(times, dtype=float)
    s = np.asarray(survival, dtype=float)
    at = ks[np.searchsorted(kt, t, side="right") - 1]
    left_idx = np.searchsorted(kt, t, side="left") - 1
    left = np.where(left_idx >= 0, ks[np.maximum(left_idx, 0)], 1.0)
    gap = np.where(s > left, s - left, np.where(s < at, at - s, 0.0))
    return {"rmse": _num(float(np.sqrt(np.mean(gap ** 2)))), "max_abs_error": _num(float(gap.max()))}


def reconstruction_report(reconstruction) -> dict:
    """The summary printed by `reconstruct`: KM summary of the rebuilt data and its fit to the points."""
    rec = reconstruction
    report = km_summary(rec.ipd)
    report.update(reconstruction_error(rec.ipd, rec.curve.times, rec.curve.survival))
    report["censored"] = report["n"] - report["events"]
    report["total_events_given"] = rec.total_events
    report["points"] = len(rec.curve.times)
    report["survival_input"] = "percent" if rec.curve.percent else "fraction"
    report["intervals"] = [
        {"start": _num(iv.start), "end": _num(iv.end), "at_risk": iv.at_risk, "events": iv.events,
         "censored": iv.censored, "at_risk_end_printed": iv.at_risk_end, "at_risk_end_rebuilt": iv.rebuilt_end,
         "matched": iv.matched}
        for iv in rec.intervals
    ]
    return report
