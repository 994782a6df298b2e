"""Pseudo individual patient data rebuilt from a digitised Kaplan–Meier curve (Guyot et al. 2012).

Written from the published description (Guyot, Ades, Ouwens, Welton, BMC Med Res Methodol
2012;12:9), not from any implementation. Inputs are the points a reviewer clicked on a paper's
KM figure and, when the figure has one, its numbers-at-risk table; output is a list of
``(time, event)`` pairs whose KM curve passes through the points and whose numbers at risk
match the table. Pure: no file access (book/curves.py reads the files).

Cleaning rule (``clean_curve``): survival given as a percentage when any value exceeds 1.5;
points sorted by time (ties: higher survival first); survival clamped to [0, 1]; a point at
time 0 is survival 1 and (0, 1) is added when missing; the curve is then made non-increasing by
its running minimum. Clicking noise is tolerated up to ``NOISE_SURVIVAL`` in survival and
``NOISE_TIME`` (a fraction of the last time) in time: a point may rise above the lowest point
clicked at least ``NOISE_TIME`` earlier by at most ``NOISE_SURVIVAL`` (so the two corners of a
drop may come out of order), times down to ``-NOISE_TIME`` count as 0, survival within
``NOISE_SURVIVAL`` outside [0, 1] is clamped; anything beyond is an input error naming its row.

Algorithm (``reconstruct``): the risk-table times cut the curve into intervals. In each
interval but the last, a number of censored patients is guessed (number at risk at the start
times the curve's survival ratio over the interval, minus the number at risk at the end), the
censorings are spread uniformly over the interval, the events at each digitised point follow
from the KM formula ``d = round(n_at_risk * (1 - S_point / S_last_event))``, and the censoring
count is corrected by the mismatch between the rebuilt and the printed number at risk at the
interval's end until they agree. Last interval (from the last risk-table time to the last
point): when the total number of events is known the censoring count is iterated until the
rebuilt total matches it; otherwise the censoring rate per patient at risk per unit time of the
earlier intervals is carried over (none when there are no earlier intervals). Patients still at
risk at the last point are censored there. Without a risk table the whole curve is one last
interval starting with the total number of patients (so, without total events either, nobody is
censored before the last point). The total only steers the last interval: when the earlier
intervals already hold more events, the rebuilt total exceeds it (``Interval.matched`` is False).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

NOISE_SURVIVAL = 0.02
NOISE_TIME = 0.01
PERCENT_THRESHOLD = 1.5
MAX_ITERATIONS = 200


class CurveInputError(ValueError):
    """Bad digitised input; ``which`` is "curve", "risk" or "totals", ``index`` the 0-based input row."""

    def __init__(self, message: str, which: str, index: int | None = None):
        super().__init__(message)
        self.which = which
        self.index = index


@dataclass(frozen=True)
class StepCurve:
    """The cleaned digitised curve: times ascending from 0, survival fractions non-increasing from 1."""

    times: tuple[float, ...]
    survival: tuple[float, ...]
    percent: bool  # the input was in percent


@dataclass(frozen=True)
class Interval:
    """One risk-table interval of the fit: printed and rebuilt numbers at risk at its end."""

    start: float
    end: float
    at_risk: int
    censored: int
    events: int
    at_risk_end: int | None  # printed (None for the last interval)
    rebuilt_end: int
    matched: bool


@dataclass(frozen=True)
class Reconstruction:
    """Pseudo individual data ``ipd`` ((time, 1) an event, (time, 0) a censoring) and how it was fitted."""

    ipd: tuple[tuple[float, int], ...]
    curve: StepCurve
    intervals: tuple[Interval, ...]
    total_events: int | None  # as given

    @property
    def n(self) -> int:
        return len(self.ipd)

    @property
    def events(self) -> int:
        return sum(e for _, e in self.ipd)


def _round(x: float) -> int:
    """Round half up (deterministic, unlike banker's rounding on .5)."""
    return int(math.floor(x + 0.5))


def _finite_pairs(points: Sequence[Sequence[float]], which: str, names: tuple[str, str]) -> np.ndarray:
    arr = np.empty((len(points), 2), dtype=float)
    for i, row in enumerate(points):
        if len(row) != 2:
            raise CurveInputError(f"row {i + 1}: expected {names[0]},{names[1]}", which, i)
        for j, value in enumerate(row):
            try:
                v = float(value)
            except (TypeError, ValueError):
                raise CurveInputError(f"row {i + 1}: {names[j]} {value!r} is not a number", which, i) from None
            if not math.isfinite(v):
                raise CurveInputError(f"row {i + 1}: {names[j]} {value!r} is not a finite number", which, i)
            arr[i, j] = v
    return arr


def clean_curve(points: Sequence[Sequence[float]]) -> StepCurve:
    """Turn clicked (time, survival) points into a non-increasing step curve (rule in the module doc)."""
    if not points:
        raise CurveInputError("the curve has no points", "curve", None)
    arr = _finite_pairs(points, "curve", ("time", "survival"))
    t, s = arr[:, 0].copy(), arr[:, 1].copy()
    percent = bool(np.any(s > PERCENT_THRESHOLD))
    if percent:
        s = s / 100.0
    t_tol = NOISE_TIME * max(float(t.max()), 0.0)
    for i in np.flatnonzero(t < -t_tol):
        raise CurveInputError(f"row {i + 1}: negative time {arr[i, 0]:g}", "curve", int(i))
    for i in np.flatnonzero((s < -NOISE_SURVIVAL) | (s > 1 + NOISE_SURVIVAL)):
        shown = f"{arr[i, 1]:g}" + ("%" if percent else "")
        raise CurveInputError(f"row {i + 1}: survival {shown} is outside 0-{'100%' if percent else '1'}",
                              "curve", int(i))
    t = np.maximum(t, 0.0)
    s = np.clip(s, 0.0, 1.0)
    s[t == 0.0] = 1.0
    order = np.lexsort((-s, t))  # by time, ties with the higher survival first
    t, s, rows = t[order], s[order], order
    # A point may not rise above the lowest point clicked clearly earlier by more than the noise.
    low = np.minimum.accumulate(s)
    earlier = np.searchsorted(t, t - t_tol, side="left") - 1  # last index with time < t - t_tol
    has_earlier = earlier >= 0
    rise = np.where(has_earlier, s - low[np.maximum(earlier, 0)], 0.0)
    bad = np.flatnonzero(rise > NOISE_SURVIVAL + 1e-12)
    if bad.size:
        k = int(bad[0])
        raise CurveInputError(
            f"row {rows[k] + 1}: survival rises by {rise[k]:.3f} at time {t[k]:g} "
            f"(a curve never rises; tolerated noise {NOISE_SURVIVAL})", "curve", int(rows[k]))
    if t[0] > 0.0:
        t, low = np.concatenate(([0.0], t)), np.concatenate(([1.0], low))
    return StepCurve(tuple(float(x) for x in t), tuple(float(x) for x in low), percent)


def check_risk_table(risk: Sequence[Sequence[float]], curve: StepCurve) -> tuple[np.ndarray, np.ndarray]:
    """Validate a numbers-at-risk table against the curve: from time 0, ascending, not increasing, within it."""
    if not risk:
        raise CurveInputError("the risk table has no rows", "risk", None)
    arr = _finite_pairs(risk, "risk", ("time", "at_risk"))
    times, counts = arr[:, 0], arr[:, 1]
    last = curve.times[-1]
    for i in range(len(arr)):
        if times[i] < 0:
            raise CurveInputError(f"row {i + 1}: negative time {times[i]:g}", "risk", i)
        if counts[i] < 0 or counts[i] != math.floor(counts[i]):
            raise CurveInputError(f"row {i + 1}: at_risk {counts[i]:g} is not a whole number of patients",
                                  "risk", i)
        if i == 0 and times[0] != 0:
            raise CurveInputError(f"row 1: the risk table starts at {times[0]:g}, not at time 0", "risk", 0)
        if i and times[i] <= times[i - 1]:
            raise CurveInputError(f"row {i + 1}: time {times[i]:g} does not follow {times[i - 1]:g}", "risk", i)
        if i and counts[i] > counts[i - 1]:
            raise CurveInputError(f"row {i + 1}: {counts[i]:g} at risk, more than the {counts[i - 1]:g} before",
                                  "risk", i)
        if times[i] > last * (1 + NOISE_TIME):
            raise CurveInputError(f"row {i + 1}: the risk table (time {times[i]:g}) is longer than the curve "
                                  f"(last point at {last:g})", "risk", i)
    if counts[0] == 0:
        raise CurveInputError("row 1: no patients at risk at time 0", "risk", 0)
    return times.copy(), counts.astype(int)


@dataclass(frozen=True)
class _Pass:
    events: np.ndarray  # per point of the interval
    censor_times: np.ndarray
    n_end: int
    s_last: float


def _interval_pass(t: np.ndarray, s: np.ndarray, start: float, end: float, n_start: int,
                   censored: int, s_last: float) -> _Pass:
    """Events at each point of one interval given its censoring count, spread uniformly over it."""
    censor_times = start + (end - start) * np.arange(1, censored + 1) / (censored + 1)
    before = np.searchsorted(censor_times, t, side="left")  # censorings before each point
    events = np.zeros(len(t), dtype=int)
    gone = 0
    for k in range(len(t)):
        at_risk = n_start - gone - int(before[k])
        if at_risk <= 0:
            break
        d = at_risk if s_last <= 0 else _round(at_risk * (1.0 - s[k] / s_last))
        d = min(max(d, 0), at_risk)
        if d:
            events[k] = d
            gone += d
            s_last *= 1.0 - d / at_risk
    # Censorings after everyone has left the risk set did not happen.
    censor_times = censor_times[:max(n_start - gone, 0)]
    return _Pass(events, censor_times, n_start - gone - len(censor_times), s_last)


def _step_at(curve_t: np.ndarray, curve_s: np.ndarray, time: float) -> float:
    return float(curve_s[np.searchsorted(curve_t, time, side="right") - 1])


def _search_censoring(run, gap_of, nc: int, n_start: int) -> tuple[int, _Pass, bool]:
    """Step the censoring count by the gap `gap_of(pass)` leaves until it is 0 (True) or the
    search repeats itself; then the count whose gap is smallest (False)."""
    tried: dict[int, _Pass] = {}
    for _ in range(MAX_ITERATIONS):
        p = run(nc)
        tried[nc] = p
        gap = gap_of(p)
        if gap == 0:
            return nc, p, True
        nxt = min(max(nc + gap, 0), n_start)
        if nxt in tried:
            break
        nc = nxt
    best = min(tried, key=lambda c: (abs(gap_of(tried[c])), c))
    return best, tried[best], False


def _fit_interval(t, s, start, end, n_start, target, s_last, guess) -> tuple[int, _Pass, bool]:
    """Iterate the censoring count until the rebuilt number at risk at the end equals ``target``."""
    return _search_censoring(lambda nc: _interval_pass(t, s, start, end, n_start, nc, s_last),
                             lambda p: p.n_end - target, min(max(guess, 0), n_start), n_start)


def _fit_last(t, s, start, end, n_start, s_last, events_wanted, guess) -> tuple[int, _Pass, bool]:
    """Last interval: iterate censoring until the events add up to ``events_wanted`` (or use ``guess``)."""
    if events_wanted is None:
        nc = min(max(guess, 0), n_start)
        return nc, _interval_pass(t, s, start, end, n_start, nc, s_last), True
    return _search_censoring(lambda nc: _interval_pass(t, s, start, end, n_start, nc, s_last),
                             lambda p: int(p.events.sum()) - events_wanted, 0, n_start)


def reconstruct(points: Sequence[Sequence[float]], risk: Sequence[Sequence[float]] | None = None, *,
                total_events: int | None = None, n: int | None = None) -> Reconstruction:
    """Rebuild ``(time, event)`` pairs from digitised points, the risk table (or total ``n``) and total events."""
    curve = clean_curve(points)
    if risk is not None:
        rt, rn = check_risk_table(risk, curve)
        if n is not None and n != rn[0]:
            raise CurveInputError(f"n = {n} but the risk table starts with {rn[0]} at risk", "totals")
    elif n is None:
        raise CurveInputError("without a risk table the total number of patients is needed", "totals")
    else:
        if n <= 0:
            raise CurveInputError(f"n = {n}: no patients", "totals")
        rt, rn = np.array([0.0]), np.array([int(n)])
    if total_events is not None and not 0 <= total_events <= rn[0]:
        raise CurveInputError(f"total events {total_events} is not between 0 and {rn[0]}", "totals")
    ct, cs = np.array(curve.times), np.array(curve.survival)
    t_last = max(float(ct[-1]), float(rt[-1]))  # a risk time may pass the last click by the time noise
    bounds = np.searchsorted(ct, rt, side="left")  # first point of each interval
    ipd_times: list[np.ndarray] = []
    ipd_events: list[np.ndarray] = []
    intervals: list[Interval] = []
    s_last, n_start = 1.0, int(rn[0])
    censored_sum, exposure = 0, 0.0
    for i in range(len(rt)):
        lo = bounds[i]
        last = i == len(rt) - 1
        hi = len(ct) if last else bounds[i + 1]
        t, s = ct[lo:hi], cs[lo:hi]
        start = float(rt[i])
        end = t_last if last else float(rt[i + 1])
        if not last:
            target = int(rn[i + 1])
            s0, s1 = _step_at(ct, cs, start), _step_at(ct, cs, end)
            ratio = s1 / s0 if s0 > 0 else 0.0
            guess = _round(rn[i] * ratio - target)
            nc, p, ok = _fit_interval(t, s, start, end, n_start, target, s_last, guess)
            censored_sum += len(p.censor_times)
            exposure += rn[i] * (end - start)
        else:
            done = sum(int(e.sum()) for e in ipd_events)
            wanted = None if total_events is None else max(int(total_events) - done, 0)
            rate = censored_sum / exposure if exposure > 0 else 0.0
            guess = _round(rate * n_start * (end - start))
            nc, p, ok = _fit_last(t, s, start, end, n_start, s_last, wanted, guess)
            target = None
        events_here = int(p.events.sum())
        ipd_times += [np.repeat(t, p.events), p.censor_times]
        ipd_events += [np.ones(events_here, dtype=int), np.zeros(len(p.censor_times), dtype=int)]
        intervals.append(Interval(start, end, n_start, len(p.censor_times), events_here, target, p.n_end,
                                  ok if target is None else p.n_end == target))
        s_last, n_start = p.s_last, p.n_end
    # Everyone still at risk after the last point is censored there.
    ipd_times.append(np.full(n_start, t_last))
    ipd_events.append(np.zeros(n_start, dtype=int))
    times = np.concatenate(ipd_times)
    events = np.concatenate(ipd_events)
    order = np.lexsort((-events, times))
    ipd = tuple((float(times[k]), int(events[k])) for k in order)
    return Reconstruction(ipd, curve, tuple(intervals), total_events)
