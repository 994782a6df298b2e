"""A GRADE-spirit certainty summary per modality, from the records alone.

Start high when every study is randomized, otherwise low; take one level off for each of risk of
bias, inconsistency, imprecision and consistency-check flags; never go below "very low". This is a
transparent screen of the extracted evidence, not a formal GRADE assessment.
"""

from __future__ import annotations

import pandas as pd

from livingreview.analysis.synthesis import MODALITIES, across_study, arm_role, modality, primary_studies

LEVELS = ("very low", "low", "moderate", "high")
MIN_PATIENTS = 300
MIN_STUDIES = 3
SPREAD_RATIO = 2.0
CERTAINTY_COLUMNS = ["modality", "n_studies", "randomized", "patients", "consistency", "flags",
                     "certainty", "reasons"]


def start_level(studies: list[dict]) -> tuple[str, str]:
    """High when every study is randomized, otherwise low (observational evidence)."""
    if studies and all(s.get("design") == "randomized" for s in studies):
        return "high", "starts high: all studies randomized"
    return "low", "starts low: not all studies randomized"


def risk_of_bias(studies: list[dict]) -> tuple[bool, str]:
    """Downgrade when every study is retrospective or single-arm (no concurrent comparison)."""
    def weak(s: dict) -> bool:
        return s.get("design") == "retrospective" or len(s.get("arms") or []) <= 1
    if studies and all(weak(s) for s in studies):
        return True, "risk of bias: all studies retrospective or single-arm"
    return False, ""


def _favours_local(record: dict, ep: dict) -> bool | None:
    """Direction of a reported HR/ratio for the local-therapy arm; None when exactly 1 or unknown."""
    value = ep.get("value")
    if not isinstance(value, (int, float)) or value == 1:
        return None
    better_a = value < 1 if ep.get("measure") == "HR" else value > 1
    first = (ep.get("arm") or "").split(" vs")[0].strip()
    if first and arm_role(record, first) == "control":
        better_a = not better_a
    return better_a


def inconsistency(studies: list[dict]) -> tuple[bool, str]:
    """Downgrade when reported effects point in opposite directions, or when medians of the same
    endpoint across studies differ more than SPREAD_RATIO-fold. Needs two or more studies."""
    if len(studies) < 2:
        return False, "not assessable (single study)"
    directions = {d for s in studies for ep in s.get("endpoints") or []
                  if ep.get("measure") in ("HR", "ratio")
                  for d in [_favours_local(s, ep)] if d is not None}
    problems = []
    if len(directions) > 1:
        problems.append("effects in conflicting directions")
    medians = across_study(studies)
    medians = medians[medians["measure"] == "median"]
    for endpoint in ("OS", "PFS"):
        sub = medians[medians["endpoint"] == endpoint]
        if sub["study"].nunique() < 2:
            continue
        lo, hi = sub["value"].min(), sub["value"].max()
        if lo > 0 and hi / lo > SPREAD_RATIO:
            lo_t = sub.loc[sub["value"].idxmin(), "value_text"]
            hi_t = sub.loc[sub["value"].idxmax(), "value_text"]
            problems.append(f"wide spread of median {endpoint} ({lo_t}–{hi_t} months)")
    if problems:
        return True, "inconsistent: " + "; ".join(problems)
    return False, "consistent"


def imprecision(studies: list[dict]) -> tuple[bool, str]:
    """Downgrade when fewer than MIN_PATIENTS patients in total or fewer than MIN_STUDIES studies."""
    patients = sum(s.get("n_patients") or 0 for s in studies)
    why = []
    if patients < MIN_PATIENTS:
        why.append(f"{patients} patients < {MIN_PATIENTS}")
    if len(studies) < MIN_STUDIES:
        why.append(f"{len(studies)} {'study' if len(studies) == 1 else 'studies'} < {MIN_STUDIES}")
    return (True, "imprecision: " + ", ".join(why)) if why else (False, "")


def flag_concerns(studies: list[dict]) -> tuple[bool, int, str]:
    """Downgrade once when any study carries a warning or error flag from the consistency checks."""
    count = sum(f.get("severity") in ("warning", "error") for s in studies for f in s.get("flags") or [])
    return (count > 0, count, f"flags: {count} warning/error consistency flag(s)" if count else "")


def assess(studies: list[dict]) -> dict:
    """Certainty row for one group of primary studies, with every applied rule named in reasons."""
    level, start_reason = start_level(studies)
    reasons = [start_reason]
    downgrades = 0
    rob, why = risk_of_bias(studies)
    downgrades += rob
    reasons += [why] if rob else []
    inc, consistency = inconsistency(studies)
    downgrades += inc
    reasons += [consistency] if inc else []
    imp, why = imprecision(studies)
    downgrades += imp
    reasons += [why] if imp else []
    flagged, n_flags, why = flag_concerns(studies)
    downgrades += flagged
    reasons += [why] if flagged else []
    final = LEVELS[max(0, LEVELS.index(level) - downgrades)]
    return {
        "n_studies": len(studies),
        "randomized": sum(s.get("design") == "randomized" for s in studies),
        "patients": sum(s.get("n_patients") or 0 for s in studies),
        "consistency": consistency,
        "flags": n_flags,
        "certainty": final,
        "reasons": "; ".join(reasons),
    }


def certainty_table(records) -> pd.DataFrame:
    """One row per modality with primary studies, in the fixed modality order."""
    prim = primary_studies(records)
    rows = []
    for m in MODALITIES:
        group = [r for r in prim if modality(r) == m]
        if group:
            rows.append({"modality": m, **assess(group)})
    return pd.DataFrame(rows, columns=CERTAINTY_COLUMNS)
