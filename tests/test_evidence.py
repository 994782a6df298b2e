"""Records to pooling rows and GRADE bodies: orientation, like-with-like keys, reasons for skipping.

The records are invented (two comparable HIFU + ICI studies and one of another comparison).
"""
from __future__ import annotations

import pytest

from livingreview.analysis import evidence, grade
from livingreview.analysis import risk_of_bias as rob


def record(study, hr_arm, value, ci, design="retrospective", n=120, endpoint="OS", measure="HR"):
    return {
        "id": study, "is_primary_study": True, "design": design, "n_patients": n,
        "local_therapy": ["HIFU"], "systemic_therapy": ["ICI"],
        "arms": [{"name": "HIFU + ICI", "n": n // 2}, {"name": "ICI alone", "n": n // 2}],
        "endpoints": [{"endpoint": endpoint, "measure": measure, "arm": hr_arm, "value": value,
                       "ci": ci, "unit": "ratio", "quote": f"HR {value}"}],
    }


RECORDS = [
    record("alpha2030", "HIFU + ICI vs ICI alone", 0.62, [0.45, 0.85], n=140),
    record("beta2031", "ICI alone vs HIFU + ICI", 1.5, [1.1, 2.0], n=90),  # printed the other way
    record("gamma2032", "HIFU + ICI vs ICI alone", 0.7, [0.5, 0.98], endpoint="PFS"),
]


def test_hazard_ratios_are_oriented_local_therapy_first_and_say_when_inverted():
    rows, skipped = evidence.hazard_ratio_rows(RECORDS)
    beta = next(r for r in rows if r["study"] == "beta2031")
    assert beta["comparison"] == "hifu + ici vs ici alone"
    assert beta["estimate"] == pytest.approx(1 / 1.5)
    assert (beta["ci_low"], beta["ci_high"]) == pytest.approx((1 / 2.0, 1 / 1.1))
    assert "inverted from 1.5" in beta["note"] and skipped == []


def test_same_modality_comparison_and_endpoint_pool_others_say_why_not():
    groups, _ = evidence.pool_hazard_ratios(RECORDS)
    by_key = {g.key: g for g in groups}
    os_group = by_key[("HIFU", "hifu + ici vs ici alone", "OS")]
    assert os_group.pooled and os_group.result.k == 2
    pfs = by_key[("HIFU", "hifu + ici vs ici alone", "PFS")]
    assert not pfs.pooled and pfs.reason.startswith("only one study (gamma2032)")


def test_a_ratio_of_medians_and_an_hr_without_ci_are_skipped_with_reasons():
    recs = [record("d", "HIFU + ICI vs ICI alone", 2.38, [1.1, 3.1], measure="ratio"),
            record("e", "HIFU + ICI vs ICI alone", 0.8, None)]
    rows, skipped = evidence.hazard_ratio_rows(recs)
    assert rows == []
    assert [s["reason"] for s in skipped] == ["a ratio that is not a hazard ratio is not pooled",
                                              "no 95 % CI"]


def test_a_reviewer_mapping_can_merge_differently_worded_comparisons():
    recs = [record("a", "HIFU + ICI vs ICI alone", 0.6, [0.4, 0.9]),
            record("b", "HIFU + ICI vs ICI monotherapy", 0.7, [0.5, 0.98])]
    recs[1]["arms"][1]["name"] = "ICI monotherapy"
    groups, _ = evidence.pool_hazard_ratios(recs, comparison_of=lambda r, a, b: "HIFU+ICI vs ICI")
    assert len(groups) == 1 and groups[0].pooled


def test_body_of_evidence_carries_design_size_rob_and_pooled_effect_into_grade():
    groups, _ = evidence.pool_hazard_ratios(RECORDS)
    group = next(g for g in groups if g.pooled)
    by_id = {r["id"]: r for r in RECORDS}
    serious = rob.read_assessment("alpha2030", {"tool": "ROBINS-I", "domains": {
        f"D{i}": {"judgement": "serious" if i == 1 else "low", "support": "invented"} for i in range(1, 8)}})
    body = evidence.body_of_evidence(group, by_id, {"alpha2030": [serious]})
    assert body.outcome == "OS (HIFU + ICI vs ICI alone)" and body.pooled is group.result
    assert [s.participants for s in body.studies] == [140, 90]
    certainty = grade.rate(body)
    assert certainty.start == 2  # retrospective: observational
    rob_rating = next(r for r in certainty.ratings if r.domain == "risk of bias")
    assert rob_rating.change == -1 and "alpha2030 (ROBINS-I serious)" in rob_rating.footnote
    assert certainty.effect.startswith("HR 0.64 (95 % CI")


def test_sensitivity_rows_leave_each_study_out_and_drop_high_risk_studies():
    recs = [record(s, "HIFU + ICI vs ICI alone", v, ci) for s, v, ci in
            [("a", 0.6, [0.45, 0.8]), ("b", 0.7, [0.5, 0.98]), ("c", 0.9, [0.7, 1.15])]]
    (group,), _ = evidence.pool_hazard_ratios(recs)
    high = rob.read_assessment("c", {"tool": "ROBINS-I", "domains": {
        f"D{i}": {"judgement": "critical" if i == 2 else "low", "support": "invented"} for i in range(1, 8)}})
    rows = evidence.sensitivity(group, {"c": [high]})
    assert [r["analysis"] for r in rows] == ["without a", "without b", "without c",
                                             "without high risk of bias (c)"]
    assert rows[-1]["result"].k == 2 and rows[-1]["result"].estimate < group.result.estimate
    assert all(r["result"].ci_method == "hksj" for r in rows)


def test_sensitivity_says_when_too_few_studies_remain_without_high_risk():
    (group,), _ = evidence.pool_hazard_ratios(RECORDS[:2])
    high = rob.read_assessment("alpha2030", {"tool": "ROBINS-I", "domains": {
        f"D{i}": {"judgement": "serious", "support": "invented"} for i in range(1, 8)}})
    rows = evidence.sensitivity(group, {"alpha2030": [high]})
    assert rows == [{"analysis": "without high risk of bias (alpha2030)", "result": None,
                     "reason": "1 study left: not pooled"}]
