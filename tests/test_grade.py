"""GRADE rules, one test (or a few) per rule, each downgrade carrying its footnote."""
from __future__ import annotations


import pytest

from livingreview.analysis import grade, meta
from livingreview.analysis import risk_of_bias as rob
from livingreview.analysis.grade import OutcomeEvidence, StudyEvidence


def assessment(study, tool, overall_domains):
    keys = list(rob.DOMAINS[tool])
    return rob.read_assessment(study, {"tool": tool, "domains": {
        k: {"judgement": j, "support": "invented for the test"} for k, j in zip(keys, overall_domains)}})


LOW_RCT = ["low"] * 5
HIGH_RCT = ["high"] + ["low"] * 4
CONCERNS_RCT = ["some concerns"] + ["low"] * 4


def trial(name, n=300, domains=LOW_RCT, events=None, estimate=None, ci=None, randomised=True,
          indirectness=None):
    tool = rob.ROB2 if randomised else rob.ROBINS_I
    return StudyEvidence(name, randomised, participants=n, events=events,
                         risk_of_bias=assessment(name, tool, domains) if domains else None,
                         estimate=estimate, ci=ci, indirectness=indirectness or {})


def pooled_hr(pairs, **kw):
    """Pool (HR, lo, hi) triples; return the effects and the fit."""
    effects = [meta.ratio_effect(f"s{i}", *p) for i, p in enumerate(pairs)]
    return effects, meta.fit_effects(effects, measure="ratio", **kw)


def body(studies, pooled=None, effects=(), **kw):
    return OutcomeEvidence("TACE+ICI", "OS", tuple(studies), pooled=pooled, effects=tuple(effects), **kw)


def by_domain(certainty):
    return {r.domain: r for r in certainty.ratings}


# --- start ----------------------------------------------------------------------------------

def test_randomised_evidence_starts_high():
    assert grade.start_level([trial("a"), trial("b")]) == (4, "starts high: randomised trials")


def test_observational_evidence_starts_low():
    level, note = grade.start_level([trial("a", randomised=False, domains=["low"] * 7)])
    assert level == 2 and "observational" in note


def test_mixed_designs_start_low_and_say_so():
    level, note = grade.start_level([trial("a"), trial("b", randomised=False, domains=["low"] * 7)])
    assert level == 2 and "1 of 2 studies randomised" in note


# --- risk of bias -----------------------------------------------------------------------------

def test_no_downgrade_when_most_weight_is_at_low_risk():
    r = grade.rate_risk_of_bias([trial("a", n=600), trial("b", n=100, domains=HIGH_RCT)])
    assert r.change == 0


def test_one_down_when_half_the_weight_has_some_concerns():
    r = grade.rate_risk_of_bias([trial("a", n=200), trial("b", n=200, domains=CONCERNS_RCT)])
    assert r.change == -1
    assert r.footnote.startswith("serious: 50% of the weight") and "b (RoB 2 some concerns)" in r.footnote


def test_two_down_when_most_weight_is_at_high_risk():
    r = grade.rate_risk_of_bias([trial("a", n=100), trial("b", n=400, domains=HIGH_RCT)])
    assert r.change == -2 and r.footnote.startswith("very serious: 80% of the weight")


def test_robins_i_moderate_is_not_rated_down_serious_is():
    moderate = ["moderate"] * 7
    serious = ["serious"] + ["low"] * 6
    assert grade.rate_risk_of_bias([trial("a", randomised=False, domains=moderate)]).change == 0
    assert grade.rate_risk_of_bias([trial("a", randomised=False, domains=serious)]).change == -1


def test_unassessed_risk_of_bias_is_said_not_guessed():
    r = grade.rate_risk_of_bias([trial("a", domains=None)])
    assert r.change == 0 and not r.assessable and "not assessed" in r.footnote


# --- inconsistency ----------------------------------------------------------------------------

def test_pooled_i2_above_50_is_serious():
    effects, fit = pooled_hr([(0.5, 0.4, 0.62), (0.9, 0.75, 1.08)])
    assert fit.I2 > 50
    r = grade.rate_inconsistency(body([trial("s0"), trial("s1")], fit, effects))
    assert r.change == -1 and "I² > 50 %" in r.footnote


def test_pooled_very_high_i2_with_prediction_interval_across_null_is_very_serious():
    effects, fit = pooled_hr([(0.4, 0.33, 0.48), (0.9, 0.8, 1.01), (1.3, 1.1, 1.55)])
    assert fit.I2 > 75
    r = grade.rate_inconsistency(body([trial(f"s{i}") for i in range(3)], fit, effects))
    assert r.change == -2 and r.footnote.startswith("very serious: I² =")


def test_prediction_interval_alone_matters_only_with_heterogeneity():
    # Homogeneous (tau² = 0): the t(1) prediction interval crosses 1 but that is not inconsistency.
    effects, fit = pooled_hr([(0.7, 0.5, 0.98), (0.72, 0.55, 0.95), (0.69, 0.5, 0.95)], ci="wald")
    assert fit.tau2 == 0 and fit.prediction_interval[1] > 0
    r = grade.rate_inconsistency(body([trial(f"s{i}") for i in range(3)], fit, effects))
    assert r.change == 0 and r.footnote.startswith("not serious")


def test_unpooled_estimates_on_both_sides_of_the_null_are_inconsistent():
    studies = [trial("a", estimate=0.6, ci=(0.45, 0.8)), trial("b", estimate=1.2, ci=(0.9, 1.6))]
    r = grade.rate_inconsistency(body(studies))
    assert r.change == -1 and "both sides of 1" in r.footnote and "(not pooled)" in r.footnote


def test_one_study_inconsistency_is_not_assessable():
    r = grade.rate_inconsistency(body([trial("a", estimate=0.6, ci=(0.45, 0.8))]))
    assert not r.assessable and r.change == 0 and "one study" in r.footnote


def test_unpooled_proportions_spread_more_than_twofold_are_inconsistent():
    studies = [trial("a", estimate=0.2, ci=(0.1, 0.35)), trial("b", estimate=0.5, ci=(0.3, 0.7))]
    r = grade.rate_inconsistency(body(studies, measure="proportion", effect_label="ORR"))
    assert r.change == -1 and "more than 2 times" in r.footnote


# --- indirectness -----------------------------------------------------------------------------

def test_population_flag_on_most_weight_is_serious_with_its_reason():
    studies = [trial("a", n=300, indirectness={"population": "Child-Pugh B only"}), trial("b", n=100)]
    r = grade.rate_indirectness(studies)
    assert r.change == -1 and "a: population (Child-Pugh B only)" in r.footnote


def test_two_kinds_of_indirectness_are_very_serious():
    flags = {"population": "Western cohort", "comparator": "no active comparator"}
    r = grade.rate_indirectness([trial("a", indirectness=flags)])
    assert r.change == -2 and r.footnote.startswith("very serious")


def test_a_flagged_minority_is_not_rated_down():
    r = grade.rate_indirectness([trial("a", n=100, indirectness={"outcome": "surrogate"}), trial("b", n=400)])
    assert r.change == 0 and "minority" in r.footnote


def test_unknown_indirectness_flag_is_refused():
    with pytest.raises(grade.GradeError, match="unknown indirectness flag setting"):
        grade.rate_indirectness([trial("a", indirectness={"setting": "x"})])


# --- imprecision ------------------------------------------------------------------------------

def test_pooled_ci_including_one_is_serious():
    effects, fit = pooled_hr([(0.85, 0.65, 1.1), (0.9, 0.7, 1.15)], ci="wald")
    studies = [trial("s0", n=400, events=200), trial("s1", n=400, events=200)]
    r = grade.rate_imprecision(body(studies, fit, effects))
    assert r.change == -1 and "CI includes 1" in r.footnote


def test_ci_spanning_appreciable_benefit_and_harm_is_very_serious():
    r = grade.rate_imprecision(body([trial("a", n=500, events=400, estimate=0.95, ci=(0.6, 1.5))]))
    assert r.change == -2 and "appreciable benefit (< 0.75) and harm (> 1.25)" in r.footnote


def test_few_events_are_serious_even_with_a_clear_ci():
    r = grade.rate_imprecision(body([trial("a", n=500, events=120, estimate=0.6, ci=(0.45, 0.8))]))
    assert r.change == -1 and "120 events (< 300)" in r.footnote


def test_few_participants_are_serious_when_events_are_unknown():
    r = grade.rate_imprecision(body([trial("a", n=150, estimate=0.6, ci=(0.45, 0.8))]))
    assert r.change == -1 and "150 participants (< 400)" in r.footnote


def test_enough_events_and_a_clear_ci_are_not_serious():
    r = grade.rate_imprecision(body([trial("a", n=800, events=450, estimate=0.6, ci=(0.5, 0.72))]))
    assert r.change == 0


def test_a_wide_proportion_ci_is_serious():
    studies = [trial("a", n=500, estimate=0.4, ci=(0.25, 0.58))]
    r = grade.rate_imprecision(body(studies, measure="proportion", effect_label="ORR"))
    assert r.change == -1 and "percentage points wide" in r.footnote


# --- publication bias -------------------------------------------------------------------------

def test_publication_bias_under_ten_studies_is_not_assessable_and_says_so():
    r = grade.rate_publication_bias(body([trial("a"), trial("b")]))
    assert r.change == 0 and not r.assessable
    assert "funnel-plot tests need 10 or more" in r.footnote


def test_egger_test_flags_small_study_asymmetry_from_ten_studies():
    # Invented: the smaller the study (larger vi), the larger its benefit.
    effects = [meta.Effect(f"s{i}", -0.1 - 0.9 * i / 11, 0.005 + 0.03 * i) for i in range(12)]
    studies = [trial(f"s{i}") for i in range(12)]
    fit = meta.fit_effects(effects, measure="ratio")
    r = grade.rate_publication_bias(body(studies, fit, effects))
    assert r.change == -1 and r.footnote.startswith("suspected: Egger's test")


def test_egger_intercept_is_zero_for_a_symmetric_funnel():
    effects = [meta.Effect(f"s{i}", 0.0, 0.01 * (i + 1)) for i in range(10)]
    intercept, p = grade.egger_test(effects)
    assert intercept == pytest.approx(0.0, abs=1e-12) and p == 1.0


def test_reviewer_suspected_publication_bias_rates_down_with_its_reason():
    r = grade.rate_publication_bias(body([trial("a")], publication_bias_suspected="industry-only trials"))
    assert r.change == -1 and "industry-only trials" in r.footnote


# --- upgrades and the whole ---------------------------------------------------------------------

def obs(name, n=500, events=400, estimate=None, ci=None):
    return trial(name, n=n, events=events, estimate=estimate, ci=ci, randomised=False,
                 domains=["moderate"] * 7)


def test_large_effect_upgrades_clean_observational_evidence():
    c = grade.rate(body([obs("a", estimate=0.4, ci=(0.3, 0.55))]))
    assert c.start == 2 and c.computed_level == 3 and c.word == "moderate"
    assert by_domain(c)["large effect"].change == 1


def test_very_large_effect_upgrades_two():
    c = grade.rate(body([obs("a", estimate=0.15, ci=(0.1, 0.22))]))
    assert by_domain(c)["large effect"].change == 2 and c.word == "high"


def test_no_upgrade_for_observational_evidence_rated_down():
    c = grade.rate(body([obs("a", n=100, events=40, estimate=0.4, ci=(0.3, 0.55))]))
    assert by_domain(c)["imprecision"].change == -1
    assert by_domain(c)["large effect"].change == 0
    assert c.word == "very low"


def test_randomised_evidence_is_not_rated_up():
    c = grade.rate(body([trial("a", n=800, events=500, estimate=0.3, ci=(0.25, 0.36))]))
    assert c.level == 4 and by_domain(c)["large effect"].change == 0


def test_level_never_goes_below_very_low():
    studies = [trial("a", n=80, domains=HIGH_RCT, estimate=0.9, ci=(0.4, 2.0),
                     indirectness={"population": "x", "comparator": "y"})]
    c = grade.rate(body(studies))
    assert 4 + sum(r.change for r in c.ratings) < 1
    assert c.level == 1 and c.symbols == "⊕◯◯◯" and c.word == "very low"


def test_symbols_and_words_for_each_level():
    assert [grade.SYMBOLS[k] for k in (4, 3, 2, 1)] == ["⊕⊕⊕⊕", "⊕⊕⊕◯", "⊕⊕◯◯", "⊕◯◯◯"]
    assert [grade.LEVELS[k] for k in (4, 3, 2, 1)] == ["high", "moderate", "low", "very low"]


def test_every_downgrade_carries_its_footnote_in_the_row():
    effects, fit = pooled_hr([(0.5, 0.4, 0.62), (0.9, 0.75, 1.08)])
    studies = [trial("s0", n=100, domains=CONCERNS_RCT), trial("s1", n=100, domains=CONCERNS_RCT)]
    row = grade.rate(body(studies, fit, effects)).row()
    downs = [d for d in grade.DOMAINS if row[d] < 0]
    assert set(downs) >= {"risk of bias", "inconsistency", "imprecision"}
    for d in downs:
        assert any(note.startswith(f"{d}: ") for note in row["footnotes"])
    assert any(note.startswith("publication bias: not assessable") for note in row["footnotes"])


def test_reviewer_override_is_shown_as_such_beside_the_computed_level():
    c = grade.rate(body([trial("a", n=150, estimate=0.6, ci=(0.45, 0.8))]),
                   override={"level": "high", "reason": "an invented reason for the test"})
    assert c.computed_level == 3 and c.level == 4 and c.overridden
    row = c.row()
    assert row["certainty"] == "⊕⊕⊕⊕ high" and row["computed"] == "moderate"
    assert row["footnotes"][-1] == ("reviewer's rating high (computed: moderate): "
                                    "an invented reason for the test")


def test_override_without_a_reason_is_refused():
    with pytest.raises(grade.GradeError, match="needs a reason"):
        grade.rate(body([trial("a")]), override={"level": "low"})
    with pytest.raises(grade.GradeError, match="not one of"):
        grade.read_override({"level": "medium", "reason": "x"})


def test_effect_text_pooled_range_and_single_study():
    effects, fit = pooled_hr([(0.7, 0.5, 0.98), (0.8, 0.6, 1.1)])
    assert grade.effect_text(body([trial("s0"), trial("s1")], fit, effects)).startswith("HR 0.75 (95 % CI")
    two = [trial("a", estimate=0.6), trial("b", estimate=0.8)]
    assert grade.effect_text(body(two, not_pooled_reason="different comparators")) == \
        "HR 0.60 to 0.80 across 2 studies; not pooled: different comparators"
    one = grade.effect_text(body([trial("a", estimate=0.25, ci=(0.2, 0.31))], measure="proportion",
                                 effect_label="ORR"))
    assert one == "ORR 25 % (95 % CI 20 % to 31 %); one study"


BCG_COUNTS = [(4, 119, 11, 128), (6, 300, 29, 274), (3, 228, 11, 209), (62, 13536, 248, 12619),
              (33, 5036, 47, 5761), (180, 1361, 372, 1079), (8, 2537, 10, 619),
              (505, 87886, 499, 87892), (29, 7470, 45, 7232), (17, 1699, 65, 1600),
              (186, 50448, 141, 27197), (5, 2493, 3, 2338), (27, 16886, 29, 17825)]


def test_bcg_trials_are_rated_down_two_for_inconsistency():
    # REML fit of dat.bcg: I² 92 %, prediction interval on the RR scale about 0.13 to 1.78.
    effects = [meta.Effect(f"s{i}", *meta.log_risk_ratio(*t)) for i, t in enumerate(BCG_COUNTS)]
    fit = meta.fit_effects(effects, measure="ratio")
    studies = [trial(f"s{i}", n=sum(t)) for i, t in enumerate(BCG_COUNTS)]
    r = grade.rate_inconsistency(body(studies, fit, effects, effect_label="RR"))
    assert r.change == -2 and "I² = 92 %" in r.footnote
    assert grade.rate_publication_bias(body(studies, fit, effects)).assessable
