"""Risk-of-bias entries: each tool's overall rule, and refusals that name study and domain."""
from __future__ import annotations

import pytest

from livingreview.analysis import risk_of_bias as rob
from livingreview.analysis.risk_of_bias import AppraisalError, read_assessment


def entry(tool, judgements, overall=None, **extra):
    keys = list(rob.DOMAINS[rob.tool_name(tool)])
    data = {"tool": tool, "domains": {k: {"judgement": j, "support": f"support for {k}"}
                                      for k, j in zip(keys, judgements)}, **extra}
    if overall is not None:
        data["overall"] = overall
    return data


# --- RoB 2 ----------------------------------------------------------------------------------

def test_rob2_all_low_is_low():
    assert read_assessment("trialA", entry("RoB 2", ["low"] * 5)).overall == "low"


def test_rob2_one_some_concerns_is_some_concerns():
    a = read_assessment("trialA", entry("RoB 2", ["low", "some concerns", "low", "low", "low"]))
    assert a.overall == "some concerns" and not a.overall_stated


def test_rob2_any_high_is_high():
    assert read_assessment("t", entry("RoB 2", ["low", "low", "high", "low", "low"])).overall == "high"


def test_rob2_three_some_concerns_compute_high():
    judgements = ["some concerns"] * 3 + ["low"] * 2
    assert read_assessment("t", entry("RoB 2", judgements)).overall == "high"


def test_rob2_two_some_concerns_leave_the_overall_to_the_reviewer():
    judgements = ["some concerns", "some concerns", "low", "low", "low"]
    assert read_assessment("t", entry("RoB 2", judgements)).overall == "some concerns"
    stated = read_assessment("t", entry("RoB 2", judgements, overall="high"))
    assert stated.overall == "high" and stated.computed_overall == "some concerns"


def test_rob2_stated_low_with_a_high_domain_is_refused_naming_study_and_domain():
    with pytest.raises(AppraisalError, match=r"trialB: overall 'low' contradicts .*D4 is high"):
        read_assessment("trialB", entry("RoB 2", ["low", "low", "low", "high", "low"], overall="low"))


def test_rob2_stated_high_without_cause_is_refused():
    with pytest.raises(AppraisalError, match=r"no domain is high \(D2 some concerns\)"):
        read_assessment("t", entry("RoB 2", ["low", "some concerns", "low", "low", "low"],
                                   overall="high"))


def test_rob2_stated_overall_matching_the_rule_is_kept_as_stated():
    a = read_assessment("t", entry("RoB 2", ["low"] * 5, overall="Low"))
    assert a.overall == "low" and a.overall_stated


# --- ROBINS-I -------------------------------------------------------------------------------

@pytest.mark.parametrize("judgements, overall", [
    (["low"] * 7, "low"),
    (["low", "moderate"] + ["low"] * 5, "moderate"),
    (["moderate", "serious"] + ["low"] * 5, "serious"),
    (["serious", "critical"] + ["moderate"] * 5, "critical"),
    (["moderate", "no information"] + ["low"] * 5, "no information"),
    (["serious", "no information"] + ["low"] * 5, "serious"),
])
def test_robins_i_overall_is_the_worst_domain(judgements, overall):
    assert read_assessment("cohortA", entry("ROBINS-I", judgements)).overall == overall


def test_robins_i_stated_moderate_with_a_serious_domain_is_refused():
    judgements = ["serious"] + ["low"] * 6
    with pytest.raises(AppraisalError, match=r"cohortA: overall 'moderate' contradicts the ROBINS-I "
                                             r"domains: D1 is serious"):
        read_assessment("cohortA", entry("ROBINS-I", judgements, overall="moderate"))


def test_robins_i_accepts_ni_as_no_information():
    a = read_assessment("c", entry("robins-i", ["NI"] + ["low"] * 6))
    assert a.tool == rob.ROBINS_I and a.judgement("D1") == "no information"


# --- single-arm checklist -------------------------------------------------------------------

def test_checklist_all_yes_is_low():
    assert read_assessment("s", entry("single-arm checklist", ["yes"] * 6)).overall == "low"


def test_checklist_an_unclear_item_is_some_concerns():
    a = read_assessment("s", entry("checklist", ["yes", "yes", "unclear", "yes", "yes", "yes"]))
    assert a.overall == "some concerns"


def test_checklist_no_on_selection_or_follow_up_is_high():
    assert read_assessment("s", entry("checklist", ["no"] + ["yes"] * 5)).overall == "high"
    assert read_assessment("s", entry("checklist", ["yes"] * 4 + ["no", "yes"])).overall == "high"


def test_checklist_one_other_no_is_some_concerns_two_are_high():
    one = ["yes", "no", "yes", "yes", "yes", "yes"]
    two = ["yes", "no", "no", "yes", "yes", "yes"]
    assert read_assessment("s", entry("checklist", one)).overall == "some concerns"
    assert read_assessment("s", entry("checklist", two)).overall == "high"


def test_checklist_stated_low_with_an_unclear_item_is_refused():
    with pytest.raises(AppraisalError, match=r"series1: overall 'low' .*C3 is unclear"):
        read_assessment("series1", entry("checklist", ["yes", "yes", "unclear", "yes", "yes", "yes"],
                                         overall="low"))


# --- structure ------------------------------------------------------------------------------

def test_a_missing_domain_is_refused_by_name():
    data = entry("RoB 2", ["low"] * 5)
    del data["domains"]["D3"]
    with pytest.raises(AppraisalError, match=r"trialC: RoB 2 domain D3 not judged"):
        read_assessment("trialC", data)


def test_a_judgement_off_the_tool_scale_is_refused():
    with pytest.raises(AppraisalError, match=r"t, RoB 2 D1: judgement 'moderate' is not on the RoB 2"):
        read_assessment("t", entry("RoB 2", ["moderate"] + ["low"] * 4))


def test_a_judgement_without_support_is_refused():
    data = entry("RoB 2", ["low"] * 5)
    data["domains"]["D2"]["support"] = " "
    with pytest.raises(AppraisalError, match=r"t, RoB 2 D2: .*no support"):
        read_assessment("t", data)


def test_an_unknown_domain_or_tool_is_refused():
    data = entry("RoB 2", ["low"] * 5)
    data["domains"]["D6"] = {"judgement": "low", "support": "x"}
    with pytest.raises(AppraisalError, match="D6 not a RoB 2 domain"):
        read_assessment("t", data)
    with pytest.raises(AppraisalError, match="unknown risk-of-bias tool"):
        read_assessment("t", {"tool": "Newcastle-Ottawa", "domains": {}})


def test_one_entry_per_outcome_and_the_outcome_free_one_as_fallback():
    items = rob.read_assessments("t", [entry("RoB 2", ["low"] * 5),
                                       entry("RoB 2", ["low", "low", "low", "high", "low"], outcome="PFS")])
    assert rob.for_outcome(items, "PFS").overall == "high"
    assert rob.for_outcome(items, "OS").overall == "low"
    with pytest.raises(AppraisalError, match="same outcome"):
        rob.read_assessments("t", [entry("RoB 2", ["low"] * 5), entry("RoB 2", ["low"] * 5)])


def test_traffic_light_rows_carry_each_domain_and_the_overall():
    a = read_assessment("t", entry("RoB 2", ["low", "some concerns", "low", "low", "low"]))
    rows = rob.traffic_light_rows([a])
    assert [r["domain"] for r in rows] == ["D1", "D2", "D3", "D4", "D5", "Overall"]
    assert rows[1]["severity"] == 1 and rows[-1]["support"] == "by the tool's rule"


def test_summary_shares_are_weighted_by_participants():
    low = read_assessment("a", entry("RoB 2", ["low"] * 5))
    high = read_assessment("b", entry("RoB 2", ["high"] + ["low"] * 4))
    rows = rob.summary_rows([low, high], weights={"a": 300, "b": 100})
    d1 = {r["judgement"]: r["share"] for r in rows if r["domain"] == "D1"}
    assert d1 == {"low": 0.75, "high": 0.25}
