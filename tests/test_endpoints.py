"""Endpoint extraction: the real seeds, invented abstracts per phrasing, and invariants."""
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seeds import all_seeds, seed as seed_path
from livingreview.extract.arms import extract_arms
from livingreview.extract.document import Document
from livingreview.extract.endpoints import extract_endpoints
from livingreview.extract.numbers import numbers_in, parse_ci, parse_p
from livingreview.extract.sentences import split_sentences

FIXTURES = Path(__file__).parent / "fixtures" / "endpoints"
KEYS = {"endpoint", "measure", "arm", "value", "unit", "ci", "timepoint_months", "p", "quote", "span"}


def doc_of(text: str, title: str | None = None) -> Document:
    fields = {"title": title} if title else {}
    return Document(path="x", text=text, format="plain_text", fields=fields, body=((0, len(text)),))


def fixture(name: str, n: int | None = None) -> tuple[Document, list[dict], list[dict]]:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    doc = doc_of(text, text.split("\n", 1)[0])
    arms = extract_arms(doc, n)
    return doc, arms, extract_endpoints(doc, arms)


def seed(prefix: str, n: int | None):
    from livingreview.book.sources import read_source
    path = seed_path(prefix)
    doc = read_source(str(path))
    arms = extract_arms(doc, n)
    return doc, arms, extract_endpoints(doc, arms)


def rows(eps):
    """(endpoint, measure, arm, value, ci, timepoint, p) for comparing with hand-written lists."""
    return [(e["endpoint"], e["measure"], e["arm"], e["value"],
             tuple(e["ci"]) if e["ci"] else None, e["timepoint_months"], e["p"]) for e in eps]


def assert_well_formed(doc: Document, eps: list[dict]) -> None:
    for e in eps:
        assert set(e) == KEYS
        s, t = e["span"]
        assert doc.text[s:t] == e["quote"]
        printed = numbers_in(e["quote"])
        assert e["value"] in printed
        if e["ci"]:
            assert e["ci"][0] in printed and e["ci"][1] in printed


# ------------------------------------------------------------------ seeds

def test_seed_000_ratios_carry_the_ci_and_p_and_medians_go_to_each_arm():
    doc, arms, eps = seed("000", 94)
    hifu, other = "ICI + HIFU", "ICI without HIFU"
    vs = f"{hifu} vs {other}"
    assert rows(eps) == [
        ("PFS", "ratio", vs, 2.38, (1.087, 3.106), None, "<0.0001"),
        ("PFS", "median", hifu, 10.95, None, None, None),
        ("PFS", "median", other, 4.60, None, None, None),
        ("OS", "ratio", vs, 1.84, (1.087, 3.106), None, "=0.0418"),
        ("OS", "median", hifu, 19.6, None, None, None),
        ("OS", "median", other, 10.67, None, None, None),
    ]
    assert all(e["unit"] == ("ratio" if e["measure"] == "ratio" else "months") for e in eps)
    assert_well_formed(doc, eps)
    assert not any("13.8" in e["quote"] or "Disibio" in e["quote"] for e in eps)


def test_seed_001_median_and_landmark_survival_of_the_cohort():
    doc, arms, eps = seed("001", 64)
    assert rows(eps) == [
        ("OS", "median", "HIFU", 52, None, None, None),
        ("OS", "rate", "HIFU", 100, None, 12, None),
        ("OS", "rate", "HIFU", 93.3, None, 24, None),
        ("OS", "rate", "HIFU", 72, None, 36, None),
    ]
    assert_well_formed(doc, eps)


def test_seed_002_respectively_across_endpoints_and_no_baseline_or_single_event_rates():
    doc, arms, eps = seed("002", 108)
    arm = "radiotherapy + ICI"
    assert rows(eps) == [
        ("ORR", "rate", arm, 75.0, None, None, None),
        ("OS", "median", arm, 17.0, None, None, None),
        ("PFS", "median", arm, 12.6, None, None, None),
        ("AE_grade3plus", "rate", arm, 30.6, None, None, None),
    ]
    assert_well_formed(doc, eps)
    values = {e["value"] for e in eps}
    assert not values & {53.7, 63.9, 55, 18.8, 17.6}


def test_seed_003_key_findings_and_abstract_give_each_endpoint_once_with_its_ci():
    doc, arms, eps = seed("003", 62)
    arm = "thermal ablation"
    assert rows(eps) == [
        ("technical_success", "rate", arm, 100, None, None, None),
        ("technical_efficacy", "rate", arm, 96.8, None, None, None),
        ("other:major_complications", "rate", arm, 21, None, None, None),
        ("PFS", "median", arm, 11.4, (10.1, 12.8), None, None),
        ("PFS", "rate", arm, 43.5, None, 12, None),
        ("PFS", "rate", arm, 10.2, None, 24, None),
        ("OS", "median", arm, 33.0, (26.9, 39.1), None, None),
        ("OS", "rate", arm, 98.4, None, 12, None),
        ("OS", "rate", arm, 78.7, None, 24, None),
        ("OS", "rate", arm, 43.7, None, 36, None),
    ]
    assert_well_formed(doc, eps)
    assert not {e["value"] for e in eps} & {2.3, 61.0, 30}


def test_seed_004_patient_page_has_no_endpoints():
    doc, arms, eps = seed("004", None)
    assert eps == []


# --------------------------------------------------------------- phrasings

def test_hazard_ratios_in_both_printed_styles_go_to_a_vs_b_with_ci_and_p():
    doc, arms, eps = fixture("hr_two_arm.txt")
    a, b = "SBRT plus sintilimab", "sintilimab alone"
    assert arms == [{"name": a, "n": 60}, {"name": b, "n": 58}]
    assert rows(eps) == [
        ("PFS", "median", a, 9.8, None, None, None),
        ("PFS", "median", b, 5.2, None, None, None),
        ("PFS", "HR", f"{a} vs {b}", 0.52, (0.34, 0.79), None, "=0.002"),
        ("OS", "median", a, 22.4, None, None, None),
        ("OS", "median", b, 15.1, None, None, None),
        ("OS", "HR", f"{a} vs {b}", 0.61, (0.41, 0.90), None, "=0.013"),
        ("ORR", "rate", a, 48.3, None, None, None),
        ("ORR", "rate", b, 22.4, None, None, None),
    ]
    assert_well_formed(doc, eps)


def test_respectively_across_arms_follows_the_order_the_groups_are_named():
    doc, arms, eps = fixture("respectively_arms.txt")
    a, b = "TACE plus camrelizumab", "TACE alone"
    assert arms == [{"name": a, "n": 70}, {"name": b, "n": 86}]
    assert rows(eps) == [
        ("OS", "median", a, 19.2, None, None, None),
        ("OS", "median", b, 13.5, None, None, None),
        ("OS", "rate", a, 78.6, None, 12, None),
        ("OS", "rate", b, 59.3, None, 12, None),
    ]
    assert_well_formed(doc, eps)


def test_decimal_middle_dots_are_read_and_a_bare_range_is_not_taken_for_a_ci():
    doc, arms, eps = fixture("middle_dot.txt")
    assert rows(eps) == [
        ("PFS", "median", "MWA + ICI", 12.6, (10.1, 15.2), None, None),
        ("OS", "median", "MWA + ICI", 27.3, None, None, None),
        ("ORR", "rate", "MWA + ICI", 41.7, None, None, None),
    ]
    assert "12·6" in eps[0]["quote"]
    assert_well_formed(doc, eps)


def test_landmark_rates_in_lists_words_and_at_phrases_get_timepoints():
    doc, arms, eps = fixture("landmark_list.txt")
    assert [(e["endpoint"], e["value"], e["timepoint_months"]) for e in eps] == [
        ("PFS", 70.1, 6), ("PFS", 45.3, 12), ("OS", 91.9, 12), ("OS", 76, 24), ("OS", 58.0, 36),
    ]
    assert all(e["measure"] == "rate" and e["unit"] == "%" for e in eps)
    assert_well_formed(doc, eps)


def test_grade_3_4_events_with_a_count_take_the_percentage_and_a_none_occurred_gives_nothing():
    doc, arms, eps = fixture("grade34_count.txt")
    assert [(e["endpoint"], e["value"]) for e in eps] == [("AE_grade3plus", 19), ("AE_any", 79.4)]
    assert_well_formed(doc, eps)


def test_not_reached_is_left_out_and_the_other_median_kept():
    doc, arms, eps = fixture("not_reached.txt")
    assert rows(eps) == [
        ("PFS", "median", "SIRT + ICI", 14.2, (11.0, 17.4), None, None),
        ("DCR", "rate", "SIRT + ICI", 87.5, None, None, None),
    ]


def test_orr_and_dcr_respectively_and_subgroup_rates_left_out():
    doc, arms, eps = fixture("orr_dcr.txt")
    assert [(e["endpoint"], e["value"]) for e in eps] == [("ORR", 41.7), ("DCR", 83.3)]


def test_grade_3_or_higher_local_control_at_one_year_and_time_to_progression():
    doc, arms, eps = fixture("grade3_or_higher.txt")
    assert [(e["endpoint"], e["measure"], e["value"], e["timepoint_months"]) for e in eps] == [
        ("local_control", "rate", 92.0, 12),
        ("AE_grade3plus", "rate", 22.5, None),
        ("other:TTP", "median", 8.7, None),
    ]


def test_baseline_follow_up_dose_threshold_and_mean_size_give_nothing():
    doc, arms, eps = fixture("negatives_baseline.txt")
    assert eps == []


def test_background_section_numbers_are_not_the_study_results():
    doc, arms, eps = fixture("background.txt")
    assert [(e["endpoint"], e["value"]) for e in eps] == [("ORR", 51.1), ("PFS", 10.3)]


def test_most_common_event_rates_and_included_events_are_left_out():
    doc, arms, eps = fixture("most_common.txt")
    assert [(e["endpoint"], e["value"]) for e in eps] == [("AE_grade3plus", 20.0)]


def test_a_repeated_abstract_gives_each_endpoint_once():
    doc, arms, eps = fixture("repeated_abstract.txt")
    assert [(e["endpoint"], e["value"]) for e in eps] == [("PFS", 10.5), ("ORR", 38.0)]
    assert eps[0]["span"][0] < doc.text.index("Abstract", 100)


def test_prognostic_factor_hazard_ratios_are_left_out():
    doc, arms, eps = fixture("prognostic_hr.txt")
    assert [(e["endpoint"], e["measure"], e["value"]) for e in eps] == [("OS", "median", 11.2)]


def test_ci_spellings_with_unusual_spacing_and_p_against_baseline_not_kept():
    doc, arms, eps = fixture("unicode_spacing.txt")
    assert rows(eps) == [
        ("PFS", "median", "SBRT + ICI", 8.1, (6.2, 10.0), None, None),
        ("OS", "median", "SBRT + ICI", 20.4, (16.3, 24.5), None, None),
        ("DCR", "rate", "SBRT + ICI", 78.2, None, None, None),
    ]


def test_subgroup_results_are_left_out():
    doc, arms, eps = fixture("subgroup_only.txt")
    assert [(e["endpoint"], e["value"]) for e in eps] == [("ORR", 33.3)]


def test_technical_outcomes_complications_and_local_control_list():
    doc, arms, eps = fixture("technical_list.txt")
    assert [(e["endpoint"], e["value"], e["timepoint_months"]) for e in eps] == [
        ("technical_success", 98.5, None), ("technical_efficacy", 95.0, None),
        ("other:major_complications", 4.5, None),
        ("local_control", 94.1, 12), ("local_control", 88.0, 24), ("local_control", 85.2, 36),
    ]


def test_fold_ratio_over_a_bracketed_pair():
    doc, arms, eps = fixture("ratio_fold.txt")
    a, b = "RFA plus PD-1 inhibitors", "RFA alone"
    assert rows(eps) == [
        ("other:RFS", "ratio", f"{a} vs {b}", 1.9, (1.21, 2.95), None, "=0.004"),
        ("other:RFS", "median", a, 16.3, None, None, None),
        ("other:RFS", "median", b, 8.6, None, None, None),
    ]
    assert_well_formed(doc, eps)


def test_a_vs_pair_in_a_single_arm_study_compares_something_else_and_is_left_out():
    doc, arms, eps = fixture("single_arm_pair.txt")
    assert [(e["endpoint"], e["value"]) for e in eps] == [("OS", 14.5)]


@pytest.mark.parametrize("sentence", [
    "The median follow-up was 18.8 months.",
    "After a median follow-up of 30 months, 12 patients had died.",
    "A median radiation dose of 55 Gy was delivered to lesions ≤ 3 cm.",
    "Patients had ≤ 4 pulmonary metastases (mean diameter 2.3 cm) and a mean age of 61.0 years.",
    "Extra-hepatic metastasis was recorded in 58 (53.7%) patients.",
    "No grade ≥3 immune-mediated adverse events occurred.",
    "The median overall survival was not reached.",
    "Survival was associated with tumour number (p < 0.05).",
    "The 5-year survival rate of unresectable disease is less than 10%.",
])
def test_sentences_that_state_no_study_endpoint_give_nothing(sentence):
    assert extract_endpoints(doc_of(sentence), [{"name": "HIFU + ICI", "n": 30}]) == []


def test_a_two_arm_value_not_tied_to_an_arm_has_a_null_arm():
    text = "The median OS of the whole cohort was 15.2 months."
    arms = [{"name": "TACE + ICI", "n": 40}, {"name": "TACE alone", "n": 41}]
    (e,) = extract_endpoints(doc_of(text), arms)
    assert (e["endpoint"], e["arm"], e["value"]) == ("OS", None, 15.2)


def test_only_body_ranges_are_read():
    text = "Results: The ORR was 40.0%.\nReferences: 1. Smith. The ORR was 12.0% in an older series."
    doc = Document(path="x", text=text, format="plain_text", fields={}, body=((0, 27),))
    assert [e["value"] for e in extract_endpoints(doc, [])] == [40.0]


# ------------------------------------------------------------- helpers

def test_ci_and_p_parsing_as_printed():
    assert parse_ci("(95% CI, 10.1 to 12.8)") == (10.1, 12.8)
    assert parse_ci("95% confidence interval (CI): 1.087-3.106") == (1.087, 3.106)
    assert parse_ci("[95%CI 0.4–0.8]") == (0.4, 0.8)
    assert parse_ci("CI: 1.1-3.1") == (1.1, 3.1)
    assert parse_ci("95\u00a0% CI 0·45−0·85") == (0.45, 0.85)
    assert parse_p("P<0.0001") == "<0.0001"
    assert parse_p("P = 0.0418") == "=0.0418"
    assert parse_p("(p\u2009<\u20090.05)") == "<0.05"
    assert parse_p("P ≤ 0.01") == "≤0.01"
    assert parse_p("PFS<3") is None


def test_sentences_do_not_break_after_vs_et_al_or_inside_decimals():
    text = "PFS was 10.95 vs. 4.60 months (Liao et al. 2025). OS was longer.ResultsFrom 2018 on."
    parts = [text[s:e] for s, e in split_sentences(text)]
    assert parts == ["PFS was 10.95 vs. 4.60 months (Liao et al. 2025).", "OS was longer.",
                     "ResultsFrom 2018 on."]


# ------------------------------------------------------------- properties

_WORDS = st.sampled_from([
    "median", "OS", "PFS", "was", "were", "and", "vs.", "respectively", ",", "(", ")", "[", "]",
    "95% CI", "HR", "P <", "=", "months", "%", "1-, 2- and 3-year", "grade ≥3", "adverse events",
    "ORR", "in the", "HIFU group", "group without HIFU", "times", "not reached", "follow-up", ";",
    "12·6", "0.62", "10.1–12.8", "43.5", "100", "2.38", "·", "−", "\u00a0", "\n", "alone",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, max_size=40), st.text(max_size=60))
def test_extraction_never_raises_and_every_endpoint_is_quoted_at_its_span(words, noise):
    text = " ".join(words) + noise
    doc = doc_of(text)
    for arms in ([], [{"name": "HIFU", "n": 5}],
                 [{"name": "ICI + HIFU", "n": 5}, {"name": "ICI without HIFU", "n": None}]):
        eps = extract_endpoints(doc, arms)
        assert_well_formed(doc, eps)
        names = {a["name"] for a in arms}
        for e in eps:
            assert e["arm"] is None or e["arm"] in names or " vs " in e["arm"]
            assert e["unit"] in ("months", "%", "ratio")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_never_breaks_arms_or_endpoints(text):
    doc = doc_of(text)
    arms = extract_arms(doc, 10)
    assert_well_formed(doc, extract_endpoints(doc, arms))


def test_every_seed_and_fixture_endpoint_fits_the_schema():
    import json

    import jsonschema

    schema = json.loads((Path(__file__).parents[1] / "src" / "livingreview" / "extract" / "study-record.schema.json").read_text())
    endpoint_schema = {**schema["$defs"]["endpoint"], "$defs": schema["$defs"]}
    found = []
    for prefix, n in (("000", 94), ("001", 64), ("002", 108), ("003", 62)):
        found += seed(prefix, n)[2]
    for path in sorted(FIXTURES.glob("*.txt")):
        found += fixture(path.name)[2]
    assert len(found) > 60
    for e in found:
        jsonschema.validate(e, endpoint_schema)


def test_hazard_ratio_arms_follow_the_arms_named_in_the_sentence():
    text = "OS was improved with TACE plus ICI compared with TACE alone (HR 0.62 (95% CI 0.45–0.85; P = 0.003)."
    arms = [{"name": "TACE alone", "n": 40}, {"name": "TACE plus ICI", "n": 41}]
    (e,) = extract_endpoints(doc_of(text), arms)
    assert rows([e]) == [("OS", "HR", "TACE plus ICI vs TACE alone", 0.62, (0.45, 0.85), None, "=0.003")]


_HCC_TITLE = "HAIC plus an immune checkpoint inhibitor versus lenvatinib for advanced hepatocellular carcinoma"


@pytest.mark.parametrize("sentence, expected", [
    # the sentence names the combination by its abbreviation, first: its value is the first one
    ("At 6 months the response rate favoured HAIC-ICI (41.5% vs 12.0%).",
     [("ORR", "rate", "HAIC plus ICI", 41.5), ("ORR", "rate", "lenvatinib", 12.0)]),
    ("Median PFS was 7.9 months with HAIC-ICI and 4.1 months with lenvatinib, and median OS was "
     "18.3 and 11.6 months, respectively.",
     [("PFS", "median", "HAIC plus ICI", 7.9), ("PFS", "median", "lenvatinib", 4.1),
      ("OS", "median", "HAIC plus ICI", 18.3), ("OS", "median", "lenvatinib", 11.6)]),
])
def test_a_combination_named_by_its_abbreviation_sets_the_order_of_the_values(sentence, expected):
    # The arms in the order the methods named them, the control first: the values must follow
    # the sentence, not this order.
    arms = [{"name": "lenvatinib", "n": 40}, {"name": "HAIC plus ICI", "n": 41}]
    doc = doc_of(f"{_HCC_TITLE}\n\n{sentence}", _HCC_TITLE)
    assert [r[:4] for r in rows(extract_endpoints(doc, arms))] == expected


def test_two_groups_each_named_in_its_own_clause_are_not_both_given_to_the_combination():
    sentence = ("At 6 months, HAIC-ICI gave an ORR of 41.5% (17/41), whereas the response rate with "
                "lenvatinib was 12.0% (5/40).")
    arms = [{"name": "lenvatinib group", "n": 40}, {"name": "HAIC-ICI group", "n": 41}]
    eps = extract_endpoints(doc_of(f"{_HCC_TITLE}\n\n{sentence}", _HCC_TITLE), arms)
    assert [e["value"] for e in eps] == [41.5, 12.0]
    assert [e["arm"] for e in eps].count("HAIC-ICI group") <= 1


# ------------------------------------------------- unseen-abstract phrasings

def test_survival_time_without_median_is_its_median_but_responders_and_per_protocol_are_left_out():
    # "OS was 17.0 months": a survival time is reported as its median (the gold convention);
    # "in responders" and "in the per-protocol population" are subsets.
    doc, arms, eps = fixture("os_without_median.txt")
    arm = "MWA + ICI"
    assert rows(eps) == [
        ("OS", "median", arm, 17.0, None, None, None),
        ("OS", "rate", arm, 71.4, None, 12, None),
        ("PFS", "median", arm, 8.3, (6.1, 10.5), None, None),
    ]
    assert not {e["value"] for e in eps} & {15.2, 18.4}
    assert_well_formed(doc, eps)


def test_in_patients_with_the_title_condition_is_the_study_population_not_a_subgroup():
    doc, arms, eps = fixture("main_population.txt")
    arm = "SBRT + ICI"
    assert rows(eps) == [
        ("ORR", "rate", arm, 52.4, None, None, None),
        ("DCR", "rate", arm, 85.7, None, None, None),
        ("OS", "median", arm, 16.5, (13.2, 19.8), None, None),
        ("PFS", "median", arm, 7.4, None, None, None),
    ]
    # PD-L1 >=1%, the PD-L1-positive subgroup, no extrahepatic spread, complete responders,
    # Child-Pugh B: subgroups, left out.
    assert not {e["value"] for e in eps} & {68.0, 11.9, 19.0, 100, 9.1}
    # The quote is the whole clause, qualifier included, without the section label.
    assert eps[0]["quote"] == "In patients with HCC treated with SBRT plus camrelizumab, the ORR was 52.4% and the DCR was 85.7%"
    assert_well_formed(doc, eps)


@pytest.mark.parametrize("sentence", [
    "Among patients with PD-L1 ≥1%, the ORR was 68.0%.",
    "In patients with HCC treated with sorafenib, the median OS was 10.2 months.",
    "In patients who achieved a complete response, the median OS was 30.1 months.",
    "In patients with Child-Pugh B liver function, the median OS was 9.1 months.",
    "In patients without extrahepatic spread, the median OS was 19.0 months.",
    "Among those with HCC, the median OS was 18.0 months.",
])
def test_subgroup_phrases_still_drop_their_results(sentence):
    text = "SBRT plus camrelizumab for hepatocellular carcinoma (HCC)\n\n" + sentence
    doc = doc_of(text, "SBRT plus camrelizumab for hepatocellular carcinoma (HCC)")
    assert extract_endpoints(doc, [{"name": "SBRT + ICI", "n": 40}]) == []


def test_study_population_phrase_naming_one_of_two_arms_gives_that_arm():
    text = "In patients with HCC treated with TACE plus camrelizumab, the median OS was 20.3 months."
    doc = doc_of(text, "TACE plus camrelizumab versus TACE alone for HCC")
    arms = [{"name": "TACE plus camrelizumab", "n": 40}, {"name": "TACE alone", "n": 41}]
    assert rows(extract_endpoints(doc, arms)) == [
        ("OS", "median", "TACE plus camrelizumab", 20.3, None, None, None)]


def test_survival_in_years_keeps_its_unit_and_other_series_are_left_out():
    # Contract v2: a time printed in years stays in years (never converted to months).
    doc, arms, eps = fixture("survival_years.txt")
    assert rows(eps) == [
        ("OS", "median", "RFA + ICI", 2.1, (1.6, 2.9), None, None),
        ("other:RFS", "median", "RFA + ICI", 11.2, None, None, None),
        ("OS", "rate", "RFA + ICI", 64.0, None, 24, None),
        ("OS", "mean", "RFA + ICI", 1.8, None, None, None),
    ]
    assert [e["unit"] for e in eps] == ["years", "months", "%", "years"]
    assert not {e["value"] for e in eps} & {3.4, 25.2}  # "compared favourably with earlier series"


def test_hazard_ratios_with_equals_signs_colons_bracketed_hr_and_p_without_leading_zero():
    doc, arms, eps = fixture("hr_printed_styles.txt")
    a, b = "TACE plus durvalumab", "TACE alone"
    assert arms == [{"name": a, "n": 64}, {"name": b, "n": 67}]
    assert rows(eps) == [
        ("OS", "median", a, 21.3, None, None, None),
        ("OS", "median", b, 14.8, None, None, None),
        ("OS", "HR", f"{a} vs {b}", 0.52, (0.31, 0.87), None, "=0.013"),
        ("PFS", "median", a, 9.1, None, None, None),
        ("PFS", "median", b, 6.0, None, None, None),
        ("PFS", "HR", f"{a} vs {b}", 0.65, (0.48, 0.88), None, "=.005"),  # "P = .005" as printed
    ]
    assert_well_formed(doc, eps)


def test_response_rates_with_counts_and_complete_response_in_n_patients():
    doc, arms, eps = fixture("response_counts.txt")
    arm = "MWA + ICI"
    assert rows(eps) == [
        ("ORR", "rate", arm, 42.9, None, None, None),
        ("DCR", "rate", arm, 80, None, None, None),
        ("other:complete_response", "rate", arm, 14.3, None, None, None),
    ]
    # Pathological complete response is another endpoint; a duration is not a rate.
    assert not {e["value"] for e in eps} & {20.0, 9.4, 15, 28, 5}
    assert_well_formed(doc, eps)


def test_combination_and_control_arm_wording_maps_medians_and_hr_to_the_named_arms():
    doc, arms, eps = fixture("rct_combination_control.txt")
    a, b = "SBRT plus toripalimab", "toripalimab alone"
    assert arms == [{"name": a, "n": 60}, {"name": b, "n": 58}]
    assert rows(eps) == [
        ("PFS", "median", a, 9.8, None, None, None),
        ("PFS", "median", b, 5.6, None, None, None),
        ("PFS", "HR", f"{a} vs {b}", 0.54, (0.38, 0.77), None, "<0.001"),
        ("ORR", "rate", a, 45.0, None, None, None),
        ("ORR", "rate", b, 20.7, None, None, None),
    ]
    assert_well_formed(doc, eps)


def test_adverse_events_of_grade_3_or_4_in_percent_of_patients():
    doc, arms, eps = fixture("grade34_phrasing.txt")
    assert rows(eps) == [
        ("AE_grade3plus", "rate", "HIFU + ICI", 18.2, None, None, None),
        ("other:irAE_any", "rate", "HIFU + ICI", 27.3, None, None, None),
    ]


def test_hard_negatives_protocol_history_others_trials_years_and_inexact_give_nothing():
    doc, arms, eps = fixture("hard_negatives.txt")
    assert eps == []


def test_publisher_page_noise_captions_and_references_give_no_endpoints():
    from livingreview.book.sources import read_source
    doc = read_source(str(FIXTURES / "journal_page_noise.txt"))
    arms = extract_arms(doc, 48)
    eps = extract_endpoints(doc, arms)
    assert rows(eps) == [
        ("ORR", "rate", "cryoablation + ICI", 37.5, None, None, None),
        ("PFS", "median", "cryoablation + ICI", 7.9, (6.0, 9.8), None, None),
        ("OS", "median", "cryoablation + ICI", 20.2, None, None, None),
    ]
    assert_well_formed(doc, eps)


def test_folded_token_scan_finds_what_the_case_insensitive_scan_finds():
    from livingreview.extract.endpoints import _TOKEN_RE, _TOKEN_RE_FOLDED
    from livingreview.extract.numbers import folded
    texts = [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in all_seeds()]
    for text in texts:
        spans = [(m.span(), m.lastgroup) for m in _TOKEN_RE.finditer(text)]
        assert spans == [(m.span(), m.lastgroup) for m in _TOKEN_RE_FOLDED.finditer(folded(text))]
    assert folded("K\u212a") is None  # Kelvin sign: folding would not be exact, the slow scan is used


# ------------------------------------------------------- shapes of printed results
# Each sentence is our own, of an invented study; each pins one way papers print a result.
TWO = [{"name": "cryoablation plus nivolumab", "n": 40}, {"name": "nivolumab alone", "n": 41}]
ONE = [{"name": "RFA", "n": 40}]
A, B = TWO[0]["name"], TWO[1]["name"]
AB = f"{A} vs {B}"


def extract_sentence(sentence: str, arms: list[dict], title: str = "An invented cancer trial") -> list[dict]:
    doc = doc_of(sentence, title)
    eps = extract_endpoints(doc, arms)
    assert_well_formed(doc, eps)
    return eps


@pytest.mark.parametrize("sentence, arms, expected", [
    # "X% vs Y%"
    ("The objective response rate was 42.5% vs 19.5% (P = 0.03).", TWO,
     [("ORR", "rate", A, 42.5, None, None, "=0.03"), ("ORR", "rate", B, 19.5, None, None, "=0.03")]),
    # "X% and Y%, respectively", two arms and three groups named as printed
    ("Disease control rates were 80.0% and 61.0%, respectively.", TWO,
     [("DCR", "rate", A, 80.0, None, None, None), ("DCR", "rate", B, 61.0, None, None, None)]),
    ("Response rates were 31%, 24% and 12% in the high-dose, low-dose and placebo groups, respectively.", [],
     [("ORR", "rate", "high-dose", 31, None, None, None), ("ORR", "rate", "low-dose", 24, None, None, None),
      ("ORR", "rate", "placebo", 12, None, None, None)]),
    # medians per arm in parentheses, and a bracketed "a vs b" with its HR
    ("Median overall survival was 14.1 months (cryoablation plus nivolumab) and 10.2 months (nivolumab alone).", TWO,
     [("OS", "median", A, 14.1, None, None, None), ("OS", "median", B, 10.2, None, None, None)]),
    ("Overall survival was longer with the combination (median, 14.1 vs 10.2 months; HR 0.70, 95% CI 0.52-0.94; "
     "P = 0.02).", TWO,
     [("OS", "median", A, 14.1, None, None, None), ("OS", "median", B, 10.2, None, None, None),
      ("OS", "HR", AB, 0.70, (0.52, 0.94), None, "=0.02")]),
    # "from X to Y months"
    ("Median progression-free survival improved from 4.2 months in the nivolumab alone group to 7.9 months in the "
     "combination group.", TWO,
     [("PFS", "median", B, 4.2, None, None, None), ("PFS", "median", A, 7.9, None, None, None)]),
    # CI styles: "(95% CI, a-b)", "95% CI: a to b", "[95% CI a–b]", "(a–b)" right after an HR
    ("Median PFS was 7.9 months (95% CI, 6.1-9.4) in the combination arm.", TWO,
     [("PFS", "median", A, 7.9, (6.1, 9.4), None, None)]),
    ("Median OS was 15.0 months (95% CI: 12.2 to 17.8).", ONE, [("OS", "median", "RFA", 15.0, (12.2, 17.8), None, None)]),
    ("Median PFS was 6.3 months [95% CI 5.0–7.6].", ONE, [("PFS", "median", "RFA", 6.3, (5.0, 7.6), None, None)]),
    ("The HR for progression was 0.58 (0.41–0.82).", TWO, [("PFS", "HR", AB, 0.58, (0.41, 0.82), None, None)]),
    # "HR 0.61; 95% CI 0.45-0.83; P < .001" and "hazard ratio for death, 0.72"
    ("For overall survival, HR 0.61; 95% CI 0.45-0.83; P < .001.", TWO,
     [("OS", "HR", AB, 0.61, (0.45, 0.83), None, "<.001")]),
    ("The hazard ratio for death, 0.72 (95% CI, 0.55 to 0.94), favoured the combination.", TWO,
     [("OS", "HR", AB, 0.72, (0.55, 0.94), None, None)]),
    # mOS / mPFS
    ("mOS was 20.3 months and mPFS was 9.1 months.", ONE,
     [("OS", "median", "RFA", 20.3, None, None, None), ("PFS", "median", "RFA", 9.1, None, None, None)]),
    # one arm not reached: the other arm's number is taken, nothing is invented for NR
    ("Median OS was not reached in the combination arm and 11.4 months in the nivolumab alone arm.", TWO,
     [("OS", "median", B, 11.4, None, None, None)]),
    # landmark lists
    ("The 1-, 3- and 5-year OS rates were 91.2%, 70.4% and 52.0%, respectively.", ONE,
     [("OS", "rate", "RFA", 91.2, None, 12, None), ("OS", "rate", "RFA", 70.4, None, 36, None),
      ("OS", "rate", "RFA", 52.0, None, 60, None)]),
    ("At 12 months, 45% of patients were alive.", ONE, [("OS", "rate", "RFA", 45, None, 12, None)]),
    ("The 2-year overall survival rates were 88.0% for arm A and 71.5% for arm B.", [],
     [("OS", "rate", "arm A", 88.0, None, 24, None), ("OS", "rate", "arm B", 71.5, None, 24, None)]),
    # a response rate with its count, and grade 3-4 AEs as "n (%)"
    ("The study achieved an ORR of 35.0% (14/40).", ONE, [("ORR", "rate", "RFA", 35.0, None, None, None)]),
    ("Grade 3 or 4 treatment-related adverse events occurred in 12 (15.0%) patients.", ONE,
     [("AE_grade3plus", "rate", "RFA", 15.0, None, None, None)]),
    # flattened table rows
    ("Median OS (months)\t14.1\t10.2", TWO,
     [("OS", "median", A, 14.1, None, None, None), ("OS", "median", B, 10.2, None, None, None)]),
    ("ORR, % | 42.5 | 19.5 | <.001", TWO,
     [("ORR", "rate", A, 42.5, None, None, None), ("ORR", "rate", B, 19.5, None, None, None)]),
    # middle-dot decimals, an en dash and a Unicode minus in CIs
    ("Median OS was 12·6 months (95% CI 10·1–15·0) and the HR was 0·71 (95% CI 0·55−0·92).", TWO,
     [("OS", "median", None, 12.6, (10.1, 15.0), None, None), ("OS", "HR", AB, 0.71, (0.55, 0.92), None, None)]),
    # values named after them: "a vs b for ORR; and c vs d for DCR"
    ("Both rates were higher with the combination (44.0% vs 20.5% for ORR, P = .01; and 80.0% vs 61.0% for DCR, "
     "P = .04).", TWO,
     [("ORR", "rate", A, 44.0, None, None, None), ("ORR", "rate", B, 20.5, None, None, None),
      ("DCR", "rate", A, 80.0, None, None, None), ("DCR", "rate", B, 61.0, None, None, None)]),
    # a group the study's arms do not name keeps its label as printed
    ("Median OS was 13.0 months in the TACE-first group and 9.8 months in the deferred group.", TWO,
     [("OS", "median", "TACE-first group", 13.0, None, None, None),
      ("OS", "median", "deferred group", 9.8, None, None, None)]),
])
def test_each_printed_shape_gives_its_endpoints(sentence, arms, expected):
    assert rows(extract_sentence(sentence, arms)) == expected


@pytest.mark.parametrize("sentence, unit", [
    ("Median overall survival was 38 weeks.", "weeks"),
    ("Median time to progression was 45 days.", "days"),
    ("Median overall survival was 2.4 years.", "years"),
])
def test_a_median_keeps_the_time_unit_it_is_printed_in(sentence, unit):
    (e,) = extract_sentence(sentence, ONE)
    assert (e["measure"], e["unit"]) == ("median", unit)
    assert str(e["value"]) in sentence


def test_a_number_of_patients_without_a_percentage_is_a_count():
    (e,) = extract_sentence("Complete response was achieved in 7 patients.", ONE)
    assert (e["endpoint"], e["measure"], e["value"], e["unit"]) == ("other:complete_response", "count", 7, "patients")
    # beside a rate the number of patients is its denominator, never a second value
    assert rows(extract_sentence("The ORR was 30% in 40 patients.", ONE)) == [("ORR", "rate", "RFA", 30, None, None, None)]


def test_the_quote_is_the_whole_clause_so_its_qualifiers_are_visible():
    (e,) = extract_sentence("In the intention-to-treat population, the median OS was 16.1 months; toxicity was mild.", ONE)
    assert e["quote"] == "In the intention-to-treat population, the median OS was 16.1 months"


@pytest.mark.parametrize("sentence", [
    "The ORR was 50% in patients older than 70 years.",
    "In IMbrave150, median OS was 19.2 months.",
    "A pooled analysis of 12 series reported a median OS of 16 months.",
    "Tumour size above 5 cm predicted worse OS (HR 2.10, 95% CI 1.30-3.40).",
    "The median follow-up was 24.1 months.",
    "Assuming a median PFS of 6 months, 60 patients were needed to detect a hazard ratio of 0.6.",
    "Nivolumab 240 mg was given every 2 weeks for up to 24 months.",
    "Responders had a longer median OS than non-responders (25.0 vs 9.1 months).",
    "The ORR was 45% in PD-L1-positive vs 20% in PD-L1-negative tumours.",
    "Grade 3 skin toxicity occurred in 12% of patients.",
    "Discontinuation due to adverse events occurred in 6.0% of patients.",
    "Adverse events leading to withdrawal occurred in 4.5% of patients.",
    "Rates of adverse events were similar in both groups (overlapping 95% CIs).",
])
def test_qualified_or_non_result_sentences_give_no_endpoint(sentence):
    assert extract_sentence(sentence, ONE) == []


def test_background_and_discussion_sections_are_never_read_when_the_reader_marks_them():
    from livingreview.extract.document import Section
    text = ("Background: Earlier trials gave a median OS of 10.2 months.\n"
            "Results: Median OS was 15.4 months.\n"
            "Discussion: This compares with 11.0 months with sorafenib.")
    first, second = text.index("Results"), text.index("Discussion")
    sections = (Section("Background", "background", 0, first - 1), Section("Results", "results", first, second - 1),
                Section("Discussion", "discussion", second, len(text)))
    doc = Document(path="x", text=text, format="plain_text", fields={"title": "A trial"}, body=((0, len(text)),),
                   sections=sections)
    assert rows(extract_endpoints(doc, ONE)) == [("OS", "median", "RFA", 15.4, None, None, None)]
    # without sections the printed labels do the same
    plain = Document(path="x", text=text, format="plain_text", fields={"title": "A trial"}, body=((0, len(text)),))
    assert rows(extract_endpoints(plain, ONE)) == [("OS", "median", "RFA", 15.4, None, None, None)]


def test_labelled_layouts_skip_methods_and_read_results():
    text = ("TITLE:\nAn invented trial\n\nABSTRACT.METHODS:\nWe expected a median PFS of 6.0 months.\n\n"
            "ABSTRACT.RESULTS:\nMedian PFS was 8.2 months.\n")
    assert rows(extract_sentence(text, ONE)) == [("PFS", "median", "RFA", 8.2, None, None, None)]


def test_a_p_printed_as_zero_beside_an_hr_and_ci_never_stops_extraction():
    from livingreview.extract.record import build_record
    text = ("Cryoablation plus nivolumab versus nivolumab alone: a randomised trial\n\n"
            "Results: Median OS was 14.1 vs 10.2 months (HR 0.62, 95% CI 0.40-0.95, p = 0.000).")
    doc = Document(path="x.txt", text=text, format="plain_text", fields={}, body=((0, len(text)),))
    record = build_record(doc)
    hrs = [e for e in record["endpoints"] if e["measure"] == "HR"]
    assert [(e["value"], e["ci"], e["p"]) for e in hrs] == [(0.62, [0.40, 0.95], "=0.000")]


@pytest.mark.parametrize("sentence", [
    "A later series reported a response rate of 37% [12].",
    "Another prospective study found a median OS of 11.0 months.",
    "A response was defined as at least a 50% reduction in tumour size.",
    "The absolute increase in the 3-year PFS rate was 7.5% (from 30.0% to 37.5%).",
])
def test_cited_defined_and_difference_figures_are_not_endpoints(sentence):
    assert not [e for e in extract_sentence(sentence, ONE) if e["value"] in (37, 11.0, 50, 7.5)]


def test_unheaded_paragraphs_after_a_title_section_are_read_as_abstract():
    from livingreview.book.sources import read_source
    doc = read_source(str(FIXTURES / "press_release_unheaded.txt"))
    assert [s.role for s in doc.sections] == ["title"]
    arms = extract_arms(doc, 300)
    eps = extract_endpoints(doc, arms)
    assert [(e["endpoint"], e["measure"], e["value"]) for e in eps] == [
        ("OS", "median", 19.4), ("OS", "median", 14.2), ("OS", "HR", 0.74), ("ORR", "rate", 41), ("ORR", "rate", 22)]
    assert_well_formed(doc, eps)


def test_landmarks_printed_after_a_list_of_rates_give_one_rate_per_landmark():
    text = ("Results: In the invented cohort, local control was 98%, 91.5% and 84.0% at 1, 3 and 5 years, "
            "and the complication rate was low.\n")
    eps = extract_endpoints(doc_of(text), [])
    assert rows(eps) == [("local_control", "rate", None, 98, None, 12, None),
                         ("local_control", "rate", None, 91.5, None, 36, None),
                         ("local_control", "rate", None, 84.0, None, 60, None)]
    assert_well_formed(doc_of(text), eps)


def test_a_hazard_ratio_naming_no_endpoint_is_the_previous_sentences_endpoint():
    text = ("Results: Median overall survival was 15.2 months with ablation plus ICI and 11.0 months with ablation alone. "
            "The hazard ratio was 0.66 (95% CI 0.48-0.91; p = 0.01).\n")
    arms = [{"name": "ablation plus ICI", "n": None}, {"name": "ablation alone", "n": None}]
    eps = extract_endpoints(doc_of(text), arms)
    assert [(e["endpoint"], e["measure"], e["value"]) for e in eps] == [
        ("OS", "median", 15.2), ("OS", "median", 11.0), ("OS", "HR", 0.66)]
    assert_well_formed(doc_of(text), eps)


def test_a_hazard_ratio_after_a_sentence_without_an_endpoint_gives_nothing():
    text = "Results: The median age was 63 years. The hazard ratio was 0.66 (95% CI 0.48-0.91).\n"
    assert extract_endpoints(doc_of(text), []) == []


def test_radiologic_response_rate_is_objective_response_and_ci_bounds_may_carry_percent_signs():
    text = "Results: The radiologic response rate was 36.4% (95% CI 22% to 51%) after the invented regimen.\n"
    eps = extract_endpoints(doc_of(text), [])
    assert rows(eps) == [("ORR", "rate", None, 36.4, (22, 51), None, None)]
    assert_well_formed(doc_of(text), eps)


def test_rates_each_followed_by_its_landmark_and_progression_free_patients_are_pfs_rates():
    text = ("Results: Progression-free survival was 70.2% at 1 year and 52% at 2 years, "
            "and 31.5% of patients remained progression-free at 3 years.\n")
    eps = extract_endpoints(doc_of(text), [])
    assert rows(eps) == [("PFS", "rate", None, 70.2, None, 12, None),
                         ("PFS", "rate", None, 52, None, 24, None),
                         ("PFS", "rate", None, 31.5, None, 36, None)]
    assert_well_formed(doc_of(text), eps)


def test_an_adjusted_hazard_ratio_in_a_sentence_naming_no_endpoint_is_not_borrowed():
    text = ("Results: Median overall survival was 15.2 months in arm A and 11.0 months in arm B. "
            "Adjustment for age and stage gave an HR of 0.70 (0.51-0.96).\n")
    eps = extract_endpoints(doc_of(text), [{"name": "arm A", "n": None}, {"name": "arm B", "n": None}])
    assert [(e["endpoint"], e["measure"]) for e in eps] == [("OS", "median"), ("OS", "median")]


def test_an_hr_naming_its_endpoint_after_a_semicolon_is_its_own_statement():
    text = ("Results: Adding the invented drug did not improve overall survival (OS) (p=0.31) or "
            "progression-free survival (PFS) (p=0.52); the hazard ratio for OS was 0.91 (95% CI 0.70-1.18).\n")
    eps = extract_endpoints(doc_of(text), [])
    assert [(e["endpoint"], e["measure"], e["value"], tuple(e["ci"])) for e in eps] == [("OS", "HR", 0.91, (0.70, 1.18))]
    assert_well_formed(doc_of(text), eps)


def test_to_x_from_y_gives_the_new_value_to_the_arm_named_as_subject_and_arm_names_inside_others_do_not_count():
    text = ("Results: TACE-ICI prolonged median PFS to 9.8 months (95% CI, 8.1-11.5) from 5.2 months "
            "(95% CI, 4.4-6.0) (HR = 0.52; P < .001).\n")
    arms = [{"name": "TACE-ICI", "n": None}, {"name": "TACE", "n": None}]
    eps = extract_endpoints(doc_of(text), arms)
    assert rows(eps) == [("PFS", "median", "TACE-ICI", 9.8, (8.1, 11.5), None, None),
                         ("PFS", "median", "TACE", 5.2, (4.4, 6.0), None, None),
                         ("PFS", "HR", "TACE-ICI vs TACE", 0.52, None, None, "<.001")]
    assert_well_formed(doc_of(text), eps)


def test_odds_and_risk_ratios_are_ratios_and_labelled_parts_inside_brackets_are_each_a_statement():
    text = ("Results: Gains were seen for objective response rate (ORR) and disease control rate (DCR) "
            "(ORR: 58.2 vs. 31.4%; odds ratio [OR] = 3.05, 95% CI 1.40–6.65, p = 0.004; "
            "DCR: 88.0 vs. 70.5%; OR = 3.10, 95% CI 1.21–7.94, p = 0.018). "
            "Response rates for velamab and placebo were 40 and 22%, respectively (RR 0.55, 95% CI 0.31–0.98; P=0.04).\n")
    arms = [{"name": "velamab", "n": None}, {"name": "placebo", "n": None}]
    eps = extract_endpoints(doc_of(text, "Velamab in an invented cancer"), arms)
    assert [(e["endpoint"], e["measure"], e["value"], tuple(e["ci"]) if e["ci"] else None) for e in eps] == [
        ("ORR", "rate", 58.2, None), ("ORR", "rate", 31.4, None), ("ORR", "ratio", 3.05, (1.40, 6.65)),
        ("DCR", "rate", 88.0, None), ("DCR", "rate", 70.5, None), ("DCR", "ratio", 3.10, (1.21, 7.94)),
        ("ORR", "rate", 40, None), ("ORR", "rate", 22, None), ("ORR", "ratio", 0.55, (0.31, 0.98)),
    ]
    assert all(e["unit"] == "ratio" for e in eps if e["measure"] == "ratio")
    assert_well_formed(doc_of(text), eps)


def test_a_rates_timing_is_not_a_value_and_time_to_treatment_failure_is_its_own_endpoint():
    text = ("Results: The response rates after 12 weeks of therapy were 35% for velamab and 19% for placebo. "
            "For velamab and placebo, respectively, median progression-free survival was 5.1 vs 3.0 months, "
            "time to treatment failure was 4.2 vs 2.9 months, and overall survival was 11.6 vs 9.4 months.\n")
    arms = [{"name": "velamab", "n": None}, {"name": "placebo", "n": None}]
    eps = extract_endpoints(doc_of(text, "Velamab in an invented cancer"), arms)
    assert [(e["endpoint"], e["arm"], e["value"]) for e in eps] == [
        ("ORR", "velamab", 35), ("ORR", "placebo", 19),
        ("PFS", "velamab", 5.1), ("PFS", "placebo", 3.0), ("other:TTF", "velamab", 4.2), ("other:TTF", "placebo", 2.9),
        ("OS", "velamab", 11.6), ("OS", "placebo", 9.4),
    ]
    assert_well_formed(doc_of(text), eps)


def test_an_hr_after_adjustment_for_baseline_is_kept_and_a_patient_count_after_a_rate_is_no_value():
    text = ("Results: After adjustment for baseline differences between the cohorts, velamab improved "
            "progression-free survival versus placebo (HR = 0.41, 95% CI 0.27–0.62, p < 0.001; median PFS 8.8 vs. 4.1 months). "
            "ORR was 31% (95% CI, 19%–45%) for 48 evaluable patients. "
            "It identified a group of patients (15% of the total) with a 2 year survival rate of 33%.\n")
    arms = [{"name": "velamab", "n": None}, {"name": "placebo", "n": None}]
    eps = extract_endpoints(doc_of(text), arms)
    assert [(e["endpoint"], e["measure"], e["value"]) for e in eps] == [
        ("PFS", "HR", 0.41), ("PFS", "median", 8.8), ("PFS", "median", 4.1), ("ORR", "rate", 31)]
    assert_well_formed(doc_of(text), eps)


def test_a_response_rate_outside_a_tumour_study_is_no_objective_response():
    survey = "Results: The response rate was 61% after two reminder letters and 48% after one.\n"
    assert extract_endpoints(doc_of(survey, "Reminder letters and the return of a health questionnaire"), []) == []
    tumour = "Results: The response rate was 61% by RECIST 1.1.\n"
    assert [e["value"] for e in extract_endpoints(doc_of(tumour, "An invented drug for liver tumours"), [])] == [61]


def test_three_bracketed_rates_go_to_the_groups_printed_before_them_and_a_toxicity_list_is_not_arms():
    text = ("Results: The frequency of patients with drug-related adverse events was higher with standard "
            "chemotherapy (58%) than with 20 mg/kg velamab (41%) and 5 mg/kg velamab (22%). "
            "Grade 3 adverse events in the velamab arms were anaemia (3.1%), neutropenia (2.4%) and rash (6.0%).\n")
    arms = [{"name": n, "n": None} for n in ("5 mg/kg velamab", "20 mg/kg velamab", "standard chemotherapy")]
    eps = extract_endpoints(doc_of(text, "Velamab for recurrent glioma"), arms)
    assert [(e["endpoint"], e["arm"], e["value"]) for e in eps] == [
        ("AE_any", "standard chemotherapy", 58), ("AE_any", "20 mg/kg velamab", 41), ("AE_any", "5 mg/kg velamab", 22)]
    assert_well_formed(doc_of(text), eps)


def test_a_value_seen_in_patients_of_an_age_or_younger_is_a_subgroups():
    text = "Results: Of the 9 complete responses, 7 (77.8%) were seen in patients 60 years of age or younger.\n"
    assert extract_endpoints(doc_of(text, "An invented cancer trial"), [{"name": "A", "n": None}, {"name": "B", "n": None}]) == []


def test_a_respectively_list_repeated_for_a_second_group_gives_each_group_its_values():
    text = ("Results: Median time to progression and overall survival in the velamab arm (5.2 and 10.4 months, "
            "respectively) were similar to those in the placebo arm (4.9 and 9.1 months, respectively).\n")
    arms = [{"name": "velamab", "n": None}, {"name": "placebo", "n": None}]
    eps = extract_endpoints(doc_of(text, "Velamab in an invented cancer"), arms)
    assert [(e["endpoint"], e["arm"], e["value"]) for e in eps] == [
        ("other:TTP", "velamab", 5.2), ("OS", "velamab", 10.4), ("other:TTP", "placebo", 4.9), ("OS", "placebo", 9.1)]
    assert_well_formed(doc_of(text), eps)


def test_counts_before_an_adverse_event_mention_and_responders_among_those_who_received_each_treatment():
    text = ("Results: Overall, 28 patients (58%) experienced some episode of toxicity in arm A and 33 patients (69%) "
            "in arm B, usually grade 1–2. The number of responders was 19 (70%) among those who received a single "
            "dose and 15 (52%) among those who received two doses (p = 0.2).\n")
    arms = [{"name": "arm A", "n": None}, {"name": "arm B", "n": None}]
    eps = extract_endpoints(doc_of(text, "Velamab in an invented cancer"), arms)
    assert [(e["endpoint"], e["arm"], e["value"]) for e in eps] == [
        ("AE_any", "arm A", 58), ("AE_any", "arm B", 69), ("ORR", "single dose", 70), ("ORR", "two doses", 52)]
    assert_well_formed(doc_of(text), eps)


def test_the_whole_populations_value_is_kept_and_the_subgroups_after_it_left_out():
    text = ("Results: Median PFS for all velamab-treated patients was 4.4 months (95% CI, 2.9–5.8 months), and "
            "6.1 months (95% CI, 3.0–7.2 months) for patients with platinum-sensitive disease.\n")
    eps = extract_endpoints(doc_of(text, "Velamab in an invented cancer"), [{"name": "velamab", "n": None}])
    assert rows(eps) == [("PFS", "median", "velamab", 4.4, (2.9, 5.8), None, None)]
    assert_well_formed(doc_of(text), eps)


def test_each_endpoints_value_then_the_other_groups_values_respectively():
    text = ("Results: The velamab group achieved an ORR of 40% and a median PFS of 7.5 months, compared with "
            "20% and 4.1 months, respectively, in the placebo group.\n")
    arms = [{"name": "velamab", "n": None}, {"name": "placebo", "n": None}]
    eps = extract_endpoints(doc_of(text, "Velamab in an invented cancer"), arms)
    assert [(e["endpoint"], e["measure"], e["arm"], e["value"]) for e in eps] == [
        ("ORR", "rate", "velamab", 40), ("ORR", "rate", "placebo", 20),
        ("PFS", "median", "velamab", 7.5), ("PFS", "median", "placebo", 4.1)]
    assert_well_formed(doc_of(text), eps)


@pytest.mark.parametrize("sentence", [
    "The proportion of patients with an adverse event of bradycardia was 1.1% for velamab and 0.8% for placebo.",
    "There was no difference in TTF between tumours with and without the invented marker (median 4.1 versus 4.6 months).",
    "The percentage of patients with adverse events was higher in black patients (12.1% and 9.5% for velamab and placebo).",
    "Discontinuations as a result of AEs were more frequent with velamab (7.1%) than with placebo (1.4%).",
    "There was no difference in the risk of death between velamab and placebo [RR = 0.71 (95% CI 0.35 to 1.40)].",
])
def test_named_toxicities_marker_and_ethnic_subgroups_discontinuations_and_risk_ratios_of_death_give_nothing(sentence):
    arms = [{"name": "velamab", "n": None}, {"name": "placebo", "n": None}]
    assert extract_sentence("Results: " + sentence + "\n", arms) == []


def test_an_arm_associated_with_longer_survival_than_another_gives_its_hr_but_a_covariate_does_not():
    arms = [{"name": "resection", "n": None}, {"name": "TACE", "n": None}]
    text = ("Results: Resection was associated with longer OS than TACE (HR 1.64; 95% CI: 1.12 to 2.40; p = 0.01). "
            "Tumour size above 5 cm was associated with worse OS (HR 2.10; 95% CI: 1.30 to 3.39).\n")
    eps = extract_sentence(text, arms)
    assert [(e["endpoint"], e["measure"], e["value"]) for e in eps] == [("OS", "HR", 1.64)]


def test_an_unlabelled_second_ci_in_a_lancet_style_pair_and_a_hazard_ratio_of_progression():
    arms = [{"name": "velamab", "n": None}, {"name": "placebo", "n": None}]
    text = ("Results: 402 patients died; median overall survival did not differ between groups (velamab, 5·1 months, "
            "95% CI 4·2–6·0, vs placebo, 4·8 months, 4·0–5·5; unadjusted hazard ratio [HR] 0·91, 95% CI 0·78–1·06, p=0·23). "
            "The hazard ratio of disease progression for velamab patients was 0.72 (95% CI: 0.55–0.94) compared to placebo patients.\n")
    assert rows(extract_sentence(text, arms)) == [
        ("OS", "median", "velamab", 5.1, (4.2, 6.0), None, None),
        ("OS", "median", "placebo", 4.8, (4.0, 5.5), None, None),
        ("OS", "HR", "velamab vs placebo", 0.91, (0.78, 1.06), None, "=0.23"),
        ("PFS", "HR", "velamab vs placebo", 0.72, (0.55, 0.94), None, None),
    ]


def test_a_landmark_rate_in_brackets_after_each_median_is_an_aside_and_the_medians_are_kept():
    arms = [{"name": "velamab", "n": None}, {"name": "observation", "n": None}]
    text = ("Results: Median overall survival was 71 months for the velamab arm (80.1% at 3 years) and 66 months for "
            "the observation arm (78.4% at 3 years) (p=0.52, log rank test).\n")
    assert [(e["endpoint"], e["measure"], e["arm"], e["value"]) for e in extract_sentence(text, arms)] == [
        ("OS", "median", "velamab", 71), ("OS", "median", "observation", 66)]


def test_a_value_followed_by_longer_or_higher_is_a_difference_not_the_arms_value():
    doc = doc_of("Results: Median OS was 8 months longer in group A. The ORR was 20% higher in group A. "
                 "Median PFS was 9.2 months in group A and 5.1 months in group B.")
    arms = [{"name": "group A", "n": 46}, {"name": "group B", "n": 44}]
    eps = extract_endpoints(doc, arms)
    assert_well_formed(doc, eps)
    assert [(e["endpoint"], e["measure"], e["arm"], e["value"]) for e in eps] == [
        ("PFS", "median", "group A", 9.2), ("PFS", "median", "group B", 5.1)]


def test_per_protocol_rates_and_plus_minus_errors_are_not_values():
    text = ("In the per protocol analysis, the objective response rates were 52% and 38% in arms A and B, respectively. "
            "The 3-year overall survival rates were 61.0 ± 6.2% and 48.5 ± 7.1% in arms A and B, respectively.")
    eps = extract_endpoints(doc_of(text), [])
    assert_well_formed(doc_of(text), eps)
    assert not [e for e in eps if e["value"] in (52, 38, 6.2, 7.1)]


def test_adverse_events_that_led_to_discontinuation_are_not_the_adverse_event_rate():
    text = "Adverse events led to discontinuation in 6.0% of patients in arm A and 4.0% in arm B."
    assert not [e for e in extract_endpoints(doc_of(text), []) if e["endpoint"] == "AE_any"]


def test_captions_glued_to_their_titles_and_second_pfs_are_not_read_as_results():
    text = ("Median overall survival was 14.0 months. Fig. 2Survival curves. a Median progression-free survival "
            "was 6.0 months (95% CI, 4.1-7.9 months). b Median overall survival was 14.0 months. "
            "Median second progression-free survival was 20.5 months.")
    eps = extract_endpoints(doc_of(text), [])
    assert rows(eps) == [("OS", "median", None, 14.0, None, None, None),
                         ("other:second_PFS", "median", None, 20.5, None, None, None)]


def test_an_unrecognised_name_listed_before_an_endpoint_takes_its_value():
    text = "RR and DCR of the 40 patients were 45.0 and 80.0%, respectively."
    assert extract_endpoints(doc_of(text), []) == []


def test_an_adverse_event_abbreviation_keeps_the_grade_and_assessable_for_toxicity_is_no_rate():
    text = ("Sixty patients were randomly assigned to sorafenib (n = 30) or placebo (n = 30). "
            "The overall incidence of grade 3 or higher adverse events (AEs) was 40.0% (12 of 30) in the sorafenib "
            "group and 30.0% (9 of 30) in the placebo group. "
            "All patients were assessable for toxicity and 58 (96.7%) were assessable for response.")
    doc = doc_of(text)
    eps = extract_endpoints(doc, extract_arms(doc, 60))
    assert_well_formed(doc, eps)
    assert sorted((e["endpoint"], e["value"]) for e in eps) == [("AE_grade3plus", 30.0), ("AE_grade3plus", 40.0)]


def test_a_number_after_a_slash_is_no_value_of_a_landmark_list():
    text = ("The 6- and 12-month survival rates were 50% and 25% for patients receiving 16 Gy/2 fractions, "
            "and 40% and 20% for patients receiving 20 Gy/5 fractions.")
    eps = extract_endpoints(doc_of(text), [])
    assert sorted((e["value"], e["timepoint_months"]) for e in eps) == [(20, 12), (25, 12), (40, 6), (50, 6)]


def test_a_difference_stated_for_two_strata_gives_no_arm_rate():
    text = ("The estimated difference in overall survival at 3 years (arm A minus arm B) was 1.5% (-2.0 to 5.0) "
            "in centres of region one and 3.0% (-1.0 to 7.0) in centres of region two.")
    assert extract_endpoints(doc_of(text), []) == []


def test_no_difference_in_still_reads_the_arms_values_and_those_whose_is_a_subgroup():
    text = ("There was no difference in progression-free survival among the arms, with a median PFS of 9.0 months "
            "in arm A and 7.5 months in arm B. For those whose tumours grew, median OS was 12.0 versus 10.0 months.")
    eps = extract_endpoints(doc_of(text), [])
    assert sorted((e["endpoint"], e["value"]) for e in eps) == [("PFS", 7.5), ("PFS", 9.0)]


def test_a_week_number_is_no_rate_and_a_toxicity_reported_as_an_adverse_event_is_named():
    text = ("The objective response rate at week 24 was 40.0% in arm A and 35.0% in arm B. "
            "Nausea was reported as an adverse event in 12.0% of patients.")
    eps = extract_endpoints(doc_of(text), [])
    assert sorted(e["value"] for e in eps) == [35.0, 40.0]
    assert all(e["endpoint"] == "ORR" for e in eps)


@pytest.mark.parametrize("sentence", [
    # survey participation, scale responses, device survival, concentrations and thresholds
    "Of the 320 invited clinics, 290 participated, for a response rate of 90.6%.",
    "The ACR20 response rates at week 12 were 61.0% and 58.5% for velamab and placebo, respectively.",
    "Stent survival rates at 2 years, with survival of the stent as the endpoint, were 81.0% and 75.5% in arms A "
    "and B, respectively.",
    "Adverse events reported by 10% or more of the patients were fatigue and rash.",
    "Of 410 clinics invited, 120 declined, giving an overall response rate of 70.7%.",
    "A score above 0.5 had a true negative response rate of 88% (95% CI 70-96%).",
    "In the velamab arm, 20.0% and 25.0% of the adverse events were judged probably and possibly related.",
    "Treatment was stopped because of disease progression in 12 patients (40.0%) and adverse events in 3 (10.0%).",
])
def test_survey_scale_and_device_rates_thresholds_shares_of_events_and_reasons_for_stopping_give_nothing(sentence):
    arms = [{"name": "velamab", "n": None}, {"name": "placebo", "n": None}]
    assert extract_sentence("Results: " + sentence + "\n", arms) == []


def test_survival_after_progression_is_not_overall_survival():
    text = ("Results: Median overall survival was 14.2 months. Median survival after progression was 6.1 months, "
            "and median post-progression survival in arm B was 4.0 months.\n")
    assert [(e["endpoint"], e["value"]) for e in extract_sentence(text, [])] == [
        ("OS", 14.2), ("other:PPS", 6.1), ("other:PPS", 4.0)]


def test_a_value_before_an_endpoint_that_has_its_own_value_belongs_to_neither():
    text = ("Results: Adherence to the protocol was 97% and the objective response rate (CR + PR) was 41% "
            "and survival at 3 years was 22%.\n")
    assert [(e["endpoint"], e["value"], e["timepoint_months"]) for e in extract_sentence(text, [])] == [
        ("ORR", 41, None), ("OS", 22, 36)]


def test_a_subgroup_leading_a_sentence_scopes_its_later_clauses_and_a_biomarker_stratum_is_a_subgroup():
    text = ("Results: Median PFS was 6.0 months. Among those who were marker-positive, median OS was 9.0 months; "
            "median PFS was 4.0 months. Median OS was longer in the KRAS-mutant groups: 12.0 versus 8.0 months. "
            "Those alive at 2 months numbered 30 (75.0%), and 40% were alive 3 months after the start.\n")
    assert [(e["endpoint"], e["measure"], e["value"]) for e in extract_sentence(text, [])] == [
        ("PFS", "median", 6.0)]


def test_a_concentration_in_an_arms_name_is_not_its_rate():
    arms = [{"name": "velamab 0.5%/urea 10%", "n": None}, {"name": "vehicle", "n": None}]
    text = ("Results: The incidence of adverse events was higher in the velamab 0.5%/urea 10% arm than with vehicle "
            "(90.1% vs. 80.5%, respectively).\n")
    assert [(e["endpoint"], e["value"], e["arm"]) for e in extract_sentence(text, arms)] == [
        ("AE_any", 90.1, "velamab 0.5%/urea 10%"), ("AE_any", 80.5, "vehicle")]


def test_grade_3_or_grade_4_adverse_events_are_grade_3_or_higher():
    arms = [{"name": "velamab", "n": None}, {"name": "placebo", "n": None}]
    text = "Results: Grade 3 or grade 4 adverse events occurred in 40.0% with velamab and 30.0% with placebo.\n"
    assert [(e["endpoint"], e["value"]) for e in extract_sentence(text, arms)] == [
        ("AE_grade3plus", 40.0), ("AE_grade3plus", 30.0)]


def test_subjects_or_participants_with_a_condition_are_a_subgroup_unless_it_is_the_studys_own():
    text = ("Results: In participants with invented carcinoma, the objective response rate was 30.0%. "
            "Subjects with a high marker level had shorter survival (median 5.0 months).\n")
    eps = extract_sentence(text, [], title="Velamab for invented carcinoma")
    assert [(e["endpoint"], e["value"]) for e in eps] == [("ORR", 30.0)]


def test_a_simulations_rates_and_other_regions_rates_are_not_the_trials():
    text = ("Results: The simulation compared a 40% versus a 20% response rate. The response rate in one region was "
            "higher (55.0%) than in the other regions (30.0% and 25.0%). The objective response rate was 35.0%.\n")
    assert [(e["endpoint"], e["value"]) for e in extract_sentence(text, [])] == [("ORR", 35.0)]


@pytest.mark.parametrize("phrase", ["grades 3 to 5 adverse events", "treatment-related 3/4 grade adverse events"])
def test_grades_3_to_5_and_3_4_grade_adverse_events_are_grade_3_or_higher(phrase):
    arms = [{"name": "velamab", "n": None}, {"name": "placebo", "n": None}]
    text = f"Results: {phrase.capitalize()} occurred in 40.0% and 30.0% of patients receiving velamab and placebo, respectively.\n"
    assert [(e["endpoint"], e["value"]) for e in extract_sentence(text, arms)] == [
        ("AE_grade3plus", 40.0), ("AE_grade3plus", 30.0)]


def test_trials_initiated_objectives_and_periods_of_treatment_are_not_results():
    text = ("Results: Two trials have been initiated, one giving velamab for 1 year with RFS as its endpoint and one "
            "for 3 years with OS as its endpoint. The primary objective is to investigate RFS within the first 5 years. "
            "Median RFS was 4.5 years.\n")
    assert [(e["endpoint"], e["value"], e["unit"]) for e in extract_sentence(text, [])] == [("other:RFS", 4.5, "years")]
