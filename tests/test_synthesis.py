import pandas as pd

from livingreview.analysis import synthesis as Y
from records import all_records, hou, liao, qa_page, radiotherapy, wang


def test_modality_follows_local_therapy():
    assert [Y.modality(r) for r in all_records()] == [
        "HIFU", "HIFU", "radiotherapy", "thermal ablation", "other"]


def test_modality_of_other_local_therapies_and_mixtures():
    rec = hou()
    rec["local_therapy"] = ["TACE"]
    assert Y.modality(rec) == "other"
    rec["local_therapy"] = ["radiotherapy", "HIFU"]
    assert Y.modality(rec) == "HIFU"  # fixed priority: HIFU, thermal ablation, radiotherapy


def test_arm_roles_separate_local_therapy_from_control():
    rec = liao()
    assert Y.arm_role(rec, "HIFU + ICI") == "local therapy"
    assert Y.arm_role(rec, "ICI alone") == "control"
    assert Y.arm_role(wang(), "HIFU") == "local therapy"
    rec["arms"] = [{"name": "Group A", "n": 10}, {"name": "Group B", "n": 12}]
    rec["endpoints"] = []
    assert Y.arm_role(rec, "Group A") == "unclear"


def test_summary_table_has_one_row_per_arm_of_primary_studies_only():
    table = Y.summary_table(all_records())
    assert list(table.columns) == Y.SUMMARY_COLUMNS
    assert list(zip(table["study"], table["arm"])) == [
        ("liao2025_hifu_ici", "HIFU + ICI"), ("liao2025_hifu_ici", "ICI alone"),
        ("wang2025_hifu", "HIFU"), ("hou2025_ablation", "Thermal ablation"),
        ("anon2025_radiotherapy_ici_hcc", "Radiotherapy + ICI")]
    assert "qa_ici_liver_metastases" not in set(table["study"])


def test_summary_table_prints_numbers_as_the_sources_do():
    t = Y.summary_table(all_records()).set_index("arm")
    assert t.loc["Thermal ablation", "median OS"] == "33.0 (26.9–39.1)"
    assert t.loc["Thermal ablation", "median PFS"] == "11.4 (10.1–12.8)"
    assert t.loc["ICI alone", "median PFS"] == "4.60"
    assert t.loc["HIFU", "OS 12 mo"] == "100%" and t.loc["HIFU", "OS 36 mo"] == "72%"
    assert t.loc["HIFU", "median PFS"] == ""
    assert t.loc["Radiotherapy + ICI", "ORR"] == "75.0%"
    assert t.loc["Radiotherapy + ICI", "grade ≥3 AE"] == "30.6%"
    assert list(t["ICI"]) == ["yes", "yes", "no", "no", "yes"]
    assert t.loc["HIFU + ICI", "arm_n"] == 28 and pd.isna(t.loc["ICI alone", "arm_n"])


def test_summary_table_does_not_depend_on_input_order():
    records = all_records()
    pd.testing.assert_frame_equal(Y.summary_table(records), Y.summary_table(records[::-1]))


def test_summary_table_leaves_conflicting_values_blank_and_notes_them():
    rec = hou()
    rec["endpoints"].append({**rec["endpoints"][5], "value": 34.0, "ci": None})
    row = Y.summary_table([rec]).iloc[0]
    assert row["median OS"] == "" and row["notes"] == "conflicting values for OS"


def test_within_study_comparisons_pair_arms_with_the_reported_ratio():
    within = Y.within_study_comparisons(all_records())
    assert list(within["study"]) == ["liao2025_hifu_ici", "liao2025_hifu_ici"]
    pfs = within[within["endpoint"] == "PFS"].iloc[0]
    assert (pfs["arm_a"], pfs["median_a"], pfs["arm_b"], pfs["median_b"]) == (
        "HIFU + ICI", 10.95, "ICI alone", 4.6)
    assert (pfs["measure"], pfs["effect"], pfs["ci_low"], pfs["ci_high"], pfs["p"]) == (
        "ratio", 2.38, 1.087, 3.106, "<0.0001")
    assert pfs["median_ratio_computed"] == 2.38
    assert within[within["endpoint"] == "OS"].iloc[0]["median_ratio_computed"] == 1.84


def test_within_study_lists_median_pairs_without_a_reported_effect():
    rec = liao()
    rec["endpoints"] = [ep for ep in rec["endpoints"] if ep["measure"] == "median"]
    within = Y.within_study_comparisons([rec])
    assert list(within["comparison"]) == ["HIFU + ICI vs ICI alone"] * 2
    assert within["measure"].isna().all() and within["effect"].isna().all()


def test_across_study_keeps_local_therapy_arms_and_leaves_controls_out():
    across = Y.across_study(all_records())
    assert "ICI alone" not in set(across["arm"])
    medians = across[across["measure"] == "median"]
    assert list(zip(medians["study"], medians["endpoint"], medians["value"])) == [
        ("liao2025_hifu_ici", "PFS", 10.95), ("liao2025_hifu_ici", "OS", 19.6),
        ("wang2025_hifu", "OS", 52.0), ("hou2025_ablation", "PFS", 11.4),
        ("hou2025_ablation", "OS", 33.0), ("anon2025_radiotherapy_ici_hcc", "OS", 17.0),
        ("anon2025_radiotherapy_ici_hcc", "PFS", 12.6)]
    hou_os = medians[(medians["study"] == "hou2025_ablation") & (medians["endpoint"] == "OS")].iloc[0]
    assert (hou_os["ci_low"], hou_os["ci_high"], hou_os["value_text"]) == (26.9, 39.1, "33.0")
    assert across[across["study"] == "hou2025_ablation"]["n"].iloc[0] == 62


def test_prose_numbers_are_computed_from_the_records():
    numbers = Y.prose_numbers(all_records())
    assert numbers["n_records"] == 5
    assert numbers["n_primary_studies"] == 4
    assert numbers["n_non_primary"] == 1
    assert numbers["n_patients_total"] == 94 + 64 + 108 + 62
    assert numbers["n_studies_hifu"] == 2 and numbers["n_patients_hifu"] == 94 + 64
    assert numbers["n_studies_thermal_ablation"] == 1 and numbers["n_patients_thermal_ablation"] == 62
    assert numbers["n_studies_radiotherapy"] == 1 and numbers["n_patients_radiotherapy"] == 108
    assert numbers["n_studies_with_ici"] == 2 and numbers["n_patients_with_ici"] == 94 + 108
    assert numbers["n_flags_warning"] == 1 and numbers["n_randomized"] == 0
    assert (numbers["os_median_min"], numbers["os_median_max"]) == (17.0, 52.0)
    assert numbers["os_median_range_text"] == "17.0–52 months"
    assert numbers["os_median_max_study"] == "wang2025_hifu"
    assert numbers["pfs_median_range_text"] == "10.95–12.6 months"


def test_prose_numbers_without_primary_studies_report_nothing_found():
    numbers = Y.prose_numbers([qa_page()])
    assert numbers["n_primary_studies"] == 0 and numbers["n_patients_total"] == 0
    assert numbers["os_median_min"] is None and numbers["os_median_range_text"] == "not reported"


def test_single_arm_record_without_arms_uses_all_patients():
    rec = radiotherapy()
    rec["arms"] = []
    assert Y.study_arms(rec) == ["All patients"]
    assert Y.summary_table([rec]).iloc[0]["arm"] == "All patients"


def test_an_arm_named_without_the_local_therapy_is_the_control():
    rec = liao()
    rec["arms"] = [{"name": "ICI + HIFU", "n": 28}, {"name": "ICI without HIFU", "n": None}]
    assert Y.arm_role(rec, "ICI + HIFU") == "local therapy"
    assert Y.arm_role(rec, "ICI without HIFU") == "control"
    assert Y.arm_role(rec, "non-HIFU group") == "control"


def test_arm_roles_read_local_therapy_synonyms_from_the_one_vocabulary():
    rec = {"is_primary_study": True, "local_therapy": ["thermal ablation"], "systemic_therapy": ["ICI"],
           "arms": [{"name": "MWA plus sintilimab", "n": 30}, {"name": "sintilimab alone", "n": 28}],
           "endpoints": []}
    assert Y.arm_role(rec, "MWA plus sintilimab") == "local therapy"
    assert Y.arm_role(rec, "sintilimab alone") == "control"
    # Bare "ablation" (ethanol, chemical) is not thermal ablation, here as in the records.
    assert not Y._mentions_local_therapy(rec, "ethanol ablation")
