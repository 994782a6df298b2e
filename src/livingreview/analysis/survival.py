"""Parametric survival curves and RMST rebuilt from reported summaries (medians, landmark rates).

Nothing here sees patient data: a curve is the exponential or Weibull survival function that
passes through (or best fits, in log(-log S)) the reported points. Parametrisation follows
lifelines: Weibull ``S(t) = exp(-(t / lambda_) ** rho_)``; the exponential is the Weibull with
``rho_ = 1`` and ``lambda_ = 1 / hazard`` (lifelines' ``ExponentialFitter.lambda_``).
Every output row says it was reconstructed from summary statistics.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy.special import gamma, gammainc

SOURCE_LABEL = "reconstructed from summary statistics"
SURVIVAL_ENDPOINTS = ("OS", "PFS")
MODELS = ("exponential", "Weibull")
TIME_GRID = tuple(float(x) for x in np.round(np.arange(0.0, 60.0 + 0.25, 0.5), 1))
RMST_HORIZONS = (12, 24)
SURVIVAL_DECIMALS = 4
RMST_DECIMALS = 2
PARAM_DECIMALS = 4
ALL_PATIENTS = "All patients"

POINT_COLUMNS = ["study", "endpoint", "arm", "kind", "time_months", "survival", "value", "quote"]
MODEL_COLUMNS = [
    "study", "endpoint", "arm", "model", "fitted", "hazard", "lambda_", "rho_",
    "n_points", "basis", "note", "quote", "source",
]
CURVE_COLUMNS = ["study", "endpoint", "arm", "model", "time_months", "survival", "quote", "source"]
RMST_COLUMNS = ["study", "endpoint", "arm", "model", "tau_months", "rmst_months", "quote", "source"]


def arm_label(record: dict, arm: str | None) -> str:
    """Name an endpoint's arm; an unnamed arm is the only arm of a single-arm study, else all patients."""
    if arm:
        return arm
    arms = record.get("arms") or []
    if len(arms) == 1 and arms[0].get("name"):
        return arms[0]["name"]
    return ALL_PATIENTS


def arm_order(record: dict, names: Iterable[str]) -> list[str]:
    """Order arm names as the record lists its arms, then any others alphabetically."""
    listed = [a.get("name") for a in record.get("arms") or []]
    names = set(names)
    ordered = [n for n in listed if n in names]
    return ordered + sorted(names - set(ordered))


# -- closed forms -------------------------------------------------------------------------------

def exponential_hazard(median: float) -> float:
    """Constant hazard whose survival function halves at the median: ln 2 / median."""
    if not median > 0:
        raise ValueError(f"median must be positive, got {median!r}")
    return math.log(2) / median


def exponential_survival(t, hazard: float) -> np.ndarray:
    """S(t) = exp(-hazard * t)."""
    return np.exp(-hazard * np.asarray(t, dtype=float))


def exponential_rmst(hazard: float, tau: float) -> float:
    """Integral of exp(-hazard t) over [0, tau] = (1 - exp(-hazard tau)) / hazard."""
    return float(-math.expm1(-hazard * tau) / hazard)


def weibull_survival(t, lambda_: float, rho_: float) -> np.ndarray:
    """S(t) = exp(-(t / lambda_) ** rho_), lifelines' WeibullFitter parametrisation."""
    return np.exp(-np.power(np.asarray(t, dtype=float) / lambda_, rho_))


def weibull_rmst(lambda_: float, rho_: float, tau: float) -> float:
    """Integral of the Weibull S over [0, tau]: lambda_ Γ(1 + 1/rho_) P(1/rho_, (tau/lambda_)^rho_)."""
    if tau <= 0:
        return 0.0
    x = (tau / lambda_) ** rho_
    return float(lambda_ * gamma(1.0 + 1.0 / rho_) * gammainc(1.0 / rho_, x))


def weibull_from_points(points: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """Weibull (lambda_, rho_) through two (t, S) points, or least squares on log(-log S) vs log t.

    Needs at least two distinct times with 0 < S < 1; raises ValueError otherwise or when the
    points do not describe a falling curve (rho_ <= 0).
    """
    usable = [(float(t), float(s)) for t, s in points if t > 0 and 0 < s < 1]
    if len({t for t, _ in usable}) < 2:
        raise ValueError("need two distinct times with 0 < S < 1")
    x = np.log([t for t, _ in usable])
    y = np.log(-np.log([s for _, s in usable]))
    if len(usable) == 2:
        rho = (y[1] - y[0]) / (x[1] - x[0])
        intercept = y[0] - rho * x[0]
    else:
        rho, intercept = np.polyfit(x, y, 1)
    if not rho > 0:
        raise ValueError("reported points do not fall over time (Weibull shape <= 0)")
    return float(math.exp(-intercept / rho)), float(rho)


# -- reported points ------------------------------------------------------------------------------

def _fmt(x: float) -> str:
    return f"{x:g}"


def reported_points(record: dict) -> pd.DataFrame:
    """Reported points on OS/PFS curves: medians as S = 0.5 and landmark rates as S = rate / 100."""
    rows = []
    for ep in record.get("endpoints") or []:
        if ep.get("endpoint") not in SURVIVAL_ENDPOINTS:
            continue
        value = ep.get("value")
        if not isinstance(value, (int, float)):
            continue
        arm = arm_label(record, ep.get("arm"))
        if ep.get("measure") == "median" and ep.get("unit") == "months" and value > 0:
            rows.append((ep["endpoint"], arm, "median", float(value), 0.5, value, ep["quote"]))
        elif (ep.get("measure") == "rate" and ep.get("unit") == "%"
              and (ep.get("timepoint_months") or 0) > 0 and 0 <= value <= 100):
            rows.append((ep["endpoint"], arm, "rate", float(ep["timepoint_months"]),
                         round(value / 100.0, 6), value, ep["quote"]))
    df = pd.DataFrame([(record.get("id"), *r) for r in rows], columns=POINT_COLUMNS)
    return _sorted(record, df, ["kind", "time_months", "value", "quote"])


def _sorted(record: dict, df: pd.DataFrame, extra: list[str]) -> pd.DataFrame:
    if df.empty:
        return df.reset_index(drop=True)
    order = {name: i for i, name in enumerate(arm_order(record, df["arm"]))}
    df = df.assign(_e=df["endpoint"].map(SURVIVAL_ENDPOINTS.index), _a=df["arm"].map(order))
    if "model" in df.columns:
        df = df.assign(_m=df["model"].map(MODELS.index))
        extra = ["_m", *extra]
    return df.sort_values(["_e", "_a", *extra], kind="mergesort").drop(
        columns=[c for c in ("_e", "_a", "_m") if c in df.columns]).reset_index(drop=True)


# -- model fitting --------------------------------------------------------------------------------

def _join_quotes(quotes: Iterable[str]) -> str:
    return " | ".join(dict.fromkeys(quotes))


def _models_for(study, endpoint: str, arm: str, pts: pd.DataFrame) -> list[dict]:
    out = []
    base = {"study": study, "endpoint": endpoint, "arm": arm, "source": SOURCE_LABEL}
    medians = pts[pts["kind"] == "median"]
    rates = pts[pts["kind"] == "rate"]
    notes = []

    distinct_medians = sorted(set(medians["time_months"]))
    median = None
    if len(distinct_medians) == 1:
        median = distinct_medians[0]
        h = exponential_hazard(median)
        out.append({**base, "model": "exponential", "fitted": True, "hazard": h,
                    "lambda_": 1.0 / h, "rho_": 1.0, "n_points": 1,
                    "basis": f"median {_fmt(median)} months",
                    "note": "constant hazard ln2/median", "quote": _join_quotes(medians["quote"])})
    elif len(distinct_medians) > 1:
        notes.append("conflicting medians reported ("
                     + ", ".join(_fmt(m) for m in distinct_medians) + " months)")
        out.append({**base, "model": "exponential", "fitted": False, "hazard": np.nan,
                    "lambda_": np.nan, "rho_": np.nan, "n_points": 0, "basis": "",
                    "note": notes[0] + ": no model fitted",
                    "quote": _join_quotes(medians["quote"])})
    if rates.empty:
        return out

    landmark = []
    for t, grp in rates.groupby("time_months", sort=True):
        values = sorted(set(grp["value"]))
        if len(values) > 1:
            notes.append(f"conflicting rates at {_fmt(t)} months skipped")
            continue
        s = values[0] / 100.0
        if s >= 1.0:
            notes.append(f"{_fmt(values[0])}% at {_fmt(t)} months skipped (S = 1 has no log(-log S))")
            continue
        if s <= 0.0:
            notes.append(f"0% at {_fmt(t)} months skipped (S = 0 has no log(-log S))")
            continue
        landmark.append((t, s, values[0], list(grp["quote"])))

    points = ([(median, 0.5)] if median is not None else []) + [(t, s) for t, s, _, _ in landmark]
    basis = ([f"median {_fmt(median)} months"] if median is not None else []) + [
        f"{_fmt(v)}% at {_fmt(t)} months" for t, _, v, _ in landmark]
    quotes = (list(medians["quote"]) if median is not None else []) + [q for *_, qs in landmark for q in qs]
    row = {**base, "model": "Weibull", "hazard": np.nan, "n_points": len(points),
           "basis": "; ".join(basis), "quote": _join_quotes(quotes)}
    try:
        lam, rho = weibull_from_points(points)
    except ValueError as exc:
        out.append({**row, "fitted": False, "lambda_": np.nan, "rho_": np.nan,
                    "note": "; ".join([*notes, f"Weibull not fitted: {exc}"])})
        return out
    method = "two-point closed form" if len(points) == 2 else "least squares on log(-log S)"
    out.append({**row, "fitted": True, "lambda_": lam, "rho_": rho,
                "note": "; ".join([method, *notes])})
    return out


def fit_models(record: dict) -> pd.DataFrame:
    """One row per (endpoint, arm, model): parameters, the points used, and notes on skipped points.

    Exponential from a single reported median; Weibull from a median plus landmark rates (or two or
    more landmarks). Rows with ``fitted`` False say why a Weibull could not be fitted.
    Parameters are rounded to PARAM_DECIMALS for display; curves use the unrounded values.
    """
    df = _fit_models_raw(record)
    for col in ("hazard", "lambda_", "rho_"):
        df[col] = df[col].astype(float).round(PARAM_DECIMALS)
    return df


_FITS: dict[str, pd.DataFrame] = {}


def _fit_models_raw(record: dict) -> pd.DataFrame:
    """The fitted models, computed once per distinct record (the synthesis asks for each often)."""
    key = json.dumps(record, sort_keys=True, default=str)
    if key not in _FITS:
        if len(_FITS) >= 512:
            _FITS.clear()
        _FITS[key] = _compute_fits(record)
    return _FITS[key].copy()


def _compute_fits(record: dict) -> pd.DataFrame:
    pts = reported_points(record)
    rows: list[dict] = []
    if not pts.empty:
        for (endpoint, arm), grp in pts.groupby(["endpoint", "arm"], sort=False):
            rows.extend(_models_for(record.get("id"), endpoint, arm, grp))
    df = pd.DataFrame(rows, columns=MODEL_COLUMNS)
    df["fitted"] = df["fitted"].astype(bool)
    return _sorted(record, df, [])


def _survival(model, t: np.ndarray) -> np.ndarray:
    if model.model == "exponential":
        return exponential_survival(t, model.hazard)
    return weibull_survival(t, model.lambda_, model.rho_)


def _rmst(model, tau: float) -> float:
    if model.model == "exponential":
        return exponential_rmst(model.hazard, tau)
    return weibull_rmst(model.lambda_, model.rho_, tau)


def reconstruct(record: dict, grid: Sequence[float] = TIME_GRID) -> pd.DataFrame:
    """Curves S(t) per (endpoint, arm, model) on a fixed time grid (months), rounded for stable output."""
    models = _fit_models_raw(record)
    models = models[models["fitted"]]
    t = np.asarray(grid, dtype=float)
    frames = []
    for m in models.itertuples(index=False):
        s = np.round(_survival(m, t), SURVIVAL_DECIMALS)
        frames.append(pd.DataFrame({
            "study": m.study, "endpoint": m.endpoint, "arm": m.arm, "model": m.model,
            "time_months": t, "survival": s, "quote": m.quote, "source": SOURCE_LABEL}))
    if not frames:
        return pd.DataFrame(columns=CURVE_COLUMNS)
    return pd.concat(frames, ignore_index=True)[CURVE_COLUMNS]


def rmst_table(record: dict, horizons: Sequence[float] = RMST_HORIZONS) -> pd.DataFrame:
    """Restricted mean survival time (months) up to each horizon, per (endpoint, arm, model)."""
    models = _fit_models_raw(record)
    models = models[models["fitted"]]
    rows = []
    for m in models.itertuples(index=False):
        for tau in horizons:
            rmst = _rmst(m, float(tau))
            rows.append((m.study, m.endpoint, m.arm, m.model, tau, round(rmst, RMST_DECIMALS),
                         m.quote, SOURCE_LABEL))
    return pd.DataFrame(rows, columns=RMST_COLUMNS)


def preferred_models(models: pd.DataFrame) -> pd.DataFrame:
    """Keep one fitted model per (study, endpoint, arm): the Weibull where one was fitted, else exponential."""
    fitted = models[models["fitted"]] if "fitted" in models.columns else models
    if fitted.empty:
        return fitted
    rank = fitted["model"].map({"Weibull": 0, "exponential": 1})
    best = fitted.assign(_r=rank).sort_values(["study", "endpoint", "arm", "_r"], kind="mergesort")
    return best.drop_duplicates(["study", "endpoint", "arm"]).drop(columns="_r").reset_index(drop=True)
