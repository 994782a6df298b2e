"""Arm detection: compared groups with stated sizes, or the single cohort."""
from pathlib import Path

from seeds import seed
from livingreview.extract.arms import extract_arms, keys, match_arm, treatment_labels
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
