from livingreview.analysis import certainty as C
from records import all_records, hou, liao, radiotherapy, wang


def _trial(study_id, n=200, os_median=20.0, design="randomized", flags=None, ratio=None):
    """A two-arm study of radiotherapy + ICI versus ICI alone, built for the certainty rules."""
    rec = radiotherapy()
    rec.update(id=study_id, design=design, n_patients=n, flags=flags or [],
               arms=[{"name": "Radiotherapy + ICI", "n": n // 2}, {"name": "ICI alone", "n": n // 2}])
    rec["endpoints"] = [{"endpoint": "OS", "measure": "median", "arm": "Radiotherapy + ICI",
                         "value": os_median, "unit": "months", "ci": None, "timepoint_months": None,
                         "p": None, "quote": f"median OS {os_median} months", "span": [0, 1]}]
    if ratio is not None:
        rec["endpoints"].append({"endpoint": "OS", "measure": "HR", "arm": "Radiotherapy + ICI vs ICI alone",
                                 "value": ratio, "unit": "ratio", "ci": None, "timepoint_months": None,
                                 "p": None, "quote": f"HR {ratio}", "span": [0, 1]})
    return rec


def test_start_level_is_high_only_when_every_study_is_randomized():
    assert C.start_level([_trial("a"), _trial("b")])[0] == "high"
    assert C.start_level([_trial("a"), _trial("b", design="prospective")])[0] == "low"
    assert C.start_level([hou()])[0] == "low"


def test_risk_of_bias_downgrades_when_all_are_retrospective_or_single_arm():
    assert C.risk_of_bias([liao(), wang()])[0] is True
    assert C.risk_of_bias([hou()])[0] is True  # single arm
    assert C.risk_of_bias([_trial("a", design="prospective"), liao()])[0] is False


def test_inconsistency_is_not_assessable_for_one_study():
    assert C.inconsistency([hou()]) == (False, "not assessable (single study)")


def test_inconsistency_flags_a_more_than_twofold_spread_of_medians():
    down, text = C.inconsistency([liao(), wang()])
    assert down is True and text == "inconsistent: wide spread of median OS (19.6–52 months)"


def test_inconsistency_flags_effects_in_opposite_directions():
    down, text = C.inconsistency([_trial("a", ratio=0.7), _trial("b", ratio=1.3)])
    assert down is True and "conflicting directions" in text


def test_similar_medians_and_same_direction_are_consistent():
    assert C.inconsistency([_trial("a", ratio=0.7, os_median=20), _trial("b", ratio=0.8, os_median=24)]) == (
        False, "consistent")


def test_ratio_of_medians_above_one_and_hr_below_one_point_the_same_way():
    rec = liao()  # ratio 2.38 / 1.84 favour HIFU + ICI
    down, text = C.inconsistency([rec, _trial("b", ratio=0.7, os_median=18)])
    assert "conflicting directions" not in text


def test_imprecision_downgrades_for_few_patients_or_few_studies():
    assert C.imprecision([_trial("a", n=400)]) == (True, "imprecision: 1 study < 3")
    assert C.imprecision([_trial("a", n=50), _trial("b", n=50), _trial("c", n=50)]) == (
        True, "imprecision: 150 patients < 300")
    assert C.imprecision([_trial("a"), _trial("b"), _trial("c")]) == (False, "")


def test_warning_or_error_flags_downgrade_once_but_info_does_not():
    info = [{"check": "x", "severity": "info", "message": "m", "quote": None}]
    warn = [{"check": "x", "severity": "warning", "message": "m", "quote": None},
            {"check": "y", "severity": "error", "message": "m", "quote": None}]
    assert C.flag_concerns([_trial("a", flags=info)])[0] is False
    assert C.flag_concerns([_trial("a", flags=warn)])[:2] == (True, 2)


def test_large_consistent_randomized_evidence_without_flags_stays_high():
    row = C.assess([_trial("a", ratio=0.7), _trial("b", ratio=0.75), _trial("c", ratio=0.8)])
    assert row["certainty"] == "high" and row["randomized"] == 3 and row["patients"] == 600


def test_each_concern_takes_one_level_off():
    flags = [{"check": "x", "severity": "warning", "message": "m", "quote": None}]
    studies = [_trial("a", ratio=0.7, flags=flags), _trial("b", ratio=0.75), _trial("c", ratio=0.8)]
    assert C.assess(studies)["certainty"] == "moderate"
    studies = [_trial("a", ratio=0.7, flags=flags, n=50), _trial("b", ratio=0.75, n=50)]
    assert C.assess(studies)["certainty"] == "low"


def test_certainty_never_goes_below_very_low():
    row = C.assess([liao(), wang()])  # starts low, four downgrades
    assert row["certainty"] == "very low"
    assert row["reasons"].count(";") == 4


def test_certainty_table_on_the_seed_records():
    table = C.certainty_table(all_records())
    assert list(table.columns) == C.CERTAINTY_COLUMNS
    assert list(table["modality"]) == ["HIFU", "thermal ablation", "radiotherapy"]
    assert list(table["n_studies"]) == [2, 1, 1]
    assert list(table["patients"]) == [158, 62, 108]
    assert list(table["flags"]) == [1, 0, 0]
    assert list(table["certainty"]) == ["very low"] * 3
    hifu = table.iloc[0]
    assert hifu["consistency"] == "inconsistent: wide spread of median OS (19.6–52 months)"
    assert "risk of bias" in hifu["reasons"] and "imprecision: 158 patients < 300" in hifu["reasons"]
    assert table.iloc[1]["consistency"] == "not assessable (single study)"
