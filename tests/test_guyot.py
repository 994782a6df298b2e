"""Guyot reconstruction: cleaning of clicked points, the interval algorithm, and validation on simulated trials.

Validation: individual data are drawn (Weibull event times, uniform accrual with administrative
censoring and exponential drop-out, fixed seeds), their KM curve and 3-monthly risk table
computed, the step corners taken as a digitiser would (plus clicking noise, shuffled, one arm in
percent), rebuilt, and compared with the original data.
"""
from __future__ import annotations

import numpy as np
import pytest
from lifelines import KaplanMeierFitter

from livingreview.analysis import guyot, km

import km_study

SEEDS = (0, 1, 2, 3)
N_PER_ARM = 250
MEDIANS = (12.0, 17.0)


def _arm(rng, n, median, shape=1.2, accrual=24.0, min_follow_up=12.0, dropout_mean=60.0):
    scale = median / np.log(2) ** (1 / shape)
    event_time = scale * rng.weibull(shape, n)
    censor_time = np.minimum(accrual + min_follow_up - rng.uniform(0, accrual, n), rng.exponential(dropout_mean, n))
    time = np.round(np.minimum(event_time, censor_time), 2)
    return time, (event_time <= censor_time).astype(int)


def _trial(seed):
    rng = np.random.default_rng(seed)
    return rng, [_arm(rng, N_PER_ARM, m) for m in MEDIANS]


def _risk_table(time, step=3.0):
    return [(float(t), int((time >= t).sum())) for t in np.arange(0.0, time.max(), step)]


def _corners(time, event):
    """The points a digitiser clicks: both corners of every drop, and the curve's end (the same
    clicks the invented trial's figure is generated from)."""
    return km_study.generator().corners(time, event)


def _digitise(rng, time, event, time_sd=0.0, surv_sd=0.003, percent=False):
    pts = _corners(time, event)
    pts[:, 0] = np.maximum(pts[:, 0] + rng.normal(0, time_sd, len(pts)), 0.0) if time_sd else pts[:, 0]
    pts[:, 1] = pts[:, 1] + rng.normal(0, surv_sd, len(pts))
    pts = pts[rng.permutation(len(pts))]
    if percent:
        pts[:, 1] *= 100
    return [(float(t), float(s)) for t, s in pts]


def _km(time, event):
    return KaplanMeierFitter().fit(time, event)


def _at(kmf, times):
    return kmf.survival_function_at_times(np.asarray(times, dtype=float)).to_numpy()


def _vertical_gap(original, rebuilt, until):
    """Largest |S_original - S_rebuilt| over [0, until] (exact for two step functions: all jump times)."""
    grid = np.union1d(original.survival_function_.index, rebuilt.survival_function_.index)
    grid = grid[grid <= until]
    return float(np.abs(_at(original, grid) - _at(rebuilt, grid)).max())


def _window_gap(original, rebuilt, until, delta):
    """Largest distance from the original curve to the rebuilt one allowed to shift by up to delta in time."""
    grid = np.union1d(np.arange(0.0, until, 0.005), original.survival_function_.index)
    grid = grid[grid <= until]
    a = _at(original, grid)
    high = _at(rebuilt, np.maximum(grid - delta, 0.0))
    low = _at(rebuilt, grid + delta)
    return float(np.maximum.reduce([a - high, low - a, np.zeros_like(a)]).max())


def _until_ten_at_risk(time):
    """The last time at which at least ten patients of the original arm were still at risk."""
    return float(np.sort(time)[-10])


def _rebuild_trial(seed, time_sd=0.0, surv_sd=0.003, with_events=True):
    rng, arms = _trial(seed)
    out = []
    for i, (time, event) in enumerate(arms):
        points = _digitise(rng, time, event, time_sd, surv_sd, percent=i == 1)
        rec = guyot.reconstruct(points, _risk_table(time), total_events=int(event.sum()) if with_events else None)
        out.append((time, event, rec))
    return out


@pytest.fixture(scope="module")
def rebuilt_plain():
    return {seed: _rebuild_trial(seed) for seed in SEEDS}


@pytest.fixture(scope="module")
def rebuilt_jittered():
    return {seed: _rebuild_trial(seed, time_sd=0.05) for seed in SEEDS}


# -- validation ---------------------------------------------------------------------------------

def test_rebuilt_km_within_002_of_the_original_wherever_ten_or_more_are_at_risk(rebuilt_plain):
    gaps = [_vertical_gap(_km(t, e), km.fit_km(rec.ipd), _until_ten_at_risk(t))
            for arms in rebuilt_plain.values() for t, e, rec in arms]
    assert max(gaps) <= 0.02, gaps


def test_with_clicks_off_in_time_too_the_rebuilt_km_is_within_002_up_to_the_click_error(rebuilt_jittered):
    # Clicks 0.05 months off (sd) move each drop a little: compare allowing a 0.15-month shift (3 sd).
    gaps = [_window_gap(_km(t, e), km.fit_km(rec.ipd), _until_ten_at_risk(t), 0.15)
            for arms in rebuilt_jittered.values() for t, e, rec in arms]
    assert max(gaps) <= 0.02, gaps


@pytest.mark.parametrize("which", ["rebuilt_plain", "rebuilt_jittered"])
def test_rebuilt_median_within_5_percent_of_the_original(which, request):
    for arms in request.getfixturevalue(which).values():
        for t, e, rec in arms:
            original = _km(t, e).median_survival_time_
            assert km.fit_km(rec.ipd).median_survival_time_ == pytest.approx(original, rel=0.05)


@pytest.mark.parametrize("which", ["rebuilt_plain", "rebuilt_jittered"])
def test_cox_hr_of_rebuilt_arms_within_005_of_the_hr_of_the_original_arms(which, request):
    for (t0, e0, r0), (t1, e1, r1) in request.getfixturevalue(which).values():
        original = km.compare_arms(list(zip(t0, e0)), list(zip(t1, e1)))["hr"]
        assert km.compare_arms(r0.ipd, r1.ipd)["hr"] == pytest.approx(original, abs=0.05)


def test_rebuilt_data_reproduce_the_numbers_at_risk_exactly_and_the_total_events_nearly(rebuilt_jittered):
    # The total only steers the last interval's censoring; earlier intervals' events are the curve's.
    for arms in rebuilt_jittered.values():
        for time, event, rec in arms:
            times = np.array([t for t, _ in rec.ipd])
            assert [(t, int((times >= t).sum())) for t, _ in _risk_table(time)] == _risk_table(time)
            assert rec.n == len(time) and abs(rec.events - int(event.sum())) <= 2
            assert all(iv.matched for iv in rec.intervals[:-1])


@pytest.mark.parametrize("which", ["rebuilt_plain", "rebuilt_jittered"])
def test_the_reported_fit_to_the_digitised_points_is_within_001_rmse(which, request):
    for arms in request.getfixturevalue(which).values():
        for _, _, rec in arms:
            assert km.reconstruction_error(rec.ipd, rec.curve.times, rec.curve.survival)["rmse"] <= 0.01


def test_without_total_events_the_curve_is_still_rebuilt_within_tolerance():
    for time, event, rec in _rebuild_trial(0, with_events=False):
        assert _vertical_gap(_km(time, event), km.fit_km(rec.ipd), _until_ten_at_risk(time)) <= 0.02
        assert rec.total_events is None


def test_without_a_risk_table_n_and_total_events_rebuild_an_uncensored_trial():
    rng = np.random.default_rng(7)
    event_time = np.round(rng.exponential(10 / np.log(2), 200), 2)
    time, event = np.minimum(event_time, 30.0), (event_time <= 30.0).astype(int)
    rec = guyot.reconstruct(_digitise(rng, time, event), n=200, total_events=int(event.sum()))
    assert rec.n == 200 and rec.events == int(event.sum())
    assert _vertical_gap(_km(time, event), km.fit_km(rec.ipd), 30.0) <= 0.02


def test_reconstruction_is_deterministic():
    first = _rebuild_trial(2, time_sd=0.05)
    again = _rebuild_trial(2, time_sd=0.05)
    assert [r.ipd for _, _, r in first] == [r.ipd for _, _, r in again]


# -- the algorithm on small hand-made curves ----------------------------------------------------

STEPS = [(0, 1.0), (2, 1.0), (2, 0.9), (5, 0.9), (5, 0.8), (9, 0.8), (9, 0.6), (12, 0.6)]


def test_an_uncensored_curve_of_ten_gives_one_event_per_tenth():
    rec = guyot.reconstruct(STEPS, n=10)
    assert [t for t, e in rec.ipd if e] == [2.0, 5.0, 9.0, 9.0]
    assert [t for t, e in rec.ipd if not e] == [12.0] * 6


def test_censoring_in_an_interval_is_spread_uniformly_to_match_the_next_number_at_risk():
    rec = guyot.reconstruct(STEPS, [(0, 10), (6, 7)])
    censored = [t for t, e in rec.ipd if not e and t < 6]
    assert censored == [3.0]  # one censoring, halfway through [0, 6): 10 - 2 events - 1 = 7
    assert rec.intervals[0].matched and rec.intervals[0].rebuilt_end == 7


def test_last_interval_takes_the_earlier_censoring_rate_when_total_events_are_unknown():
    curve = [(0, 1.0), (10, 1.0), (20, 1.0)]
    rec = guyot.reconstruct(curve, [(0, 100), (10, 90)])
    # 10 censored per 100 patients over 10 months; 90 at risk for 10 more months: 9 censored.
    assert rec.intervals[-1].censored == 9
    assert rec.events == 0 and rec.n == 100


def test_last_interval_censoring_is_iterated_until_the_total_events_match():
    curve = [(0, 1.0), (4, 0.5), (8, 0.5)]
    free = guyot.reconstruct(curve, [(0, 20), (2, 20)])
    assert free.events == 10
    fixed = guyot.reconstruct(curve, [(0, 20), (2, 20)], total_events=8)
    assert fixed.events == 8 and fixed.intervals[-1].matched


def test_total_events_beyond_what_the_curve_allows_are_reported_unmatched():
    rec = guyot.reconstruct(STEPS, n=10, total_events=9)
    assert rec.events == 4 and not rec.intervals[-1].matched


# -- cleaning -----------------------------------------------------------------------------------

def test_percentages_are_detected_and_scaled():
    curve = guyot.clean_curve([(t, s * 100) for t, s in STEPS])
    assert curve.percent and curve.survival == guyot.clean_curve(STEPS).survival


def test_points_in_any_order_give_the_same_curve():
    assert guyot.clean_curve(STEPS[::-1]) == guyot.clean_curve(STEPS)


def test_cleaning_adds_time_zero_clamps_and_takes_the_running_minimum():
    curve = guyot.clean_curve([(1, 1.01), (3, 0.8), (4, 0.81), (6, -0.01)])
    assert curve.times == (0.0, 1.0, 3.0, 4.0, 6.0)
    assert curve.survival == (1.0, 1.0, 0.8, 0.8, 0.0)


def test_a_point_at_time_zero_is_survival_one_and_small_negative_times_are_zero():
    curve = guyot.clean_curve([(-0.05, 0.98), (5, 0.9), (10, 0.7)])
    assert curve.times[0] == 0.0 and curve.survival[0] == 1.0 and len(curve.times) == 3


def test_corners_of_a_drop_clicked_out_of_order_are_tolerated():
    curve = guyot.clean_curve([(0, 1.0), (4.98, 0.7), (5.02, 0.9), (10, 0.7)])
    assert curve.survival == (1.0, 0.7, 0.7, 0.7)


@pytest.mark.parametrize("points, row, reason", [
    ([(0, 1.0), (5, 0.6), (10, 0.7)], 3, "rises"),
    ([(0, 1.0), (-1, 0.9), (10, 0.7)], 2, "negative time"),
    ([(0, 1.0), (5, 1.2), (10, 0.7)], 2, "outside"),
    ([(0, 1.0), (5, "n/a")], 2, "not a number"),
    ([(0, 1.0), (5, float("nan"))], 2, "not a finite number"),
])
def test_bad_curves_are_refused_naming_the_row(points, row, reason):
    with pytest.raises(guyot.CurveInputError, match=reason) as err:
        guyot.clean_curve(points)
    assert err.value.which == "curve" and err.value.index == row - 1


@pytest.mark.parametrize("risk, row, reason", [
    ([(0, 10), (6, 8), (15, 5)], 3, "longer than the curve"),
    ([(1, 10), (6, 8)], 1, "not at time 0"),
    ([(0, 10), (6, 11)], 2, "more than"),
    ([(0, 10), (6, 8), (4, 7)], 3, "does not follow"),
    ([(0, 10), (6, 7.5)], 2, "whole number"),
    ([(0, 10), (-6, 7)], 2, "negative time"),
])
def test_bad_risk_tables_are_refused_naming_the_row(risk, row, reason):
    with pytest.raises(guyot.CurveInputError, match=reason) as err:
        guyot.reconstruct(STEPS, risk)
    assert err.value.which == "risk" and err.value.index == row - 1


def test_without_a_risk_table_the_number_of_patients_is_required():
    with pytest.raises(guyot.CurveInputError, match="total number of patients"):
        guyot.reconstruct(STEPS)
