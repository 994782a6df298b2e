"""The few normal, t and chi-squared tail and quantile values the pooling and GRADE need.

Each is the `scipy.special` function that `scipy.stats` itself calls for it, so the numbers are
the same to the last bit; importing `scipy.stats` instead costs every synthesis kernel about
0.75 s, more than the pooling it serves.
"""
from __future__ import annotations

from scipy import special


def norm_ppf(q: float) -> float:
    """The standard normal quantile (scipy.stats.norm.ppf)."""
    return float(special.ndtri(q))


def norm_sf(x: float) -> float:
    """The standard normal upper tail (scipy.stats.norm.sf)."""
    return float(special.ndtr(-x))


def t_ppf(q: float, df: float) -> float:
    """Student's t quantile (scipy.stats.t.ppf)."""
    return float(special.stdtrit(df, q))


def t_sf(x: float, df: float) -> float:
    """Student's t upper tail (scipy.stats.t.sf)."""
    return float(special.stdtr(df, -x))


def chi2_sf(x: float, df: float) -> float:
    """The chi-squared upper tail (scipy.stats.chi2.sf)."""
    return float(special.chdtrc(df, x))
