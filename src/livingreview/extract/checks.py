"""Consistency checks on a study record's numbers: pure, record in, flags out.

Each flag is `{check, severity, message, quote}` (contract). The checks:

* `ci_excludes_estimate` (error): a CI that does not contain its estimate, or
  whose bounds are reversed.
* `identical_ci` (warning): two different statistics (endpoint, measure, arm
  or timepoint differ) reported with the very same CI.
* `ratio_ci_off_centre` (warning): a ratio or HR that is not at the centre of
  its CI on the log scale, beyond what rounding of the printed digits allows.
  Ratio CIs (Wald, from Cox or log-rank models) are symmetric in log(ratio),
  so a large offset says the CI belongs to another estimate.
* `ratio_mismatch` (warning): a stated ratio ("2.38 times") that the same
  endpoint's two arm medians do not give, within the rounding of all three
  printed numbers.
* `p_ci_conflict` (warning): for a ratio or HR, a CI excluding 1 with p > 0.05
  or including 1 with p < 0.05; or a printed p that disagrees with the p the CI
  itself implies (from its width and centre on the log scale) by more than one
  unit of z, more than rounding or the choice of Wald, score or log-rank test
  explains (e.g. "P<0.0001" beside a CI whose lower bound 1.087 implies p~0.02).
* `grim_percentage` (info): a proportion (ORR, DCR, technical success or
  efficacy, AE rates, crude local control) that no whole count out of the
  arm's n, or the cohort's n, gives at the printed number of decimals.
  Kaplan-Meier landmark rates (timepoint set, OS, PFS) are exempt: censoring
  makes any value possible. Info only: the denominator may be lesions.
* `arm_sum` (warning): arm sizes that add up to more patients than the study
  has. Arms adding to fewer are not flagged: a comparison is often a subgroup
  (seed 001 compares 24 with 21 of 64 patients).
"""
from __future__ import annotations

import math
import re
from statistics import NormalDist

_Z95 = NormalDist().inv_cdf(0.975)
_RATIO_MEASURES = ("HR", "ratio")
_GRIM_ENDPOINTS = ("ORR", "DCR", "technical_success", "technical_efficacy", "AE_grade3plus", "AE_any",
                   "local_control")


def check_record(record: dict) -> list[dict]:
    """All consistency flags for `record` (a study record as in the contract)."""
    endpoints = [e for e in record.get("endpoints") or [] if isinstance(e, dict)]
    arms, n = record.get("arms") or [], record.get("n_patients")
    flags: list[dict] = []
    for check in (lambda: ci_excludes_estimate(endpoints), lambda: identical_ci(endpoints),
                  lambda: ratio_ci_off_centre(endpoints), lambda: ratio_mismatch(endpoints),
                  lambda: p_ci_conflict(endpoints), lambda: grim_percentage(endpoints, arms, n),
                  lambda: arm_sum(arms, n)):
        try:
            flags += check()
        except (ArithmeticError, ValueError):
            # A check is advice about the numbers; odd numbers it cannot weigh never stop extraction.
            continue
    return flags


def _flag(check: str, severity: str, message: str, quote: str | None) -> dict:
    return {"check": check, "severity": severity, "message": message, "quote": quote}


def _label(e: dict) -> str:
    parts = [e.get("endpoint", "?"), e.get("measure", "?")]
    if e.get("arm"):
        parts.append(f"({e['arm']})")
    if e.get("timepoint_months") is not None:
        parts.append(f"at {e['timepoint_months']:g} months")
    return " ".join(str(p) for p in parts)


def _quotes(*endpoints: dict) -> str | None:
    seen = []
    for e in endpoints:
        q = e.get("quote")
        if q and q not in seen:
            seen.append(q)
    return " \u2026 ".join(seen) or None


def _ci(e: dict):
    ci = e.get("ci")
    if isinstance(ci, (list, tuple)) and len(ci) == 2 and all(isinstance(b, (int, float)) for b in ci):
        return float(ci[0]), float(ci[1])
    return None


def decimals(value: float, quote: str | None = None) -> int:
    """Decimals `value` was printed with: read from the quote when a token there equals it,
    else from the number itself (19.6 -> 1, 100 -> 0)."""
    for token in re.findall(r"\d+(?:\.\d+)?", quote or ""):
        if math.isclose(float(token), value, rel_tol=0, abs_tol=1e-12):
            return len(token.split(".")[1]) if "." in token else 0
    text = repr(float(value))
    return 0 if text.endswith(".0") else len(text.split(".")[1])


def _half_unit(value: float, quote: str | None) -> float:
    return 0.5 * 10 ** -decimals(value, quote)


# ------------------------------------------------------------------ checks

def ci_excludes_estimate(endpoints: list[dict]) -> list[dict]:
    """A CI that does not contain its estimate (or has its bounds reversed)."""
    flags = []
    for e in endpoints:
        ci, v = _ci(e), e.get("value")
        if ci is None or not isinstance(v, (int, float)):
            continue
        lo, hi = ci
        if lo > hi:
            flags.append(_flag("ci_excludes_estimate", "error",
                               f"{_label(e)}: CI bounds reversed ({lo:g} > {hi:g})", e.get("quote")))
        elif not lo <= v <= hi:
            flags.append(_flag("ci_excludes_estimate", "error",
                               f"{_label(e)}: estimate {v:g} lies outside its 95% CI {lo:g}-{hi:g}",
                               e.get("quote")))
    return flags


def _identity(e: dict) -> tuple:
    return (e.get("endpoint"), e.get("measure"), e.get("arm"), e.get("timepoint_months"), e.get("value"))


def identical_ci(endpoints: list[dict]) -> list[dict]:
    """Two different statistics given the very same CI: one was probably copied."""
    by_ci: dict[tuple, list[dict]] = {}
    for e in endpoints:
        ci = _ci(e)
        if ci is not None:
            by_ci.setdefault(ci, []).append(e)
    flags = []
    for ci, group in by_ci.items():
        distinct = list({_identity(e): e for e in group}.values())
        if len(distinct) > 1:
            names = ", ".join(_label(e) + (f" = {e['value']:g}" if isinstance(e.get("value"), (int, float)) else "")
                              for e in distinct)
            flags.append(_flag("identical_ci", "warning",
                               f"the same 95% CI {ci[0]:g}-{ci[1]:g} is reported for {names}; "
                               "two different estimates are unlikely to share one CI to the last digit", _quotes(*distinct)))
    return flags


def _log_ci(e: dict):
    """(log estimate, log centre, log half-width, rounding slack) of a ratio with a CI, or None."""
    ci, v = _ci(e), e.get("value")
    if e.get("measure") not in _RATIO_MEASURES or ci is None or not isinstance(v, (int, float)):
        return None
    lo, hi = ci
    if not 0 < lo < hi or v <= 0:
        return None
    q = e.get("quote")
    centre = (math.log(lo) + math.log(hi)) / 2
    half = (math.log(hi) - math.log(lo)) / 2
    slack = _half_unit(v, q) / v + max(_half_unit(lo, q) / lo, _half_unit(hi, q) / hi)
    return math.log(v), centre, half, slack


def ratio_ci_off_centre(endpoints: list[dict]) -> list[dict]:
    """A ratio/HR far from the log-scale centre of its CI (more than a quarter of the
    half-width, after allowing for the rounding of the printed digits)."""
    flags = []
    for e in endpoints:
        logs = _log_ci(e)
        if logs is None:
            continue
        est, centre, half, slack = logs
        if abs(est - centre) > 0.25 * half + slack:
            lo, hi = _ci(e)
            flags.append(_flag("ratio_ci_off_centre", "warning",
                               f"{_label(e)} = {e['value']:g} is not at the log-scale centre of its CI "
                               f"{lo:g}-{hi:g}, which corresponds to {math.exp(centre):.2f}; the CI may belong "
                               "to another estimate", e.get("quote")))
    return flags


def _arms_of(e: dict) -> list[str] | None:
    arm = e.get("arm")
    if not arm:
        return None
    parts = re.split(r"\s+vs\.?\s+", arm)
    return parts if len(parts) == 2 else None


def ratio_mismatch(endpoints: list[dict]) -> list[dict]:
    """A stated ratio of two arms' medians that the medians themselves do not give."""
    flags = []
    for e in endpoints:
        if e.get("measure") != "ratio" or not isinstance(e.get("value"), (int, float)):
            continue
        medians = [m for m in endpoints if m.get("endpoint") == e.get("endpoint") and m.get("measure") == "median"
                   and isinstance(m.get("value"), (int, float)) and m.get("timepoint_months") is None]
        names = _arms_of(e)
        if names:
            pair = [next((m for m in medians if m.get("arm") == n), None) for n in names]
        elif len(medians) == 2:
            pair = medians
        else:
            continue
        if None in pair:
            continue
        a, b = pair
        if b["value"] <= 0:
            continue
        r = e["value"]
        ea, eb, er = (_half_unit(a["value"], a.get("quote")), _half_unit(b["value"], b.get("quote")),
                      _half_unit(r, e.get("quote")))
        low = (a["value"] - ea) / (b["value"] + eb)
        high = (a["value"] + ea) / max(b["value"] - eb, 1e-12)
        if r + er < low or r - er > high:
            flags.append(_flag("ratio_mismatch", "warning",
                               f"{_label(e)} is stated as {r:g}, but the medians {a['value']:g} / {b['value']:g} "
                               f"give {a['value'] / b['value']:.3g}", _quotes(e, a, b)))
    return flags


def _p_value(p: str | None):
    """(operator, value) of a printed p; "= 0.000" (rounded to zero) reads as "< 0.0005"."""
    m = re.match(r"^\s*(<|=|>|\u2264|\u2265)\s?([0-9]*\.?[0-9]+)\s*$", p or "")
    if not m:
        return None
    op, printed = {"\u2264": "<", "\u2265": ">"}.get(m.group(1), m.group(1)), m.group(2)
    value = float(printed)
    if value <= 0:
        if op != "=":
            return None
        digits = len(printed.split(".")[1]) if "." in printed else 0
        return "<", 0.5 * 10 ** -digits
    return op, value


def _z(p: float) -> float:
    """The two-sided z of p; finite for any p (an underflowing p gives the largest z)."""
    if not p < 1:
        return 0.0
    return -NormalDist().inv_cdf(max(p, 1e-300) / 2)


def p_ci_conflict(endpoints: list[dict]) -> list[dict]:
    """A ratio/HR whose printed p contradicts its own CI (see module docstring)."""
    flags = []
    for e in endpoints:
        logs, p = _log_ci(e), _p_value(e.get("p"))
        if logs is None or p is None:
            continue
        op, pv = p
        lo, hi = _ci(e)
        excludes_one = lo > 1 or hi < 1
        if excludes_one and ((op == "=" and pv > 0.05) or (op == ">" and pv >= 0.05)):
            flags.append(_flag("p_ci_conflict", "warning",
                               f"{_label(e)}: the CI {lo:g}-{hi:g} excludes 1 but p {op}{pv:g} is not significant",
                               e.get("quote")))
            continue
        if not excludes_one and lo != 1 and hi != 1 and pv < 0.05 and op in ("=", "<"):
            flags.append(_flag("p_ci_conflict", "warning",
                               f"{_label(e)}: the CI {lo:g}-{hi:g} includes 1 but p {op}{pv:g} is significant",
                               e.get("quote")))
            continue
        _, centre, half, _ = logs
        z_ci = abs(centre) / (half / _Z95)
        p_ci = 2 * (1 - NormalDist().cdf(z_ci))
        z_p = _z(pv)
        if (op == "=" and abs(z_ci - z_p) > 1) or (op == "<" and z_ci < z_p - 1) or (op == ">" and z_ci > z_p + 1):
            flags.append(_flag("p_ci_conflict", "warning",
                               f"{_label(e)}: p {op}{pv:g} does not fit the CI {lo:g}-{hi:g}, which implies "
                               f"p \u2248 {p_ci:.2g}", e.get("quote")))
    return flags


def _grim_ok(value: float, n: int, dec: int) -> bool:
    half = 0.5 * 10 ** -dec
    k_lo = math.ceil((value - half) * n / 100 - 1e-9)
    k_hi = math.floor((value + half) * n / 100 + 1e-9)
    return max(k_lo, 0) <= min(k_hi, n)


def grim_percentage(endpoints: list[dict], arms: list[dict], n_patients) -> list[dict]:
    """A crude percentage no whole count of the arm's (or cohort's) n can give."""
    sizes = {a.get("name"): a.get("n") for a in arms if isinstance(a, dict)}
    flags = []
    for e in endpoints:
        v = e.get("value")
        if e.get("unit") != "%" or e.get("endpoint") not in _GRIM_ENDPOINTS or e.get("timepoint_months") is not None \
                or not isinstance(v, (int, float)) or not 0 <= v <= 100:
            continue
        arm = e.get("arm")
        n = sizes.get(arm) if arm else None
        if n is None and (not arm or len(arms) <= 1):
            n = n_patients
        if not isinstance(n, int) or n <= 0:
            continue
        dec = decimals(v, e.get("quote"))
        if not _grim_ok(v, n, dec):
            flags.append(_flag("grim_percentage", "info",
                               f"{_label(e)} = {v:.{dec}f}% cannot be a whole number of the {n} patients "
                               "(fine only if the denominator is lesions or another count)", e.get("quote")))
    return flags


def arm_sum(arms: list[dict], n_patients) -> list[dict]:
    """Arm sizes adding up to more than the study's patients."""
    sizes = [a.get("n") for a in arms if isinstance(a, dict)]
    if len(sizes) < 2 or not all(isinstance(s, int) for s in sizes) or not isinstance(n_patients, int):
        return []
    total = sum(sizes)
    if total > n_patients:
        names = " + ".join(f"{a.get('name')} ({a.get('n')})" for a in arms)
        return [_flag("arm_sum", "warning", f"arms {names} = {total} exceed the {n_patients} patients of the study",
                      None)]
    return []
