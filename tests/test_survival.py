import math

import numpy as np
import pandas as pd
import pytest
from lifelines import ExponentialFitter, WeibullFitter
from lifelines.utils import restricted_mean_survival_time
from scipy.integrate import quad

from livingreview.analysis import survival as S
from records import hou, liao, qa_page, radiotherapy, wang


def _rate(endpoint, value, t, arm=None):
    return {"endpoint": endpoint, "measure": "rate", "arm": arm, "value": value, "unit": "%",
            "ci": None, "timepoint_months": t, "p": None, "quote": f"{value}% at {t} months",
            "span": [0, 1]}


def _median(endpoint, value, arm=None):
    return {"endpoint": endpoint, "measure": "median", "arm": arm, "value": value, "unit": "months",
            "ci": None, "timepoint_months": None, "p": None, "quote": f"median {value} months",
            "span": [0, 1]}


def _record_with(endpoints):
    rec = wang()
    rec["endpoints"] = endpoints
    return rec


# -- closed forms ----------------------------------------------------------------------------------

def test_exponential_hazard_from_median_10_is_ln2_over_10():
    assert S.exponential_hazard(10) == pytest.approx(math.log(2) / 10, rel=1e-15)
    assert S.exponential_survival(10, S.exponential_hazard(10)) == pytest.approx(0.5)


def test_exponential_hazard_rejects_non_positive_median():
    with pytest.raises(ValueError):
        S.exponential_hazard(0)


@pytest.mark.parametrize("median,tau", [(10, 12), (10, 24), (4.6, 12), (52, 24)])
def test_exponential_rmst_matches_closed_form_and_quad(median, tau):
    h = math.log(2) / median
    closed = (1 - math.exp(-h * tau)) / h
    numeric = quad(lambda t: math.exp(-h * t), 0, tau)[0]
    assert S.exponential_rmst(h, tau) == pytest.approx(closed, rel=1e-12)
    assert S.exponential_rmst(h, tau) == pytest.approx(numeric, rel=1e-9)


@pytest.mark.parametrize("lam,rho,tau", [(20, 1.5, 12), (20, 1.5, 24), (45, 3.0, 24), (8, 0.7, 12)])
def test_weibull_rmst_matches_quad_integral(lam, rho, tau):
    numeric = quad(lambda t: math.exp(-((t / lam) ** rho)), 0, tau)[0]
    assert S.weibull_rmst(lam, rho, tau) == pytest.approx(numeric, rel=1e-9)


def test_weibull_with_shape_one_is_the_exponential():
    h = math.log(2) / 10
    t = np.array([0, 5, 10, 30])
    assert np.allclose(S.weibull_survival(t, 1 / h, 1.0), S.exponential_survival(t, h))
    assert S.weibull_rmst(1 / h, 1.0, 24) == pytest.approx(S.exponential_rmst(h, 24), rel=1e-12)


def test_two_point_weibull_round_trips_known_parameters():
    lam, rho = 20.0, 1.5
    points = [(t, float(S.weibull_survival(t, lam, rho))) for t in (10.0, 30.0)]
    got = S.weibull_from_points(points)
    assert got == pytest.approx((lam, rho), rel=1e-12)


def test_least_squares_weibull_recovers_parameters_from_exact_points():
    lam, rho = 40.0, 2.5
    points = [(t, float(S.weibull_survival(t, lam, rho))) for t in (12.0, 24.0, 36.0, 48.0)]
    assert S.weibull_from_points(points) == pytest.approx((lam, rho), rel=1e-10)


def test_weibull_needs_two_usable_points():
    with pytest.raises(ValueError):
        S.weibull_from_points([(12, 1.0), (24, 0.5)])  # S = 1 is unusable in log(-log S)


def test_weibull_refuses_points_that_rise_over_time():
    with pytest.raises(ValueError):
        S.weibull_from_points([(12, 0.4), (24, 0.8)])


def test_parametrisation_matches_lifelines_weibull_and_exponential_fitters():
    # a deterministic, uncensored sample at exact Weibull quantiles; lifelines fits its own params,
    # and our closed forms must agree with lifelines' survival function and RMST for those params
    lam, rho = 18.0, 1.7
    u = (np.arange(1, 2001) - 0.5) / 2000
    durations = lam * (-np.log1p(-u)) ** (1 / rho)
    wf = WeibullFitter().fit(durations)
    assert wf.lambda_ == pytest.approx(lam, rel=0.02)
    assert wf.rho_ == pytest.approx(rho, rel=0.02)
    times = np.array([3.0, 12.0, 24.0])
    assert np.allclose(S.weibull_survival(times, wf.lambda_, wf.rho_),
                       wf.survival_function_at_times(times).to_numpy(), atol=1e-12)
    assert S.weibull_rmst(wf.lambda_, wf.rho_, 12) == pytest.approx(
        restricted_mean_survival_time(wf, t=12), rel=1e-8)
    ef = ExponentialFitter().fit(durations)
    assert S.exponential_rmst(1 / ef.lambda_, 24) == pytest.approx(
        restricted_mean_survival_time(ef, t=24), rel=1e-8)


# -- models from records ---------------------------------------------------------------------------

def test_two_arm_medians_give_one_exponential_per_arm_and_no_weibull():
    models = S.fit_models(liao())
    assert list(zip(models["endpoint"], models["arm"], models["model"])) == [
        ("OS", "HIFU + ICI", "exponential"), ("OS", "ICI alone", "exponential"),
        ("PFS", "HIFU + ICI", "exponential"), ("PFS", "ICI alone", "exponential")]
    pfs = models[(models["endpoint"] == "PFS") & (models["arm"] == "HIFU + ICI")].iloc[0]
    assert pfs["hazard"] == round(math.log(2) / 10.95, S.PARAM_DECIMALS)
    assert pfs["basis"] == "median 10.95 months"


def test_landmark_of_100_percent_is_skipped_and_said():
    models = S.fit_models(wang())
    weibull = models[models["model"] == "Weibull"].iloc[0]
    assert bool(weibull["fitted"])
    assert weibull["n_points"] == 3  # median + 24 and 36 months; the 100% at 12 months is left out
    assert "100% at 12 months skipped" in weibull["note"]
    assert "least squares" in weibull["note"]


def test_median_and_one_landmark_give_a_curve_through_both_points():
    rec = _record_with([_median("OS", 20), _rate("OS", 70, 12)])
    m = S._fit_models_raw(rec)
    w = m[m["model"] == "Weibull"].iloc[0]
    assert "two-point closed form" in w["note"]
    assert S.weibull_survival(20, w["lambda_"], w["rho_"]) == pytest.approx(0.5, rel=1e-12)
    assert S.weibull_survival(12, w["lambda_"], w["rho_"]) == pytest.approx(0.70, rel=1e-12)


def test_rates_only_fit_a_weibull_but_no_exponential():
    rec = _record_with([_rate("PFS", 60, 6), _rate("PFS", 30, 12)])
    models = S.fit_models(rec)
    assert list(models["model"]) == ["Weibull"]
    assert bool(models["fitted"].iloc[0])


def test_a_lone_100_percent_landmark_gives_an_unfitted_row_with_the_reason():
    rec = _record_with([_rate("OS", 100, 12)])
    models = S.fit_models(rec)
    assert list(models["fitted"]) == [False]
    assert "S = 1" in models["note"].iloc[0]
    assert S.reconstruct(rec).empty and S.rmst_table(rec).empty


def test_conflicting_medians_fit_no_exponential():
    rec = _record_with([_median("OS", 20), _median("OS", 22)])
    models = S.fit_models(rec)
    assert list(models["fitted"]) == [False]
    assert "conflicting medians" in models["note"].iloc[0]


def test_repeated_identical_median_counts_once():
    rec = _record_with([_median("OS", 20), _median("OS", 20)])
    models = S.fit_models(rec)
    assert list(models["model"]) == ["exponential"] and bool(models["fitted"].iloc[0])


def test_unnamed_arm_of_single_arm_study_takes_the_arm_name():
    models = S.fit_models(radiotherapy())
    assert set(models["arm"]) == {"Radiotherapy + ICI"}


def test_hou_fits_weibull_for_os_and_pfs_from_median_and_rates():
    models = S.fit_models(hou())
    weibull = models[models["model"] == "Weibull"].set_index("endpoint")
    assert weibull.loc["OS", "n_points"] == 4 and weibull.loc["PFS", "n_points"] == 3
    assert weibull["fitted"].all()
    assert (weibull["rho_"] > 1).all()  # hazards rising over time, as the steep landmark rates imply


# -- curves and RMST -------------------------------------------------------------------------------

def test_reconstruct_uses_the_fixed_grid_and_labels_every_row():
    curves = S.reconstruct(liao())
    assert list(curves.columns) == S.CURVE_COLUMNS
    one = curves[(curves["endpoint"] == "PFS") & (curves["arm"] == "HIFU + ICI")]
    assert list(one["time_months"]) == [i * 0.5 for i in range(121)]
    assert one["survival"].iloc[0] == 1.0
    at12 = one.loc[one["time_months"] == 12.0, "survival"].iloc[0]
    assert at12 == round(math.exp(-math.log(2) / 10.95 * 12), S.SURVIVAL_DECIMALS)
    assert (curves["source"] == "reconstructed from summary statistics").all()
    assert (curves["survival"] == curves["survival"].round(S.SURVIVAL_DECIMALS)).all()


def test_reconstruct_is_identical_across_calls():
    pd.testing.assert_frame_equal(S.reconstruct(hou()), S.reconstruct(hou()))
    assert S.reconstruct(hou()).to_csv() == S.reconstruct(hou()).to_csv()


def test_rmst_table_gives_12_and_24_months_from_the_closed_forms():
    table = S.rmst_table(liao())
    row = table[(table["endpoint"] == "OS") & (table["arm"] == "HIFU + ICI")].set_index("tau_months")
    h = math.log(2) / 19.6
    assert list(row.index) == [12, 24]
    assert row.loc[12, "rmst_months"] == round((1 - math.exp(-h * 12)) / h, S.RMST_DECIMALS)
    assert row.loc[24, "rmst_months"] == round((1 - math.exp(-h * 24)) / h, S.RMST_DECIMALS)
    assert (table["rmst_months"] <= table["tau_months"]).all()
    assert (table["source"] == S.SOURCE_LABEL).all()


def test_rmst_of_weibull_rows_matches_quad_on_the_fitted_curve():
    raw = S._fit_models_raw(hou())
    w = raw[(raw["model"] == "Weibull") & (raw["endpoint"] == "OS")].iloc[0]
    table = S.rmst_table(hou())
    got = table[(table["model"] == "Weibull") & (table["endpoint"] == "OS") & (table["tau_months"] == 24)]
    numeric = quad(lambda t: float(S.weibull_survival(t, w["lambda_"], w["rho_"])), 0, 24)[0]
    assert got["rmst_months"].iloc[0] == round(numeric, S.RMST_DECIMALS)


def test_record_without_endpoints_gives_empty_frames_with_columns():
    rec = qa_page()
    assert list(S.reconstruct(rec).columns) == S.CURVE_COLUMNS and S.reconstruct(rec).empty
    assert list(S.rmst_table(rec).columns) == S.RMST_COLUMNS and S.rmst_table(rec).empty
    assert list(S.fit_models(rec).columns) == S.MODEL_COLUMNS and S.fit_models(rec).empty
    assert list(S.reported_points(rec).columns) == S.POINT_COLUMNS


def test_reported_points_put_medians_at_one_half_and_rates_as_fractions():
    pts = S.reported_points(wang())
    assert list(zip(pts["kind"], pts["time_months"], pts["survival"])) == [
        ("median", 52.0, 0.5), ("rate", 12.0, 1.0), ("rate", 24.0, 0.933), ("rate", 36.0, 0.72)]


def test_preferred_models_keep_weibull_where_fitted():
    best = S.preferred_models(S.fit_models(hou()))
    assert set(best["model"]) == {"Weibull"}
    best = S.preferred_models(S.fit_models(liao()))
    assert set(best["model"]) == {"exponential"} and len(best) == 4
