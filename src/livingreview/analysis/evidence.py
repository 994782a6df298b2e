"""From study records and appraisals to pooling rows and GRADE bodies of evidence.

Hazard ratios with a 95 % CI become ``ratio`` rows, oriented local-therapy arm first: an HR
printed the other way round ("ICI alone vs HIFU + ICI") is inverted (1/HR, CI 1/high to 1/low)
and the row says so. The comparison is the oriented "A vs B" label as printed (lower case,
spaces collapsed) unless the caller passes ``comparison_of`` (e.g. a reviewer's mapping), so two
studies pool only when they answer the same question; the modality is always part of the key.
A ``ratio`` measure (e.g. a ratio of medians) is not an effect a meta-analysis pools. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence

from livingreview.analysis import grade, meta
from livingreview.analysis import risk_of_bias as rob
from livingreview.analysis.synthesis import arm_role, modality, primary_studies

_SPACES = re.compile(r"\s+")


def _label(text: str) -> str:
    return _SPACES.sub(" ", text.strip().lower())


def default_comparison(record: dict, first: str, second: str) -> str:
    """The oriented comparison as printed, normalised for case and spacing."""
    return f"{_label(first)} vs {_label(second)}"


def hazard_ratio_rows(records: Iterable[dict],
                      comparison_of: Callable[[dict, str, str], str | None] = default_comparison,
                      ) -> tuple[list[dict], list[dict]]:
    """(rows for ``meta.group_and_pool``, skipped endpoints each with its reason)."""
    rows, skipped = [], []
    for record in primary_studies(records):
        for ep in record.get("endpoints") or []:
            if ep.get("measure") not in ("HR", "ratio"):
                continue
            where = {"study": record.get("id"), "endpoint": ep.get("endpoint"), "arm": ep.get("arm")}
            if ep.get("measure") == "ratio":
                skipped.append({**where, "reason": "a ratio that is not a hazard ratio is not pooled"})
                continue
            if not ep.get("ci"):
                skipped.append({**where, "reason": "no 95 % CI"})
                continue
            parts = re.split(r"\s+vs\.?\s+", ep.get("arm") or "", maxsplit=1)
            if len(parts) != 2:
                skipped.append({**where, "reason": "the HR does not name its two arms (A vs B)"})
                continue
            first, second = parts
            estimate, (lo, hi) = float(ep["value"]), (float(ep["ci"][0]), float(ep["ci"][1]))
            note = ""
            if arm_role(record, first) == "control" and arm_role(record, second) == "local therapy":
                first, second = second, first
                estimate, lo, hi = 1 / estimate, 1 / hi, 1 / lo
                note = f"inverted from {ep['value']:g} as printed ({ep['arm']})"
            comparison = comparison_of(record, first, second)
            if comparison is None:
                skipped.append({**where, "reason": "no comparison assigned"})
                continue
            rows.append({"study": record.get("id"), "modality": modality(record),
                         "comparison": comparison, "endpoint": ep.get("endpoint"),
                         "measure": "ratio", "effect": "HR", "estimate": estimate,
                         "ci_low": lo, "ci_high": hi, "note": note, "quote": ep.get("quote")})
    return rows, skipped


POOL_KEYS = ("modality", "comparison", "endpoint")


def pool_hazard_ratios(records: Iterable[dict], **kw) -> tuple[list[meta.PoolGroup], list[dict]]:
    """Every (modality, comparison, endpoint) group of hazard ratios, pooled where it can be."""
    comparison_of = kw.pop("comparison_of", default_comparison)
    rows, skipped = hazard_ratio_rows(records, comparison_of)
    return meta.group_and_pool(rows, keys=POOL_KEYS, **kw), skipped


def study_evidence(record: dict, row: Mapping | None, assessments: Sequence[rob.Assessment] = (),
                   indirectness: Mapping[str, str] | None = None,
                   outcome: str | None = None) -> grade.StudyEvidence:
    """One study's part in a body of evidence: design, size, its RoB for the outcome, its effect."""
    return grade.StudyEvidence(
        study=str(record.get("id")),
        randomised=record.get("design") == "randomized",
        participants=record.get("n_patients"),
        risk_of_bias=rob.for_outcome(assessments, outcome),
        estimate=None if row is None else float(row["estimate"]),
        ci=None if row is None else (float(row["ci_low"]), float(row["ci_high"])),
        indirectness=dict(indirectness or {}),
    )


def body_of_evidence(group: meta.PoolGroup, records: Mapping[str, dict],
                     assessments: Mapping[str, Sequence[rob.Assessment]] | None = None,
                     indirectness: Mapping[str, Mapping[str, str]] | None = None) -> grade.OutcomeEvidence:
    """The GRADE input for one pooling group (pooled or not), keyed (modality, comparison, endpoint)."""
    mod, comparison, endpoint = group.key
    studies = tuple(
        study_evidence(records[str(r["study"])], r, (assessments or {}).get(str(r["study"]), ()),
                       (indirectness or {}).get(str(r["study"])), endpoint)
        for r in group.rows)
    return grade.OutcomeEvidence(
        modality=str(mod), outcome=f"{endpoint} ({comparison})", studies=studies,
        measure=group.measure or "ratio", effect_label="HR", pooled=group.result,
        effects=group.effects, not_pooled_reason=group.reason)


def at_high_risk(assessments: Sequence[rob.Assessment], outcome: str | None) -> bool:
    """True when the study's assessment for the outcome is high, serious or critical overall."""
    a = rob.for_outcome(assessments, outcome)
    return a is not None and (a.severity or 0) >= 2


def sensitivity(group: meta.PoolGroup, assessments: Mapping[str, Sequence[rob.Assessment]] | None = None,
                **kw) -> list[dict]:
    """Sensitivity rows for a pooled group: leave each study out (k >= 3), then without the
    studies at high risk of bias; each row holds a result or the reason there is none."""
    if not group.pooled:
        return []
    kw = {"method": group.result.method, "measure": group.result.measure,
          "ci": "hksj" if group.result.ci_method in ("hksj", "knha") else "wald",
          "hksj_guard": group.result.ci_method != "knha", **kw}
    rows = []
    if len(group.effects) >= 3:
        for study, result in meta.leave_one_out(group.effects, **kw):
            rows.append({"analysis": f"without {study}", "result": result, "reason": ""})
    endpoint = group.key[-1]
    high = [e.study for e in group.effects if at_high_risk((assessments or {}).get(e.study, ()), endpoint)]
    if high:
        kept = meta.without(group.effects, high, **kw)
        label = "without high risk of bias (" + ", ".join(high) + ")"
        rows.append({"analysis": label, "result": kept if not isinstance(kept, str) else None,
                     "reason": kept if isinstance(kept, str) else ""})
    return rows
