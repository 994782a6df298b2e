"""lifelines analysis of (pseudo) patient data: KM summary, Cox HR and log-rank, RMST, fit to digitised points."""
from __future__ import annotations

import numpy as np
import pytest
from lifelines import KaplanMeierFitter

from livingreview.analysis import guyot, km

# Ten invented patients: events at 2, 4, 4, 7, 9; censored at 3, 5, 8, 10, 10.
TEN = [(2, 1), (3, 0), (4, 1), (4, 1), (5, 0), (7, 1), (8, 0), (9, 1), (10, 0), (10, 0)]


def _exponential(seed, n, median, follow_up=40.0):
    rng = np.random.default_rng(seed)
    t = rng.exponential(median / np.log(2), n)
    return [(float(min(x, follow_up)), int(x <= follow_up)) for x in t]


def test_summary_counts_and_median_with_its_confidence_interval():
    summary = km.km_summary(TEN)
    # S: 0.9 at 2, 0.9*6/8 = 0.675 at 4, 0.675*4/5 = 0.54 at 7, 0.54*2/3 = 0.36 at 9.
    assert summary["n"] == 10 and summary["events"] == 5
    assert summary["median"] == 9.0
    kmf = KaplanMeierFitter().fit([t for t, _ in TEN], [e for _, e in TEN])
    lower = kmf.confidence_interval_.iloc[:, 0]
    assert summary["median_ci"][0] == float(lower.index[(lower <= 0.5).to_numpy()][0])
    assert summary["median_ci"][1] is None  # the upper bound never reaches 0.5: not estimable


def test_landmarks_and_rmst_beyond_follow_up_are_none_not_extrapolated():
    summary = km.km_summary(TEN, landmarks=(5, 12), horizons=(5, 12))
    assert summary["survival_at"] == {"5": 0.675, "12": None}
    # RMST to 5 = 2*1 + 2*0.9 + 1*0.675.
    assert summary["rmst"] == {"5": pytest.approx(4.475), "12": None}


def test_default_landmarks_and_horizons_are_12_24_36_months():
    summary = km.km_summary(_exponential(1, 300, 15.0))
    assert list(summary["survival_at"]) == ["12", "24", "36"] == list(summary["rmst"])
    assert summary["survival_at"]["12"] > summary["survival_at"]["24"] > summary["survival_at"]["36"]
    assert 0 < summary["rmst"]["12"] < 12 and summary["rmst"]["12"] < summary["rmst"]["24"] < summary["rmst"]["36"]


def test_median_not_reached_is_none():
    assert km.km_summary([(5, 1), (10, 0), (10, 0), (10, 0)])["median"] is None


def test_cox_hr_and_logrank_compare_experimental_against_control():
    control, better = _exponential(2, 400, 10.0), _exponential(3, 400, 20.0)
    result = km.compare_arms(control, better)
    assert result["hr"] == pytest.approx(0.5, abs=0.1)
    assert result["hr_ci"][0] < result["hr"] < result["hr_ci"][1]
    assert result["logrank_p"] < 0.001 and result["cox_p"] < 0.001
    assert km.compare_arms(better, control)["hr"] == pytest.approx(1 / result["hr"], rel=1e-3)


def test_identical_arms_have_hr_one_and_logrank_p_one():
    result = km.compare_arms(TEN, TEN)
    assert result["hr"] == pytest.approx(1.0) and result["logrank_p"] == pytest.approx(1.0)


def test_points_on_the_steps_of_the_rebuilt_curve_have_no_error():
    # Both corners of each drop lie on the step curve (its vertical segments included).
    points = [(0, 1.0), (2, 1.0), (2, 0.9), (4, 0.9), (4, 0.675), (7, 0.675), (7, 0.54)]
    assert km.reconstruction_error(TEN, *zip(*points)) == {"rmse": 0.0, "max_abs_error": 0.0}


def test_error_is_the_vertical_distance_to_the_step_curve():
    error = km.reconstruction_error(TEN, [1.0, 3.0], [0.9, 0.95])
    assert error["max_abs_error"] == pytest.approx(0.1)
    assert error["rmse"] == pytest.approx(np.sqrt((0.1 ** 2 + 0.05 ** 2) / 2), abs=1e-4)


def test_report_of_a_reconstruction_has_the_command_fields():
    rec = guyot.reconstruct([(0, 100), (2, 100), (2, 90), (5, 90), (5, 80), (12, 80)], [(0, 10), (6, 7)])
    report = km.reconstruction_report(rec)
    assert {"n", "events", "median", "rmse", "max_abs_error", "median_ci", "rmst", "intervals"} <= set(report)
    assert report["n"] == 10 and report["events"] == 2 and report["survival_input"] == "percent"
    # One censoring at 3 leaves 8 at risk at 5: one event there gives 0.9 * 7/8 = 0.7875, not 0.8.
    assert report["max_abs_error"] == 0.0125 and report["intervals"][0]["matched"]


def test_empty_data_are_refused():
    with pytest.raises(ValueError, match="no patients"):
        km.km_summary([])


def test_km_frame_and_censor_marks_give_what_a_plot_draws():
    frame = km.km_frame(TEN)
    assert list(frame.columns) == ["time", "survival", "lower", "upper"]
    assert frame["time"].iloc[0] == 0.0 and frame["survival"].iloc[0] == 1.0
    assert (frame["lower"] <= frame["survival"]).all() and (frame["survival"] <= frame["upper"]).all()
    marks = km.censor_marks(TEN)
    assert marks["time"].tolist() == [3.0, 5.0, 8.0, 10.0]
    assert marks["survival"].round(4).tolist() == [0.9, 0.675, 0.54, 0.36]


@pytest.mark.parametrize("rebuilt, reported, decimals, differs", [
    (12.3, 12.3, 1, False),
    (12.9, 12.3, 1, False),   # within 5 %
    (13.2, 12.3, 1, True),
    (None, 12.3, 1, True),    # not reached against a reported median
    (2.4, 2.0, 0, False),     # within half a unit of a whole-month median
])
def test_a_rebuilt_median_is_flagged_beyond_rounding_and_digitising_error(rebuilt, reported, decimals, differs):
    assert km.median_differs(rebuilt, reported, decimals) is differs
