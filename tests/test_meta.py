"""Random-effects pooling against metafor's published BCG figures, and the `pool` command."""
from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from livingreview.analysis import meta

ROOT = Path(__file__).resolve().parents[1]

# dat.bcg (Colditz et al. 1994; metafor's example data): trial, tpos, tneg, cpos, cneg.
BCG = [
    ("Aronson 1948", 4, 119, 11, 128),
    ("Ferguson & Simes 1949", 6, 300, 29, 274),
    ("Rosenthal 1960", 3, 228, 11, 209),
    ("Hart & Sutherland 1977", 62, 13536, 248, 12619),
    ("Frimodt-Moller 1973", 33, 5036, 47, 5761),
    ("Stein & Aronson 1953", 180, 1361, 372, 1079),
    ("Vandiviere 1973", 8, 2537, 10, 619),
    ("TPT Madras 1980", 505, 87886, 499, 87892),
    ("Coetzee & Berjak 1968", 29, 7470, 45, 7232),
    ("Rosenthal 1961", 17, 1699, 65, 1600),
    ("Comstock 1974", 186, 50448, 141, 27197),
    ("Comstock & Webster 1969", 5, 2493, 3, 2338),
    ("Comstock 1976", 27, 16886, 29, 17825),
]


@pytest.fixture(scope="module")
def bcg() -> list[meta.Effect]:
    out = []
    for name, a, b, c, d in BCG:
        yi, vi = meta.log_risk_ratio(a, b, c, d)
        out.append(meta.Effect(name, yi, vi))
    return out


def fit(effects, **kw):
    return meta.fit_effects(effects, **kw)


def r4(x):
    return round(x, 4)


def test_log_risk_ratios_match_escalc_for_the_first_trial(bcg):
    # escalc(measure="RR", ...) prints yi -0.8893, vi 0.3256 for Aronson 1948.
    assert (r4(bcg[0].yi), r4(bcg[0].vi)) == (-0.8893, 0.3256)


def test_reml_matches_metafor_rma_default_to_four_decimals(bcg):
    # rma(yi, vi, data=dat): tau^2 0.3132, I^2 92.22%, H^2 12.86, Q(12) 152.2330,
    # estimate -0.7145, se 0.1798, ci -1.0669 to -0.3622.
    res = fit(bcg, method="reml", ci="wald")
    assert r4(res.tau2) == 0.3132
    assert r4(res.estimate) == -0.7145
    assert r4(res.se) == 0.1798
    assert round(res.I2, 2) == 92.22
    assert round(res.H2, 2) == 12.86
    assert r4(res.Q) == 152.2330 and res.Q_df == 12 and res.Q_p < 1e-4
    assert (r4(res.ci[0]), r4(res.ci[1])) == (-1.0669, -0.3622)
    assert res.pval < 1e-4 and r4(res.statistic) == -3.9744


def test_reml_tau2_standard_error_is_metafors(bcg):
    # rma(yi, vi, data=dat) prints tau^2 0.3132 (SE = 0.1664), tau 0.5597.
    res = fit(bcg, method="reml", ci="wald")
    assert r4(res.tau2_se) == 0.1664 and r4(res.tau) == 0.5597


def test_dersimonian_laird_matches_metafor_method_dl(bcg):
    # rma(yi, vi, data=dat, method="DL"): tau^2 0.3088, I^2 92.12%, H^2 12.69,
    # estimate -0.7141, se 0.1787, ci -1.0644 to -0.3638.
    res = fit(bcg, method="dl", ci="wald")
    assert r4(res.tau2) == 0.3088
    assert r4(res.estimate) == -0.7141
    assert r4(res.se) == 0.1787
    assert round(res.I2, 2) == 92.12
    assert round(res.H2, 2) == 12.69
    assert (r4(res.ci[0]), r4(res.ci[1])) == (-1.0644, -0.3638)


def test_dl_matches_metafors_own_test_figures_for_rr_and_or(bcg):
    # metafor's tests (test_misc_metan_vs_rma.uni_with_dat.bcg.r, checked against Stata metan):
    # RR: z -3.9952, I² 92.1173, exp: 0.4896 (0.3449 to 0.6950);
    # OR: estimate -0.7474 (-1.1242 to -0.3706), z -3.8873, tau² 0.3663, I² 92.6455.
    rr = fit(bcg, method="dl", ci="wald")
    assert r4(rr.statistic) == -3.9952 and r4(rr.I2) == 92.1173
    assert r4(math.exp(rr.estimate)) == 0.4896
    assert [r4(math.exp(x)) for x in rr.ci] == [0.3449, 0.6950]
    log_or = [meta.Effect(n, math.log(a * d / (b * c)), 1 / a + 1 / b + 1 / c + 1 / d)
              for n, a, b, c, d in BCG]
    res = fit(log_or, method="dl", ci="wald")
    assert (r4(res.estimate), r4(res.ci[0]), r4(res.ci[1])) == (-0.7474, -1.1242, -0.3706)
    assert (r4(res.statistic), r4(res.tau2), r4(res.I2)) == (-3.8873, 0.3663, 92.6455)


def test_ratio_measure_summary_back_transforms_with_exp(bcg):
    out = fit(bcg, method="dl", ci="wald", measure="ratio").summary()
    assert r4(out["estimate"]) == 0.4896 and [r4(x) for x in out["ci"]] == [0.3449, 0.6950]
    assert r4(out["log_estimate"]) == -0.7141 and out["scale"] == "log"


def test_dl_i2_equals_the_q_based_formula(bcg):
    res = fit(bcg, method="dl", ci="wald")
    assert math.isclose(res.I2, 100 * (res.Q - res.Q_df) / res.Q, rel_tol=1e-12)


def test_reml_converges_by_fisher_scoring_to_a_zero_score(bcg):
    res = fit(bcg, method="reml", ci="wald")
    w = [1 / (e.vi + res.tau2) for e in bcg]
    sw = sum(w)
    mu = sum(wi * e.yi for wi, e in zip(w, bcg)) / sw
    # REML score: Y'PPY - tr(P) = 0 at the estimate.
    score = sum((wi * (e.yi - mu)) ** 2 for wi, e in zip(w, bcg)) - (sw - sum(x * x for x in w) / sw)
    assert abs(score) < 1e-8
    assert 1 < res.iterations < 50


def test_hksj_uses_t_with_k_minus_1_df_and_the_q_scaled_variance(bcg):
    # With q > 1 (here 1.0113) the guard does not bind, so this is metafor's test="knha":
    # se 0.1808, ci -1.1084 to -0.3206, p 0.0019. Not from metafor's manual: our formula's
    # figures, which agree with a third-party dump of metafor's knha output for dat.bcg.
    res = fit(bcg, method="reml", ci="hksj")
    assert res.hksj_q > 1
    assert math.isclose(res.se, res.se_wald * math.sqrt(res.hksj_q), rel_tol=1e-12)
    assert r4(res.se) == 0.1808
    assert (r4(res.ci[0]), r4(res.ci[1])) == (-1.1084, -0.3206)
    assert r4(res.pval) == 0.0019
    unguarded = fit(bcg, method="reml", ci="hksj", hksj_guard=False)
    assert unguarded.ci == res.ci and unguarded.ci_method == "knha"


def test_hksj_guard_keeps_the_interval_at_least_as_wide_as_wald_when_q_is_below_one():
    effects = [meta.Effect("a", -0.30, 0.04), meta.Effect("b", -0.32, 0.05), meta.Effect("c", -0.29, 0.06)]
    guarded = fit(effects, ci="hksj")
    raw = fit(effects, ci="hksj", hksj_guard=False)
    wald = fit(effects, ci="wald")
    assert guarded.hksj_q < 1
    assert raw.ci[1] - raw.ci[0] < wald.ci[1] - wald.ci[0]  # why the guard exists
    assert guarded.ci[1] - guarded.ci[0] > wald.ci[1] - wald.ci[0]
    assert math.isclose(guarded.se, wald.se)


def test_prediction_interval_uses_t_with_k_minus_2_df(bcg):
    from scipy import stats
    res = fit(bcg)
    half = stats.t.ppf(0.975, 11) * math.sqrt(res.tau2 + res.se_wald ** 2)
    assert res.prediction_interval == pytest.approx((res.estimate - half, res.estimate + half))


def test_no_prediction_interval_with_two_studies():
    res = fit([meta.Effect("a", 0.1, 0.02), meta.Effect("b", 0.3, 0.03)])
    assert res.k == 2 and res.prediction_interval is None
    assert res.summary()["prediction_interval"] is None


def test_homogeneous_studies_give_zero_tau2_and_the_fixed_effect_mean():
    effects = [meta.Effect("a", 0.2, 0.01), meta.Effect("b", 0.2, 0.04), meta.Effect("c", 0.2, 0.02)]
    res = fit(effects)
    assert res.tau2 == 0 and res.I2 == 0 and res.estimate == pytest.approx(0.2)


def test_fewer_than_two_studies_is_refused():
    with pytest.raises(meta.MetaError, match="two or more"):
        meta.fit([0.1], [0.01])


def test_ratio_effect_reads_the_log_scale_se_from_the_95_ci():
    e = meta.ratio_effect("s", 0.70, 0.50, 0.98)
    assert e.yi == pytest.approx(math.log(0.70))
    assert math.sqrt(e.vi) == pytest.approx((math.log(0.98) - math.log(0.50)) / (2 * 1.959964))


def test_ratio_effect_refuses_a_low_bound_above_the_estimate():
    with pytest.raises(meta.MetaError, match="ci_low"):
        meta.ratio_effect("s", 0.70, 0.80, 0.98)


def test_proportion_corrects_only_zero_or_all_events():
    plain = meta.proportion_effect("s", 5, 20)
    assert plain.yi == pytest.approx(math.log(5 / 15)) and plain.note == ""
    zero = meta.proportion_effect("z", 0, 20)
    assert zero.yi == pytest.approx(math.log(0.5 / 20.5)) and "0.5 added" in zero.note
    full = meta.proportion_effect("f", 20, 20)
    assert full.yi == pytest.approx(math.log(20.5 / 0.5))


def test_proportion_summary_is_back_transformed_with_the_logit_kept():
    effects = [meta.proportion_effect("a", 10, 40), meta.proportion_effect("b", 12, 40)]
    out = fit(effects, measure="proportion").summary()
    assert 0 < out["ci"][0] < out["estimate"] < out["ci"][1] < 1
    assert out["estimate"] == pytest.approx(1 / (1 + math.exp(-out["log_estimate"])))
    assert out["scale"] == "logit"


def test_leave_one_out_refits_without_each_study(bcg):
    rows = meta.leave_one_out(bcg, ci="wald")
    assert [name for name, _ in rows] == [b[0] for b in BCG]
    assert all(r.k == 12 for _, r in rows)
    full = fit(bcg, ci="wald")
    assert len({round(r.estimate, 6) for _, r in rows}) > 1
    assert all(r.estimate != full.estimate for _, r in rows)


def test_leave_one_out_needs_three_studies():
    with pytest.raises(meta.MetaError, match="three"):
        meta.leave_one_out([meta.Effect("a", 0.1, 0.02), meta.Effect("b", 0.3, 0.03)])


def test_without_high_risk_studies_says_when_too_few_remain():
    effects = [meta.Effect("a", 0.1, 0.02), meta.Effect("b", 0.3, 0.03), meta.Effect("c", 0.2, 0.03)]
    assert meta.without(effects, {"a"}).k == 2
    assert meta.without(effects, {"a", "b"}) == "1 study left: not pooled"


def _row(study, comparison="TACE+ICI vs TACE", endpoint="OS", measure="ratio", effect="HR",
         estimate=0.7, lo=0.5, hi=0.95):
    return {"study": study, "comparison": comparison, "endpoint": endpoint, "measure": measure,
            "effect": effect, "estimate": estimate, "ci_low": lo, "ci_high": hi}


def test_groups_pool_within_comparison_and_endpoint_only():
    rows = [_row("a"), _row("b", estimate=0.8, hi=1.1), _row("c", endpoint="PFS"),
            _row("d", comparison="HAIC vs sorafenib")]
    groups = {g.key: g for g in meta.group_and_pool(rows)}
    assert groups[("TACE+ICI vs TACE", "OS")].pooled
    assert groups[("TACE+ICI vs TACE", "OS")].result.k == 2
    assert groups[("TACE+ICI vs TACE", "PFS")].reason.startswith("only one study (c)")
    assert not groups[("HAIC vs sorafenib", "OS")].pooled


def test_groups_with_mixed_measures_or_effect_types_are_not_pooled():
    mixed = [_row("a"), {"study": "b", "comparison": "TACE+ICI vs TACE", "endpoint": "OS",
                         "measure": "proportion", "events": 3, "total": 10}]
    assert "mixed measures" in meta.group_and_pool(mixed)[0].reason
    kinds = [_row("a"), _row("b", effect="OR")]
    assert "mixed effect types (HR, OR)" in meta.group_and_pool(kinds)[0].reason


def test_a_study_twice_in_a_group_is_not_pooled():
    assert "more than once (a)" in meta.group_and_pool([_row("a"), _row("a"), _row("b")])[0].reason


# --- the command -------------------------------------------------------------------------------

def run_pool(tmp_path: Path, text: str, *args: str) -> subprocess.CompletedProcess:
    path = tmp_path / "effects.csv"
    path.write_text(text, encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "livingreview", "pool", str(path), *args],
                          cwd=ROOT, capture_output=True, text=True, check=False)


def test_pool_command_reproduces_metafor_on_bcg_generic_rows(tmp_path, bcg):
    text = "study,yi,vi\n" + "".join(f"{e.study},{e.yi!r},{e.vi!r}\n" for e in bcg)
    done = run_pool(tmp_path, text, "--ci", "wald")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["k"] == 13 and out["method"] == "reml" and out["ci_method"] == "wald"
    assert (r4(out["tau2"]), r4(out["estimate"]), r4(out["se"]), round(out["I2"], 2)) == (
        0.3132, -0.7145, 0.1798, 92.22)
    assert [r4(x) for x in out["ci"]] == [-1.0669, -0.3622]
    assert len(out["prediction_interval"]) == 2 and r4(out["Q"]) == 152.2330


def test_pool_command_dl_option(tmp_path, bcg):
    text = "study,yi,vi\n" + "".join(f"{e.study},{e.yi!r},{e.vi!r}\n" for e in bcg)
    out = json.loads(run_pool(tmp_path, text, "--method", "dl", "--ci", "wald").stdout)
    assert out["method"] == "dl" and r4(out["tau2"]) == 0.3088


def test_pool_command_back_transforms_ratios(tmp_path):
    text = "study,estimate,ci_low,ci_high\nAlpha,0.70,0.50,0.98\nBeta,0.80,0.60,1.10\n"
    out = json.loads(run_pool(tmp_path, text).stdout)
    assert out["measure"] == "ratio" and out["ci_method"] == "hksj" and out["k"] == 2
    assert out["estimate"] == pytest.approx(math.exp(out["log_estimate"]))
    assert out["prediction_interval"] is None


def test_pool_command_reads_proportions(tmp_path):
    text = "study,events,total\nA,12,40\nB,0,25\nC,9,30\n"
    out = json.loads(run_pool(tmp_path, text, "--measure", "proportion").stdout)
    assert out["k"] == 3 and 0 < out["estimate"] < 1
    assert any("B: 0.5 added" in n for n in out["notes"])


@pytest.mark.parametrize("text, reason", [
    ("study,yi\nA,0.1\nB,0.2\n", "row 1 (header): no measure's columns"),
    ("study,yi,vi\nA,0.1,0.01\nB,abc,0.02\n", "row 3: yi 'abc' is not a number"),
    ("study,yi,vi\nA,0.1,0.01\nB,0.2,-0.02\n", "row 3: negative variance"),
    ("study,estimate,ci_low,ci_high\nA,0.7,0.8,0.9\nB,0.8,0.6,1.1\n", "row 2: ci_low 0.8 > estimate 0.7"),
    ("study,events,total\nA,12,10\nB,3,10\n", "row 2: events 12 > total 10"),
    ("study,yi,vi\nA,0.1,0.01\n", "1 data row(s): pooling needs two or more"),
])
def test_pool_command_bad_input_is_one_line_naming_file_row_and_reason(tmp_path, text, reason):
    done = run_pool(tmp_path, text)
    assert done.returncode == 1 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "effects.csv" in lines[0] and reason in lines[0]


def test_pool_command_named_measure_needs_its_columns(tmp_path):
    done = run_pool(tmp_path, "study,yi,vi\nA,0.1,0.01\nB,0.2,0.02\n", "--measure", "ratio")
    assert done.returncode == 1 and "missing column estimate, ci_low, ci_high" in done.stderr


# --- properties --------------------------------------------------------------------------------

studies = st.lists(st.tuples(st.floats(-3, 3), st.floats(0.001, 2.0)), min_size=2, max_size=15)


@settings(max_examples=60, deadline=None)
@given(studies, st.sampled_from(meta.METHODS))
def test_tau2_is_never_negative_and_the_mean_is_the_weighted_mean(rows, method):
    y, v = [r[0] for r in rows], [r[1] for r in rows]
    res = meta.fit(y, v, method=method, ci="wald")
    w = [1 / (vi + res.tau2) for vi in v]
    assert res.tau2 >= 0 and 0 <= res.I2 < 100
    assert res.estimate == pytest.approx(sum(a * b for a, b in zip(w, y)) / sum(w), abs=1e-9)
    assert sum(res.weights) == pytest.approx(100)


@settings(max_examples=60, deadline=None)
@given(studies, st.floats(-5, 5))
def test_shifting_every_effect_shifts_the_estimate_and_keeps_tau2(rows, shift):
    y, v = [r[0] for r in rows], [r[1] for r in rows]
    a, b = meta.fit(y, v), meta.fit([x + shift for x in y], v)
    assert b.estimate == pytest.approx(a.estimate + shift, abs=1e-7)
    assert b.tau2 == pytest.approx(a.tau2, abs=1e-7)


@settings(max_examples=60, deadline=None)
@given(studies)
def test_guarded_hksj_interval_contains_the_wald_interval(rows):
    y, v = [r[0] for r in rows], [r[1] for r in rows]
    hk, wald = meta.fit(y, v, ci="hksj"), meta.fit(y, v, ci="wald")
    assert hk.ci[0] <= wald.ci[0] + 1e-12 and hk.ci[1] >= wald.ci[1] - 1e-12


def test_reml_falls_back_to_bracketing_when_fisher_scoring_cycles():
    # Fisher scoring cycles between about 0 and 0.18 on these invented effects; the REML
    # estimate is the root of the score in between, and the result says how it was found.
    res = meta.fit([0, 0, 0, 0, 1.0], [1, 1, 1, 1, 0.125])
    assert abs(meta.reml_score(np.array([0, 0, 0, 0, 1.0]), np.array([1, 1, 1, 1, 0.125]), res.tau2)) < 1e-9
    assert 0.08 < res.tau2 < 0.09
    assert any("bracketing" in n for n in res.notes)


def test_identical_effects_give_a_zero_width_unguarded_hksj_interval_but_not_a_guarded_one():
    raw = meta.fit([0.2, 0.2, 0.2], [0.01, 0.02, 0.03], hksj_guard=False)
    guarded = meta.fit([0.2, 0.2, 0.2], [0.01, 0.02, 0.03])
    assert raw.ci == (0.2, 0.2) and raw.pval == 0.0
    assert guarded.ci[0] < 0.2 < guarded.ci[1] and guarded.se == pytest.approx(guarded.se_wald)
