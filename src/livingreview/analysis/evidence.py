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
from dataclasses import dataclass, field

from livingreview.analysis import grade, meta
from livingreview.analysis import risk_of_bias as rob
from livingreview.analysis.synthesis import MODALITIES, across_study, arm_role, modality, primary_studies

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
                         "comparison": comparison, "arms": f"{first} vs {second}",
                         "endpoint": ep.get("endpoint"),
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
        modality=str(mod), outcome=f"{endpoint} ({group.rows[0].get('arms') or comparison})",
        studies=studies,
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


# --- a study's structured appraisal and the summary of findings ------------------------------

@dataclass(frozen=True)
class CertaintyOverride:
    """A reviewer's certainty rating for one outcome, given in a study's appraisal file."""

    study: str
    outcome: str  # endpoint code, e.g. OS
    level: str
    reason: str
    modality: str | None = None
    comparison: str | None = None


@dataclass(frozen=True)
class Appraisal:
    """What a study's ``data/appraisals/<id>.yaml`` holds: RoB, indirectness flags, overrides."""

    study: str
    risk_of_bias: tuple[rob.Assessment, ...] = ()
    indirectness: Mapping[str, str] = field(default_factory=dict)
    certainty: tuple[CertaintyOverride, ...] = ()


OVERRIDE_KEYS = {"outcome", "level", "reason", "modality", "comparison"}


def read_overrides(study: str, value) -> tuple[CertaintyOverride, ...]:
    """The ``certainty`` list of an appraisal file: each {outcome, level, reason[, modality,
    comparison]}; a level off GRADE's scale, a missing reason or an unknown key is refused."""
    if value is None:
        return ()
    entries = value if isinstance(value, list) else [value]
    out = []
    for i, entry in enumerate(entries, start=1):
        where = f"{study}: certainty #{i}"
        if not isinstance(entry, Mapping):
            raise rob.AppraisalError(f"{where}: expected a mapping with outcome, level and reason")
        unknown = sorted(set(map(str, entry)) - OVERRIDE_KEYS)
        if unknown:
            raise rob.AppraisalError(f"{where}: unknown key {', '.join(unknown)} "
                                     f"(expected {', '.join(sorted(OVERRIDE_KEYS))})")
        outcome = str(entry.get("outcome") or "").strip()
        if not outcome:
            raise rob.AppraisalError(f"{where}: no outcome (e.g. OS)")
        try:
            parsed = grade.read_override(entry, where)
        except grade.GradeError as err:
            raise rob.AppraisalError(str(err)) from None
        out.append(CertaintyOverride(
            study, outcome, grade.LEVELS[parsed.level], parsed.reason,
            str(entry["modality"]).strip() if entry.get("modality") else None,
            _label(str(entry["comparison"])) if entry.get("comparison") else None))
    return tuple(out)


@dataclass(frozen=True)
class Finding:
    """One summary-of-findings row: a modality and outcome (with its comparison when the studies
    compare arms by a hazard ratio), its body of evidence, rating, pooling group and sensitivity."""

    modality: str
    endpoint: str
    comparison: str | None
    evidence: grade.OutcomeEvidence
    certainty: grade.Certainty
    group: meta.PoolGroup | None = None
    sensitivity: tuple[dict, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.modality} · {self.certainty.outcome}"


SOF_ENDPOINTS = ("OS", "PFS")


def _override_for(appraisals: Mapping[str, Appraisal], studies: Sequence[str], modality_: str,
                  endpoint: str, comparison: str | None) -> grade.Override | None:
    """The one reviewer override that applies to this body of evidence, if any."""
    found = {}
    for study in studies:
        a = appraisals.get(study)
        for o in (a.certainty if a else ()):
            if o.outcome != endpoint or (o.modality and o.modality != modality_):
                continue
            if o.comparison is not None and o.comparison != comparison:
                continue
            found[(o.level, o.reason)] = o.study
    if len(found) > 1:
        raise grade.GradeError(f"{modality_}, {endpoint}: conflicting certainty overrides in the "
                               f"appraisals of {', '.join(sorted(set(found.values())))}")
    if not found:
        return None
    (level, reason), study = next(iter(found.items()))
    return grade.Override(grade.WORD_TO_LEVEL[level], f"{reason} ({study}'s appraisal)")


def _medians_text(rows: list[dict], endpoint: str) -> str:
    """Median survival of the local-therapy arms as printed: one value, or the range."""
    if not rows:
        return f"no median {endpoint} reported (landmark rates only; see the summary table)"
    rows = sorted(rows, key=lambda r: r["value"])
    studies = sorted({r["study"] for r in rows})
    if len(rows) == 1:
        return f"median {endpoint} {rows[0]['value_text']} months (one study, one arm)"
    return (f"median {endpoint} {rows[0]['value_text']} to {rows[-1]['value_text']} months across "
            f"{len(rows)} arms of {len(studies)} stud{'y' if len(studies) == 1 else 'ies'} (range)")


NO_COMMON_COMPARISON = "no two studies report a hazard ratio with its 95 % CI for one comparison"


def summary_of_findings(records: Iterable[dict], appraisals: Mapping[str, Appraisal] | None = None,
                        endpoints: Sequence[str] = SOF_ENDPOINTS, **kw) -> list[Finding]:
    """Every (modality, outcome) row of the summary of findings, rated by GRADE.

    Hazard-ratio groups (``pool_hazard_ratios``) give one row per comparison, pooled when they
    can be, with their sensitivity analyses. The studies of a modality that report the endpoint
    but are in no such group give one descriptive row: medians as printed (a range), not pooled.
    """
    appraisals = appraisals or {}
    prim = primary_studies(records)
    by_id = {str(r.get("id")): r for r in prim}
    rob_map = {s: tuple(a.risk_of_bias) for s, a in appraisals.items()}
    ind_map = {s: dict(a.indirectness) for s, a in appraisals.items()}
    groups, _ = pool_hazard_ratios(prim, **kw)
    findings, covered = [], set()
    for group in groups:
        mod, comparison, endpoint = group.key
        if endpoint not in endpoints:
            continue
        body = body_of_evidence(group, by_id, rob_map, ind_map)
        studies = [str(r["study"]) for r in group.rows]
        covered.update((mod, endpoint, s) for s in studies)
        certainty = grade.rate(body, _override_for(appraisals, studies, mod, endpoint, comparison))
        findings.append(Finding(str(mod), str(endpoint), str(comparison), body, certainty, group,
                                tuple(sensitivity(group, rob_map))))
    across = across_study(prim)
    for mod in MODALITIES:
        for endpoint in endpoints:
            sub = across[(across["modality"] == mod) & (across["endpoint"] == endpoint)]
            studies = [s for s in dict.fromkeys(sub["study"]) if (mod, endpoint, s) not in covered]
            if not studies:
                continue
            medians = sub[(sub["measure"] == "median") & sub["study"].isin(studies)]
            body = grade.OutcomeEvidence(
                modality=mod, outcome=f"{endpoint} (arms given the local therapy)",
                studies=tuple(study_evidence(by_id[s], None, rob_map.get(s, ()), ind_map.get(s),
                                             endpoint) for s in studies),
                measure="median", effect_label=f"median {endpoint}",
                not_pooled_reason=NO_COMMON_COMPARISON if len(studies) > 1 else "one study",
                effect_summary=_medians_text(medians.to_dict('records'), endpoint)
                + ("; not pooled" if len(studies) > 1 else ""))
            certainty = grade.rate(body, _override_for(appraisals, studies, mod, endpoint, None))
            findings.append(Finding(mod, endpoint, None, body, certainty))
    order = {m: i for i, m in enumerate(MODALITIES)}
    return sorted(findings, key=lambda f: (order.get(f.modality, len(order)),
                                           list(endpoints).index(f.endpoint),
                                           f.comparison is None, f.comparison or ""))


def headline(findings: Iterable[Finding]) -> dict[str, str]:
    """Pooled estimates and certainty ratings by name, for "What's new" to compare."""
    out = {}
    for f in findings:
        if f.group is not None and f.group.pooled:
            r = f.group.result
            out[f"pooled {f.label}"] = (f"HR {r.back(r.estimate):.2f} (95 % CI {r.back(r.ci[0]):.2f} "
                                        f"to {r.back(r.ci[1]):.2f}), {r.k} studies")
        out[f"certainty of {f.label}"] = f.certainty.word + (" (reviewer's rating)"
                                                              if f.certainty.overridden else "")
    return out
