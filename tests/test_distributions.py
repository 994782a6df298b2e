"""The pooling's tail and quantile functions give scipy.stats's numbers to the last bit."""
import math

from hypothesis import given, strategies as st
from scipy import stats

from livingreview.analysis import distributions

probabilities = st.floats(min_value=1e-12, max_value=1 - 1e-12)
statistics = st.floats(min_value=0, max_value=60) | st.just(math.inf)
degrees = st.integers(min_value=1, max_value=400)


@given(probabilities)
def test_the_normal_quantile_is_scipy_stats_own(q):
    assert distributions.norm_ppf(q) == float(stats.norm.ppf(q))


@given(statistics)
def test_the_normal_tail_is_scipy_stats_own(x):
    assert distributions.norm_sf(x) == float(stats.norm.sf(x))


@given(probabilities, degrees)
def test_the_t_quantile_is_scipy_stats_own(q, df):
    assert distributions.t_ppf(q, df) == float(stats.t.ppf(q, df))


@given(statistics, degrees)
def test_the_t_tail_is_scipy_stats_own(x, df):
    assert distributions.t_sf(x, df) == float(stats.t.sf(x, df))


@given(st.floats(min_value=0, max_value=500), degrees)
def test_the_chi_squared_tail_is_scipy_stats_own(x, df):
    assert distributions.chi2_sf(x, df) == float(stats.chi2.sf(x, df))


def test_the_usual_critical_values():
    assert round(distributions.norm_ppf(0.975), 6) == 1.959964
    assert round(distributions.t_ppf(0.975, 4), 6) == 2.776445
    assert round(distributions.chi2_sf(3.841459, 1), 6) == 0.05
