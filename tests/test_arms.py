"""Arm detection: compared groups with stated sizes, or the single cohort."""
from pathlib import Path

from seeds import seed
from livingreview.extract.arms import extract_arms, fits_arm, keys, match_arm, treatment_labels
from livingreview.extract.document import Document



def doc_of(text: str, title: str | None = None) -> Document:
    fields = {"title": title} if title else {}
    return Document(path="x", text=text, format="plain_text", fields=fields, body=((0, len(text)),))


def seed_arms(prefix: str, n):
    from livingreview.book.sources import read_source
    return extract_arms(read_source(str(seed(prefix))), n)


def test_seed_000_hifu_group_has_its_stated_size_and_the_complement_none():
    # 94 - 28 = 66 is never stated, so it is not given.
    assert seed_arms("000", 94) == [{"name": "ICI + HIFU", "n": 28},
                                    {"name": "ICI without HIFU", "n": None}]


def test_seed_001_matched_subgroup_is_not_an_arm_and_the_cohort_stays_single():
    assert seed_arms("001", 64) == [{"name": "HIFU", "n": 64}]


def test_single_arm_studies_are_named_after_the_treatments_in_the_title():
    assert seed_arms("002", 108) == [{"name": "radiotherapy + ICI", "n": 108}]
    assert seed_arms("003", 62) == [{"name": "thermal ablation", "n": 62}]


def test_groups_sized_with_n_equals_in_definition_order():
    text = ("Patients were randomized to SBRT plus sintilimab (n = 60) or sintilimab alone (n = 58). "
            "PFS was shorter in the sintilimab alone group.")
    assert extract_arms(doc_of(text), 118) == [{"name": "SBRT plus sintilimab", "n": 60},
                                               {"name": "sintilimab alone", "n": 58}]


def test_groups_sized_by_received_counts():
    text = "Of the 120 patients, 45 received RFA plus PD-1 inhibitors and 75 received RFA alone."
    assert extract_arms(doc_of(text), 120) == [{"name": "RFA plus PD-1 inhibitors", "n": 45},
                                               {"name": "RFA alone", "n": 75}]


def test_named_groups_with_sizes_in_brackets():
    text = ("The HIFU group (n = 28) and the control group (n = 30) were compared. "
            "OS was longer in the HIFU group.")
    assert extract_arms(doc_of(text), 58) == [{"name": "HIFU", "n": 28}, {"name": "control", "n": 30}]


def test_no_treatment_and_no_groups_gives_no_arms():
    assert extract_arms(doc_of("A survey of hospital catering in 2019."), None) == []


def test_group_phrases_match_the_arm_they_name():
    arms = ["ICI + HIFU", "ICI without HIFU"]
    assert match_arm("the HIFU group", arms) == "ICI + HIFU"
    assert match_arm("group without HIFU", arms) == "ICI without HIFU"
    two = ["HIFU + chemotherapy", "chemotherapy alone"]
    assert match_arm("chemotherapy-only", two) == "chemotherapy alone"
    assert match_arm("HIFU + chemotherapy group", two) == "HIFU + chemotherapy"
    assert match_arm("combination group", two) == "HIFU + chemotherapy"
    assert match_arm("the study group", two) is None


def test_treatment_keys_read_synonyms_and_negation():
    assert treatment_labels("high-intensity focused ultrasound with camrelizumab") == ["HIFU", "ICI"]
    assert treatment_labels("stereotactic body radiotherapy and lenvatinib") == ["SBRT", "TKI"]
    pos, neg, alone, generic = keys("patients without HIFU")
    assert (pos, neg) == (frozenset(), frozenset({"HIFU"}))
    assert keys("TACE alone")[2] is True


def test_a_total_treated_with_two_sized_groups_gives_each_group_its_own_n():
    text = ("TACE plus durvalumab versus TACE alone\n\n"
            "We reviewed 131 patients treated with TACE plus durvalumab (n = 64) or TACE alone (n = 67).")
    assert extract_arms(doc_of(text), 131) == [{"name": "TACE plus durvalumab", "n": 64},
                                               {"name": "TACE alone", "n": 67}]


def test_the_name_a_group_is_sized_under_wins_over_the_titles_spelling():
    text = ("Transarterial chemoembolisation plus durvalumab versus transarterial chemoembolisation alone\n\n"
            "Patients received TACE plus durvalumab (n = 64) or TACE alone (n = 67).")
    assert [a["name"] for a in extract_arms(doc_of(text), 131)] == ["TACE plus durvalumab", "TACE alone"]


def test_combination_and_control_arm_words_are_references_not_extra_arms():
    text = ("SBRT plus toripalimab versus toripalimab alone\n\n"
            "Patients were randomly assigned to SBRT plus toripalimab (n = 60) or toripalimab alone (n = 58). "
            "Median PFS was 9.8 months in the combination arm versus 5.6 months in the control arm.")
    arms = extract_arms(doc_of(text), 118)
    assert arms == [{"name": "SBRT plus toripalimab", "n": 60}, {"name": "toripalimab alone", "n": 58}]
    names = [a["name"] for a in arms]
    assert match_arm("combination arm", names) == "SBRT plus toripalimab"
    assert match_arm("control arm", names) == "toripalimab alone"


def test_generic_groups_stay_when_the_text_names_no_treatment_groups():
    text = "Results\n\nThe combination group (n = 30) and the control group (n = 28) were compared."
    assert extract_arms(doc_of(text), 58) == [{"name": "combination", "n": 30}, {"name": "control", "n": 28}]


# ------------------------------------------------------------ written fixtures (invented studies)
ARMS = Path(__file__).parent / "fixtures" / "arms"


def fixture_arms(name: str, n=None):
    text = (ARMS / name).read_text(encoding="utf-8")
    title, _, _ = text.partition("\n")
    return extract_arms(doc_of(text, title), n)


def test_an_assignment_list_of_three_with_an_appositive_name_gives_three_sized_arms():
    assert fixture_arms("three_arm_appositive.txt", 600) == [
        {"name": "DUET regimen", "n": 201}, {"name": "durvalumab alone", "n": 200}, {"name": "sorafenib", "n": 199}]


def test_groups_named_by_abbreviations_the_text_defines_are_two_arms_with_their_counts():
    arms = fixture_arms("abbreviated_groups.txt", 140)
    assert arms == [{"name": "LEN-MWA", "n": 71}, {"name": "LEN", "n": 69}]  # the names the text sizes them under
    names = [a["name"] for a in arms]
    assert match_arm("the LEN-MWA group", names) == "LEN-MWA" and match_arm("LEN group", names) == "LEN"


def test_arms_that_differ_by_dose_are_keyed_by_their_own_words():
    arms = fixture_arms("dose_arms.txt", 96)
    assert [a["name"] for a in arms] == ["8 Gy in a single fraction", "20 Gy in 5 fractions"]
    assert match_arm("the 20 Gy group", [a["name"] for a in arms]) == "20 Gy in 5 fractions"


def test_a_chain_of_counts_gives_one_arm_per_count():
    assert fixture_arms("chained_counts.txt", 300) == [
        {"name": "SR", "n": 100}, {"name": "TACE+MWA", "n": 80}, {"name": "TACE", "n": 120}]


def test_a_bracketed_pair_of_counts_sizes_two_arms_and_excluded_counts_are_not_sizes():
    assert fixture_arms("bracketed_pair.txt", 98) == [{"name": "DX", "n": 50}, {"name": "DXC", "n": 48}]


def test_groups_labelled_and_sized_in_brackets_stay_apart_though_both_are_the_same_therapy():
    assert fixture_arms("sized_labels.txt", 61) == [{"name": "SW-MWA", "n": 30}, {"name": "SI-MWA", "n": 31}]


def test_arm_labels_name_the_alternatives_of_an_assignment():
    arms = fixture_arms("labelled_arms.txt", 90)
    assert [a["name"] for a in arms] == ["arm A", "arm B"]
    assert match_arm("arm B", [a["name"] for a in arms]) == "arm B"


def test_a_title_comparison_alone_gives_two_arms():
    text = "Axitinib versus sorafenib in advanced kidney cancer\n\nProgression-free survival was longer with axitinib."
    assert [a["name"] for a in extract_arms(doc_of(text, text.split("\n")[0]), None)] == ["Axitinib", "sorafenib"]


def test_two_drugs_of_one_class_are_different_arms_and_a_class_word_fits_either():
    names = ["axitinib", "sorafenib"]
    assert match_arm("the sorafenib group", names) == "sorafenib"
    assert fits_arm("TKI", "sorafenib") and not fits_arm("axitinib", "sorafenib")


def test_treatment_labels_show_local_therapies_by_name_and_drugs_by_class():
    assert treatment_labels("SBRT plus sintilimab") == ["SBRT", "ICI"]
    assert treatment_labels("TACE without sorafenib") == ["TACE"]


def test_randomisation_between_three_treatments_in_brackets_gives_three_arms():
    text = ("Biomarker study\n\nTumours of 900 women from the GAMMA trial (randomization between adjuvant drug X "
            "versus drug Y versus the sequence of the two drugs) were stained.")
    assert [a["name"] for a in extract_arms(doc_of(text, "Biomarker study"), None)] == [
        "adjuvant drug X", "drug Y", "sequence of the two drugs"]


def test_groups_each_named_by_its_own_assignment_are_arms():
    text = ("Safety of drug Z\n\nAmong those randomized to receive drug Z, 23 had pancreatitis, against 12 randomized "
            "to receive placebo [0.2%].")
    assert [a["name"] for a in extract_arms(doc_of(text, "Safety of drug Z"), None)] == ["drug Z", "placebo"]


def test_one_arm_per_dose_of_a_dose_finding_randomisation():
    text = ("Results: In this invented dose-finding trial, 120 patients with recurrent glioma were randomly assigned "
            "to receive velamab at doses of 5 or 20 mg/kg or standard chemotherapy.\n")
    arms = extract_arms(doc_of(text, "Velamab for recurrent glioma"), 120)
    assert [a["name"] for a in arms] == ["5 mg/kg velamab", "20 mg/kg velamab", "standard chemotherapy"]


def test_groups_sized_inside_their_abbreviations_brackets():
    text = ("Methods: We reviewed the records of 140 patients with HCC treated with lenvatinib plus a PD-1 inhibitor, "
            "either combined with TACE (TACE-L-P; n = 61) or without TACE (L-P; n = 79).\n")
    assert extract_arms(doc_of(text), 140) == [{"name": "TACE-L-P", "n": 61}, {"name": "L-P", "n": 79}]
