"""A study's digitised Kaplan–Meier figures, rebuilt (Guyot) and set beside what the paper reports.

The inputs are a reviewer's curation: the points clicked on the paper's figure and its risk
table (read by book/curves.py and rebuilt by analysis/guyot.py). Here each rebuilt arm is
matched to an arm of the study record, analysed with lifelines (analysis/km.py) and compared
with the record's reported medians and hazard ratios. Every number a page shows is rounded
here (``DISPLAY_DECIMALS``), so strict notebook checks see the same text on every run. Pure: no
file access.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from livingreview.analysis import guyot, km
from livingreview.analysis import survival
from livingreview.analysis.synthesis import split_comparison, study_arms
from livingreview.extract.printed import as_printed, format_ci

REBUILT_MODEL = "rebuilt KM"
REBUILT_SOURCE = "rebuilt from the paper's digitised Kaplan–Meier figure"
FALLBACK_SOURCE = survival.SOURCE_LABEL
DISPLAY_DECIMALS = 2  # medians, HRs and RMST as the page prints them
ERROR_DECIMALS = 3  # RMSE and largest gap (survival fractions)
SURVIVAL_DECIMALS = 4  # plotted curve values
LANDMARKS = km.LANDMARKS
HORIZONS = km.RMST_HORIZONS


@dataclass(frozen=True)
class RebuiltArm:
    """One digitised arm of one figure, rebuilt, with the record arm it belongs to."""

    endpoint: str  # "OS" or "PFS" (the file's endpoint, upper-cased)
    arm: str  # the record's arm name when the file names one, else the file's own arm part
    file_arm: str  # the arm part of the file name
    matched: bool  # whether the file's arm names an arm of the record
    reconstruction: guyot.Reconstruction
    curve_file: str  # the curve CSV as the page names it (relative to the project)
    figure: str | None = None  # which figure of the paper, from the YAML beside the curve
    digitised_by: str | None = None  # the reviewer who digitised it, from the YAML

    @property
    def key(self) -> tuple[str, str]:
        return self.endpoint, self.arm


def slug(name: str) -> str:
    """A file-name form of an arm's name: lower case, every run of other characters one hyphen."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def match_arm(record: dict, file_arm: str) -> str | None:
    """The record's arm whose slug is the file's arm part ("tace-alone" -> "TACE alone"), or None."""
    wanted = slug(file_arm)
    for name in study_arms(record):
        if slug(name) == wanted:
            return name
    return None


def rebuilt_arm(record: dict, endpoint: str, file_arm: str, reconstruction: guyot.Reconstruction,
                curve_file: str, meta: dict | None = None) -> RebuiltArm:
    """Attach one rebuilt arm to the record: its endpoint code and the arm name it matches."""
    meta = meta or {}
    name = match_arm(record, file_arm)
    return RebuiltArm(endpoint.upper(), name or file_arm, file_arm, name is not None, reconstruction,
                      curve_file, meta.get("figure"), meta.get("digitised_by"))


def ordered(record: dict, arms: Iterable[RebuiltArm]) -> list[RebuiltArm]:
    """Arms by endpoint (OS, PFS, others) and then in the record's order of arms."""
    arms = list(arms)
    order = {n: i for i, n in enumerate(survival.arm_order(record, [a.arm for a in arms]))}
    ends = list(survival.SURVIVAL_ENDPOINTS)
    return sorted(arms, key=lambda a: (ends.index(a.endpoint) if a.endpoint in ends else len(ends),
                                       a.endpoint, order[a.arm]))


def digitised_keys(arms: Iterable[RebuiltArm]) -> frozenset[tuple[str, str]]:
    """(endpoint, arm) pairs that have a rebuilt curve: the fallback curves leave these out."""
    return frozenset(a.key for a in arms)


def _round(x: float | None, decimals: int = DISPLAY_DECIMALS) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), decimals)


def _reported(record: dict, endpoint: str, arm: str, measure: str) -> list[dict]:
    return [ep for ep in record.get("endpoints") or []
            if ep.get("endpoint") == endpoint and ep.get("measure") == measure
            and survival.arm_label(record, ep.get("arm")) == arm]


def printed_decimals(text: str) -> int:
    """How many decimals a printed number has ("15.0" -> 1, "20" -> 0)."""
    return len(text.split(".", 1)[1]) if "." in text else 0


def summaries(arms: Sequence[RebuiltArm]) -> dict[tuple[str, str], dict]:
    """The lifelines summary and the fit to the digitised points of every arm (``km`` rounding)."""
    out = {}
    for a in arms:
        rec = a.reconstruction
        report = km.km_summary(rec.ipd)
        report.update(km.reconstruction_error(rec.ipd, rec.curve.times, rec.curve.survival))
        out[a.key] = report
    return out


def arm_table(record: dict, arms: Sequence[RebuiltArm]) -> pd.DataFrame:
    """Per rebuilt arm: size, fit, rebuilt median beside the reported one (flag), landmarks, RMST."""
    rows = []
    stats = summaries(arms)
    for a in arms:
        s = stats[a.key]
        reported = _reported(record, a.endpoint, a.arm, "median") if a.matched else []
        values = {float(ep["value"]) for ep in reported}
        text, quote, check = "", "", ""
        if len(values) == 1:
            ep = reported[0]
            text, quote = as_printed(ep["value"], ep["quote"]), ep["quote"]
            differs = km.median_differs(s["median"], float(ep["value"]), printed_decimals(text))
            check = "differs" if differs else "agrees"
        rows.append({
            "endpoint": a.endpoint, "arm": a.arm, "matched": a.matched, "n": s["n"], "events": s["events"],
            "points": len(digitised_points(a)), "rmse": _round(s["rmse"], ERROR_DECIMALS),
            "max_gap": _round(s["max_abs_error"], ERROR_DECIMALS),
            "median_reported": text, "median_quote": quote, "median_conflict": len(values) > 1,
            "median_rebuilt": _round(s["median"]),
            "median_ci_low": _round(s["median_ci"][0]), "median_ci_high": _round(s["median_ci"][1]),
            "median_check": check,  # "differs" (beyond rounding), "agrees", or "" (nothing reported)
            **{f"survival_{t}": _round(s["survival_at"][str(t)], 3) for t in LANDMARKS},
            **{f"rmst_{t}": _round(s["rmst"][str(t)]) for t in HORIZONS},
            "follow_up": _round(s["follow_up"]), "curve_file": a.curve_file,
            "figure": a.figure or "", "digitised_by": a.digitised_by or "",
        })
    return pd.DataFrame(rows)


def digitised_points(arm: RebuiltArm) -> tuple[tuple[float, float], ...]:
    """The digitised points as cleaned (fractions, time order), without the added start (0, 1)."""
    c = arm.reconstruction.curve
    return tuple((t, s) for t, s in zip(c.times, c.survival) if t > 0)


def _pair(record: dict, endpoint: str, by_arm: dict[str, RebuiltArm]) -> tuple[str, str, dict | None] | None:
    """(experimental, control, reported HR) for one endpoint: the reported HR's direction when it
    names two rebuilt arms, else the first two rebuilt arms in the record's order."""
    for ep in record.get("endpoints") or []:
        if ep.get("endpoint") != endpoint or ep.get("measure") != "HR":
            continue
        pair = split_comparison(ep.get("arm"))
        if pair and pair[0] in by_arm and pair[1] in by_arm and pair[0] != pair[1]:
            return pair[0], pair[1], ep
    names = survival.arm_order(record, by_arm)
    return (names[0], names[1], None) if len(names) >= 2 else None


def hr_table(record: dict, arms: Sequence[RebuiltArm]) -> pd.DataFrame:
    """Per endpoint with two rebuilt arms: the Cox HR and log-rank test of the rebuilt data beside
    the reported HR of the same comparison; a flag when the reported HR lies outside the rebuilt CI."""
    rows = []
    for endpoint in dict.fromkeys(a.endpoint for a in arms):
        by_arm = {a.arm: a for a in arms if a.endpoint == endpoint and a.matched}
        pair = _pair(record, endpoint, by_arm)
        if pair is None:
            continue
        experimental, control, ep = pair
        cmp = km.compare_arms(by_arm[control].reconstruction.ipd, by_arm[experimental].reconstruction.ipd)
        low, high = (_round(v) for v in cmp["hr_ci"])
        reported = float(ep["value"]) if ep else None
        rows.append({
            "endpoint": endpoint, "comparison": f"{experimental} vs {control}",
            "hr_reported": as_printed(ep["value"], ep["quote"]) if ep else "",
            "ci_reported": format_ci(ep.get("ci"), ep["quote"]) if ep else "",
            "quote": ep["quote"] if ep else "",
            "hr_rebuilt": _round(cmp["hr"]), "ci_low": low, "ci_high": high,
            "logrank_p": _round(cmp["logrank_p"], 4),
            # "outside": the reported HR lies outside the rebuilt CI; "inside"; "" when none is reported
            "outside": "" if reported is None else (
                "inside" if cmp["hr_ci"][0] <= reported <= cmp["hr_ci"][1] else "outside"),
        })
    return pd.DataFrame(rows)


def _series(a: RebuiltArm, s: dict) -> str:
    return f"{a.arm} (RMSE {s['rmse']:.3f}, largest gap {s['max_abs_error']:.3f})"


def plot_frames(arms: Sequence[RebuiltArm]) -> dict[str, pd.DataFrame]:
    """What the KM chart draws: ``curve`` (the rebuilt step curves), ``censored`` (tick marks) and
    ``points`` (the digitised points); each row has endpoint, arm and a series label holding the
    arm's fit to its points, so the error stands beside every curve in the legend."""
    stats = summaries(arms)
    curve, censored, points = [], [], []
    for a in arms:
        label = _series(a, stats[a.key])
        ipd = a.reconstruction.ipd
        frame = km.km_frame(ipd)
        curve.append(pd.DataFrame({"endpoint": a.endpoint, "arm": a.arm, "series": label,
                                   "time": frame["time"].round(3),
                                   "survival": frame["survival"].round(SURVIVAL_DECIMALS)}))
        marks = km.censor_marks(ipd)
        censored.append(pd.DataFrame({"endpoint": a.endpoint, "arm": a.arm, "series": label,
                                      "time": marks["time"].round(3),
                                      "survival": marks["survival"].round(SURVIVAL_DECIMALS)}))
        pts = np.array(digitised_points(a), dtype=float).reshape(-1, 2)
        points.append(pd.DataFrame({"endpoint": a.endpoint, "arm": a.arm, "series": label,
                                    "time": pts[:, 0].round(3), "survival": pts[:, 1].round(SURVIVAL_DECIMALS)}))
    return {name: pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
            for name, frames in (("curve", curve), ("censored", censored), ("points", points))}


# -- the synthesis: rebuilt where digitised, the parametric fallback elsewhere -------------------------

def _step_on_grid(ipd, grid: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """The rebuilt KM curve on the grid, up to the last follow-up time (no flat extrapolation)."""
    kt, ks = km.km_step(ipd)
    t = np.asarray(grid, dtype=float)
    t = t[t <= max(t for t, _ in ipd)]
    return t, np.round(ks[np.searchsorted(kt, t, side="right") - 1], SURVIVAL_DECIMALS)


def preferred_curves(record: dict, arms: Sequence[RebuiltArm], grid: Sequence[float]) -> pd.DataFrame:
    """One curve per (endpoint, arm): rebuilt KM where digitised, else the preferred parametric model."""
    done = digitised_keys(arms)
    best = survival.preferred_models(survival.fit_models(record))[["study", "endpoint", "arm", "model"]]
    fallback = survival.reconstruct(record, grid=grid).merge(best, on=["study", "endpoint", "arm", "model"])
    fallback = fallback.loc[[(e, a) not in done for e, a in zip(fallback["endpoint"], fallback["arm"])]]
    frames = [fallback]
    for a in arms:
        if not a.matched:
            continue
        t, s = _step_on_grid(a.reconstruction.ipd, grid)
        frames.append(pd.DataFrame({"study": record.get("id"), "endpoint": a.endpoint, "arm": a.arm,
                                    "model": REBUILT_MODEL, "time_months": t, "survival": s,
                                    "quote": _median_quote(record, a), "source": REBUILT_SOURCE}))
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=survival.CURVE_COLUMNS)
    return pd.concat(frames, ignore_index=True)[survival.CURVE_COLUMNS]


def _median_quote(record: dict, arm: RebuiltArm) -> str:
    hits = _reported(record, arm.endpoint, arm.arm, "median")
    figure = f" ({arm.figure})" if arm.figure else ""
    return (hits[0]["quote"] + " | " if hits else "") + f"digitised figure{figure}: {arm.curve_file}"


def preferred_rmst(record: dict, arms: Sequence[RebuiltArm],
                   horizons: Sequence[float] = survival.RMST_HORIZONS) -> pd.DataFrame:
    """RMST per (endpoint, arm, horizon): of the rebuilt KM where digitised (None past follow-up),
    else of the preferred parametric model; ``source`` says which."""
    done = digitised_keys(arms)
    best = survival.preferred_models(survival.fit_models(record))[["study", "endpoint", "arm", "model"]]
    fallback = survival.rmst_table(record, horizons).merge(best, on=["study", "endpoint", "arm", "model"])
    fallback = fallback.loc[[(e, a) not in done for e, a in zip(fallback["endpoint"], fallback["arm"])]]
    rows = []
    for a in arms:
        if not a.matched:
            continue
        s = km.km_summary(a.reconstruction.ipd, horizons=horizons)
        for tau in horizons:
            value = s["rmst"][str(tau)]
            if value is not None:
                rows.append((record.get("id"), a.endpoint, a.arm, REBUILT_MODEL, tau, _round(value),
                             _median_quote(record, a), REBUILT_SOURCE))
    rebuilt = pd.DataFrame(rows, columns=survival.RMST_COLUMNS)
    if not rows:
        return fallback.reset_index(drop=True)
    return pd.concat([fallback, rebuilt], ignore_index=True) if not fallback.empty else rebuilt


def basis_table(record: dict, arms: Sequence[RebuiltArm]) -> pd.DataFrame:
    """Which curve stands for each (endpoint, arm) of a study: the rebuilt figure or which model."""
    done = {a.key: a for a in arms if a.matched}
    best = survival.preferred_models(survival.fit_models(record))
    rows = [(record.get("id"), a.endpoint, a.arm, REBUILT_MODEL,
             f"{a.figure + ': ' if a.figure else ''}{a.curve_file}") for a in done.values()]
    rows += [(m.study, m.endpoint, m.arm, m.model, m.basis) for m in best.itertuples()
             if (m.endpoint, m.arm) not in done]
    order = {n: i for i, n in enumerate(survival.arm_order(record, [r[2] for r in rows]))}
    ends = list(survival.SURVIVAL_ENDPOINTS)
    rows.sort(key=lambda r: (ends.index(r[1]) if r[1] in ends else len(ends), r[1], order[r[2]]))
    return pd.DataFrame(rows, columns=["study", "endpoint", "arm", "curve", "basis"])
