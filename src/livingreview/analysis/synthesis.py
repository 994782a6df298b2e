"""Cross-study synthesis: modality grouping, a summary table, within- vs across-study numbers, and
computed numbers for the prose (myst-nb glue), so no figure in the text is typed by hand.

Only primary studies enter. Within-study comparisons (arms of one study) stay apart from
across-study tabulations, which take only the arms that received the local therapy.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from livingreview.analysis.survival import ALL_PATIENTS, arm_label, arm_order
from livingreview.extract.printed import as_printed, format_ci
from livingreview.extract.vocabulary import ABSENT_BEFORE, mentions

MODALITIES = ("HIFU", "thermal ablation", "radiotherapy", "other")
LANDMARKS = (("OS", 12), ("OS", 24), ("OS", 36), ("PFS", 12), ("PFS", 24))

SUMMARY_COLUMNS = [
    "study", "modality", "population", "design", "n_patients", "arm", "arm_n", "arm_role", "ICI",
    "median OS", "median PFS", *[f"{e} {t} mo" for e, t in LANDMARKS], "ORR", "grade ≥3 AE", "notes",
]
WITHIN_COLUMNS = [
    "study", "modality", "endpoint", "comparison", "arm_a", "median_a", "arm_b", "median_b",
    "median_ratio_computed", "measure", "effect", "ci_low", "ci_high", "p", "quote",
]
ACROSS_COLUMNS = [
    "study", "modality", "ICI", "design", "arm", "n", "endpoint", "measure", "timepoint_months",
    "value", "ci_low", "ci_high", "value_text", "ci_text", "quote",
]


def modality(record: dict) -> str:
    """HIFU, thermal ablation or radiotherapy from ``local_therapy`` (first in that order), else other."""
    local = record.get("local_therapy") or []
    for name in MODALITIES[:-1]:
        if name in local:
            return name
    return "other"


def has_ici(record: dict) -> bool:
    """True when the record lists an immune checkpoint inhibitor among its systemic therapies."""
    return "ICI" in (record.get("systemic_therapy") or [])


def primary_studies(records) -> list[dict]:
    """Primary studies only, ordered by modality then id so every output is order-independent."""
    prim = [r for r in records if r.get("is_primary_study")]
    return sorted(prim, key=lambda r: (MODALITIES.index(modality(r)), str(r.get("id"))))


def _mentions_local_therapy(record: dict, arm: str) -> bool:
    """Whether the arm's name says it received one of the study's local therapies, by the one
    treatment vocabulary (extract.vocabulary): "ICI + HIFU" does, "ICI without HIFU" does not."""
    local = set(record.get("local_therapy") or [])
    return any(x.label in local and not ABSENT_BEFORE.search(arm[max(0, x.start - 14):x.start])
               for x in mentions(arm))


def arm_role(record: dict, arm: str) -> str:
    """"local therapy" for an arm that received the study's local therapy, "control" for an arm
    beside one that did, "unclear" when no arm name says so. A single arm takes the local therapy."""
    names = study_arms(record)
    if len(names) <= 1:
        return "local therapy" if record.get("local_therapy") else "unclear"
    if _mentions_local_therapy(record, arm):
        return "local therapy"
    if any(_mentions_local_therapy(record, n) for n in names):
        return "control"
    return "unclear"


def study_arms(record: dict) -> list[str]:
    """Arm names of a study: its listed arms plus any arm only its endpoints name."""
    names = [a.get("name") for a in record.get("arms") or [] if a.get("name")]
    for ep in record.get("endpoints") or []:
        if ep.get("measure") not in ("HR", "ratio"):
            names.append(arm_label(record, ep.get("arm")))
    return arm_order(record, names) if names else [ALL_PATIENTS]


def _arm_n(record: dict, arm: str):
    for a in record.get("arms") or []:
        if a.get("name") == arm:
            return a.get("n")
    return record.get("n_patients") if len(study_arms(record)) == 1 else None


def _pick(record: dict, arm: str, endpoint: str, measure: str, timepoint=None) -> tuple[list[dict], bool]:
    """Endpoints of one arm with the given name/measure/timepoint; second value True if they disagree."""
    hits = [ep for ep in record.get("endpoints") or []
            if ep.get("endpoint") == endpoint and ep.get("measure") == measure
            and arm_label(record, ep.get("arm")) == arm
            and (timepoint is None or ep.get("timepoint_months") == timepoint)]
    return hits, len({(ep["value"], tuple(ep.get("ci") or ())) for ep in hits}) > 1


def _cell(record, arm, endpoint, measure, timepoint, notes, with_ci=False, suffix="") -> str:
    hits, conflict = _pick(record, arm, endpoint, measure, timepoint)
    label = endpoint + (f" {timepoint} mo" if timepoint else "")
    if conflict:
        notes.append(f"conflicting values for {label}")
        return ""
    if not hits:
        return ""
    ep = hits[0]
    text = as_printed(ep["value"], ep["quote"]) + suffix
    if with_ci and ep.get("ci"):
        text += f" ({format_ci(ep['ci'], ep['quote'])})"
    return text


def summary_table(records) -> pd.DataFrame:
    """One row per arm of each primary study: design, size, ICI, median OS/PFS with CI, landmark
    rates, ORR and grade ≥3 AE, every number as the source prints it (empty where not reported)."""
    rows = []
    for rec in primary_studies(records):
        for arm in study_arms(rec):
            notes: list[str] = []
            row = {
                "study": rec.get("id"), "modality": modality(rec), "population": rec.get("population") or "",
                "design": rec.get("design") or "", "n_patients": rec.get("n_patients"), "arm": arm,
                "arm_n": _arm_n(rec, arm), "arm_role": arm_role(rec, arm),
                "ICI": "yes" if has_ici(rec) else "no",
                "median OS": _cell(rec, arm, "OS", "median", None, notes, with_ci=True),
                "median PFS": _cell(rec, arm, "PFS", "median", None, notes, with_ci=True),
            }
            for endpoint, t in LANDMARKS:
                row[f"{endpoint} {t} mo"] = _cell(rec, arm, endpoint, "rate", t, notes, suffix="%")
            row["ORR"] = _cell(rec, arm, "ORR", "rate", None, notes, suffix="%")
            row["grade ≥3 AE"] = _cell(rec, arm, "AE_grade3plus", "rate", None, notes, suffix="%")
            row["notes"] = "; ".join(notes)
            rows.append(row)
    df = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    df["n_patients"] = df["n_patients"].astype("Int64")
    df["arm_n"] = df["arm_n"].astype("Int64")
    return df


def split_comparison(text: str | None) -> tuple[str, str] | None:
    """The two arms of a comparison such as "A vs B" (or "A versus B"), or None."""
    parts = re.split(r"\s+vs\.?\s+|\s+versus\s+", text or "", maxsplit=1)
    return (parts[0].strip(), parts[1].strip()) if len(parts) == 2 else None


def _unique_median(record, endpoint, arm):
    hits, conflict = _pick(record, arm, endpoint, "median")
    return None if conflict or not hits else float(hits[0]["value"])


def _ratio(a, b):
    return round(a / b, 2) if a is not None and b not in (None, 0) else None


def within_study_comparisons(records) -> pd.DataFrame:
    """Arm-versus-arm numbers inside each study: reported HRs/ratios with both arms' medians, and
    median pairs with no reported effect. ``median_ratio_computed`` (a / b, 2 decimals) is ours."""
    rows = []
    for rec in primary_studies(records):
        arms = study_arms(rec)
        if len(arms) < 2:
            continue
        covered = set()
        for ep in rec.get("endpoints") or []:
            if ep.get("measure") not in ("HR", "ratio"):
                continue
            pair = split_comparison(ep.get("arm"))
            a, b = pair if pair else (None, None)
            ma = _unique_median(rec, ep["endpoint"], a) if a else None
            mb = _unique_median(rec, ep["endpoint"], b) if b else None
            ci = ep.get("ci") or [None, None]
            rows.append({"study": rec["id"], "modality": modality(rec), "endpoint": ep["endpoint"],
                         "comparison": ep.get("arm") or "", "arm_a": a, "median_a": ma, "arm_b": b,
                         "median_b": mb, "median_ratio_computed": _ratio(ma, mb),
                         "measure": ep["measure"], "effect": float(ep["value"]), "ci_low": ci[0],
                         "ci_high": ci[1], "p": ep.get("p"), "quote": ep.get("quote", "")})
            if a and b:
                covered.add((ep["endpoint"], a, b))
        for endpoint in ("OS", "PFS"):
            with_median = [arm for arm in arms if _unique_median(rec, endpoint, arm) is not None]
            for b in with_median[1:]:
                a = with_median[0]
                if (endpoint, a, b) in covered:
                    continue
                ma, mb = _unique_median(rec, endpoint, a), _unique_median(rec, endpoint, b)
                quotes = [ep["quote"] for arm in (a, b) for ep in _pick(rec, arm, endpoint, "median")[0]]
                rows.append({"study": rec["id"], "modality": modality(rec), "endpoint": endpoint,
                             "comparison": f"{a} vs {b}", "arm_a": a, "median_a": ma, "arm_b": b,
                             "median_b": mb, "median_ratio_computed": _ratio(ma, mb), "measure": None,
                             "effect": None, "ci_low": None, "ci_high": None, "p": None,
                             "quote": " | ".join(dict.fromkeys(quotes))})
    df = pd.DataFrame(rows, columns=WITHIN_COLUMNS)
    for col in ("median_a", "median_b", "median_ratio_computed", "effect", "ci_low", "ci_high"):
        df[col] = df[col].astype(float)
    return df


def across_study(records) -> pd.DataFrame:
    """Medians and landmark rates of OS/PFS for the local-therapy arm(s) of every primary study.

    Control arms are left out (they belong to within-study comparisons); an arm of unclear role is
    kept. Values are numeric; ``value_text``/``ci_text`` keep the printed form.
    """
    rows = []
    for rec in primary_studies(records):
        for arm in study_arms(rec):
            if arm_role(rec, arm) == "control":
                continue
            for ep in rec.get("endpoints") or []:
                if (ep.get("endpoint") not in ("OS", "PFS") or ep.get("measure") not in ("median", "rate")
                        or arm_label(rec, ep.get("arm")) != arm):
                    continue
                ci = ep.get("ci") or [None, None]
                rows.append({
                    "study": rec["id"], "modality": modality(rec), "ICI": "yes" if has_ici(rec) else "no",
                    "design": rec.get("design") or "", "arm": arm, "n": _arm_n(rec, arm),
                    "endpoint": ep["endpoint"], "measure": ep["measure"],
                    "timepoint_months": ep.get("timepoint_months"), "value": float(ep["value"]),
                    "ci_low": ci[0], "ci_high": ci[1],
                    "value_text": as_printed(ep["value"], ep["quote"]),
                    "ci_text": format_ci(ep.get("ci"), ep["quote"]), "quote": ep["quote"]})
    df = pd.DataFrame(rows, columns=ACROSS_COLUMNS).drop_duplicates(
        ["study", "arm", "endpoint", "measure", "timepoint_months", "value", "ci_low", "ci_high"])
    for col in ("timepoint_months", "value", "ci_low", "ci_high"):
        df[col] = df[col].astype(float)
    df["n"] = df["n"].astype("Int64")
    return df.reset_index(drop=True)


def slug(name: str) -> str:
    """Glue-safe key part: "thermal ablation" -> "thermal_ablation"."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _range(df: pd.DataFrame, endpoint: str, key: str) -> dict:
    sub = df[(df["endpoint"] == endpoint) & (df["measure"] == "median")]
    if sub.empty:
        return {f"{key}_min": None, f"{key}_max": None, f"{key}_min_study": None,
                f"{key}_max_study": None, f"{key}_range_text": "not reported", f"{key}_n_arms": 0}
    lo = sub.loc[sub["value"].idxmin()]
    hi = sub.loc[sub["value"].idxmax()]
    return {f"{key}_min": float(lo["value"]), f"{key}_max": float(hi["value"]),
            f"{key}_min_study": lo["study"], f"{key}_max_study": hi["study"],
            f"{key}_range_text": f"{lo['value_text']}–{hi['value_text']} months",
            f"{key}_n_arms": int(len(sub))}


def prose_numbers(records) -> dict:
    """Numbers for the text (myst-nb glue): counts of records, studies and patients (overall, per
    modality, with ICI), randomized studies, flags, and the range of median OS/PFS across
    local-therapy arms. All computed from the records."""
    records = list(records)
    prim = primary_studies(records)
    n_of = [r.get("n_patients") for r in prim]
    out: dict = {
        "n_records": len(records),
        "n_primary_studies": len(prim),
        "n_non_primary": len(records) - len(prim),
        "n_patients_total": int(sum(n for n in n_of if n is not None)),
        "n_studies_without_n": sum(n is None for n in n_of),
        "n_randomized": sum(r.get("design") == "randomized" for r in prim),
        "n_studies_with_ici": sum(has_ici(r) for r in prim),
        "n_patients_with_ici": int(sum(r.get("n_patients") or 0 for r in prim if has_ici(r))),
        "modalities": ", ".join(dict.fromkeys(modality(r) for r in prim)),
    }
    for m in MODALITIES:
        group = [r for r in prim if modality(r) == m]
        out[f"n_studies_{slug(m)}"] = len(group)
        out[f"n_patients_{slug(m)}"] = int(sum(r.get("n_patients") or 0 for r in group))
    for severity in ("error", "warning", "info"):
        out[f"n_flags_{severity}"] = sum(
            f.get("severity") == severity for r in prim for f in r.get("flags") or [])
    across = across_study(records)
    out.update(_range(across, "OS", "os_median"))
    out.update(_range(across, "PFS", "pfs_median"))
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in out.items()}


__all__ = [
    "MODALITIES", "modality", "has_ici", "primary_studies", "arm_role", "study_arms",
    "split_comparison", "summary_table", "within_study_comparisons", "across_study", "prose_numbers", "slug",
]
