"""Consistency checks on hand-built records: each fires when it should and stays quiet otherwise."""
import json
from pathlib import Path

import jsonschema

from livingreview.extract.checks import check_record, decimals

SCHEMA = json.loads((Path(__file__).parents[1] / "src/livingreview/extract/study-record.schema.json").read_text())

# Seed 000 as the endpoint extractor will give it (contract form), quotes copied from the abstract.
Q_PFS = "2.38 times [10.95 vs. 4.60 months, 95% confidence interval (CI): 1.087-3.106, P<0.0001]"
Q_OS = "1.84 times (19.6 vs. 10.67 months, 95% CI: 1.087-3.106, P=0.0418)"


def ep(endpoint, measure, arm, value, unit, ci=None, p=None, quote="", timepoint=None):
    quote = quote or f"{endpoint} {value}"
    return {"endpoint": endpoint, "measure": measure, "arm": arm, "value": value, "unit": unit, "ci": ci,
            "timepoint_months": timepoint, "p": p, "quote": quote, "span": [0, len(quote)]}


def record(endpoints, arms=(), n=None):
    return {"endpoints": list(endpoints), "arms": list(arms), "n_patients": n}


def seed_000():
    vs = "HIFU + ICI vs ICI alone"
    return record([
        ep("PFS", "median", "HIFU + ICI", 10.95, "months", quote=Q_PFS),
        ep("PFS", "median", "ICI alone", 4.60, "months", quote=Q_PFS),
        ep("PFS", "ratio", vs, 2.38, "ratio", [1.087, 3.106], "<0.0001", Q_PFS),
        ep("OS", "median", "HIFU + ICI", 19.6, "months", quote=Q_OS),
        ep("OS", "median", "ICI alone", 10.67, "months", quote=Q_OS),
        ep("OS", "ratio", vs, 1.84, "ratio", [1.087, 3.106], "=0.0418", Q_OS),
    ], arms=[{"name": "HIFU + ICI", "n": 28}, {"name": "ICI alone", "n": None}], n=94)


def checks(flags):
    return sorted(f["check"] for f in flags)


# ------------------------------------------------------------------ seed 000

def test_seed_000_flags_identical_ci_off_centre_pfs_ratio_and_its_p_value():
    flags = check_record(seed_000())
    assert checks(flags) == ["identical_ci", "p_ci_conflict", "ratio_ci_off_centre"]
    by = {f["check"]: f for f in flags}
    assert by["identical_ci"]["severity"] == "warning"
    assert Q_PFS in by["identical_ci"]["quote"] and Q_OS in by["identical_ci"]["quote"]
    assert "1.087-3.106" in by["identical_ci"]["message"]
    assert by["p_ci_conflict"]["quote"] == Q_PFS  # P<0.0001 beside a CI implying p ~ 0.02
    assert "0.023" in by["p_ci_conflict"]["message"]
    assert by["ratio_ci_off_centre"]["quote"] == Q_PFS  # the CI is centred on 1.84, the OS ratio
    assert "1.84" in by["ratio_ci_off_centre"]["message"]


def test_seed_000_stated_ratios_match_the_medians():
    # 10.95 / 4.60 = 2.380 and 19.6 / 10.67 = 1.837 -> "2.38" and "1.84": no ratio_mismatch.
    assert "ratio_mismatch" not in checks(check_record(seed_000()))


def test_flags_validate_against_the_contract_schema():
    rec = {"id": "x", "source_path": "x", "source_format": "plain_text", "is_primary_study": True, "title": None,
           "authors": [], "journal": None, "year": None, "doi": None, "design": None, "n_patients": 94,
           "local_therapy": [], "systemic_therapy": [], "population": None, "arms": [], **seed_000()}
    rec["flags"] = check_record(rec)
    jsonschema.validate(rec, SCHEMA)


def test_empty_record_has_no_flags():
    assert check_record({}) == []


# ------------------------------------------------------------------ one check at a time

def test_ci_excludes_estimate():
    bad = ep("OS", "median", None, 17.0, "months", [17.5, 21.0], quote="17.0 months (95% CI 17.5-21.0)")
    good = ep("OS", "median", None, 17.0, "months", [13.2, 21.0])
    reversed_ = ep("PFS", "median", None, 5.0, "months", [7.0, 3.0])
    flags = check_record(record([bad, good, reversed_]))
    assert [(f["check"], f["severity"]) for f in flags] == [("ci_excludes_estimate", "error")] * 2
    assert flags[0]["quote"] == "17.0 months (95% CI 17.5-21.0)"


def test_identical_ci_ignores_the_same_statistic_reported_twice():
    a = ep("PFS", "median", None, 11.4, "months", [10.1, 12.8], quote="median PFS was 11.4 months (95% CI 10.1-12.8)")
    b = dict(a, quote="PFS 11.4 months (10.1-12.8)")
    c = ep("OS", "median", None, 33.0, "months", [26.9, 39.1])
    assert check_record(record([a, b, c])) == []


def test_ratio_mismatch_fires_when_the_medians_do_not_give_the_ratio():
    rec = record([ep("OS", "median", "A", 20.0, "months"), ep("OS", "median", "B", 10.0, "months"),
                  ep("OS", "ratio", "A vs B", 2.5, "ratio", quote="2.5 times (20.0 vs 10.0 months)")])
    flags = check_record(rec)
    assert checks(flags) == ["ratio_mismatch"]
    assert "2.5 times" in flags[0]["quote"]


def test_ratio_mismatch_allows_for_rounding_of_printed_digits():
    # 12 / 7 = 1.714...; printed medians are rounded to whole months, so 1.6-1.85 are all possible.
    rec = record([ep("OS", "median", "A", 12, "months"), ep("OS", "median", "B", 7, "months"),
                  ep("OS", "ratio", "A vs B", 1.8, "ratio")])
    assert check_record(rec) == []


def test_p_ci_conflict_on_significance_side():
    excl = ep("OS", "HR", "A vs B", 0.61, "ratio", [0.40, 0.93], "=0.21")
    incl = ep("PFS", "HR", "A vs B", 0.80, "ratio", [0.55, 1.16], "<0.01")
    assert checks(check_record(record([excl]))) == ["p_ci_conflict"]
    assert checks(check_record(record([incl]))) == ["p_ci_conflict"]


def test_p_ci_conflict_quiet_for_consistent_hazard_ratio():
    # HR 0.58 (0.39-0.86): log-scale centre 0.579, implied p = 0.007: exactly what is printed.
    ok = ep("OS", "HR", "A vs B", 0.58, "ratio", [0.39, 0.86], "=0.007")
    assert check_record(record([ok])) == []


def test_p_ci_conflict_fires_when_printed_p_is_far_too_small_for_the_ci():
    hr = ep("OS", "HR", "A vs B", 0.70, "ratio", [0.50, 0.98], "<0.001")  # CI implies p ~ 0.038
    flags = check_record(record([hr]))
    assert checks(flags) == ["p_ci_conflict"] and "0.038" in flags[0]["message"]


def test_ratio_ci_off_centre_quiet_within_rounding():
    hr = ep("OS", "HR", "A vs B", 0.6, "ratio", [0.4, 0.9], "=0.01")  # centre 0.60
    assert check_record(record([hr])) == []


def test_grim_percentage_fires_for_impossible_proportion_of_the_cohort():
    orr = ep("ORR", "rate", None, 46.0, "%", quote="The ORR was 46.0%")  # 41 patients: 45.1% or 46.3%
    flags = check_record(record([orr], n=41))
    assert checks(flags) == ["grim_percentage"] and flags[0]["severity"] == "info"


def test_grim_percentage_quiet_for_possible_values_and_km_rates():
    rec = record([
        ep("ORR", "rate", None, 75.0, "%", quote="the overall response rate was 75.0%"),  # 81/108
        ep("AE_grade3plus", "rate", None, 30.6, "%", quote="observed in 30.6% of patients"),  # 33/108
        ep("OS", "rate", None, 43.7, "%", timepoint=36, quote="3-year OS 43.7%"),  # KM estimate: exempt
    ], n=108)
    assert check_record(rec) == []


def test_grim_percentage_uses_the_arm_size():
    rec = record([ep("ORR", "rate", "TACE-L-T", 65.7, "%"), ep("ORR", "rate", "TACE-L", 47.6, "%")],
                 arms=[{"name": "TACE-L-T", "n": 70}, {"name": "TACE-L", "n": 82}], n=152)
    # 46/70 = 65.7 fits; 39/82 = 47.56 -> 47.6 fits.
    assert check_record(rec) == []
    rec["arms"][1]["n"] = 80  # 38/80 = 47.5, 39/80 = 48.75: 47.6 impossible
    assert checks(check_record(rec)) == ["grim_percentage"]


def test_arm_sum_fires_only_when_arms_exceed_the_cohort():
    over = record([], arms=[{"name": "A", "n": 60}, {"name": "B", "n": 50}], n=100)
    subgroup = record([], arms=[{"name": "HIFU + chemo", "n": 24}, {"name": "chemo", "n": 21}], n=64)
    unknown = record([], arms=[{"name": "A", "n": 28}, {"name": "B", "n": None}], n=94)
    assert checks(check_record(over)) == ["arm_sum"]
    assert check_record(subgroup) == [] and check_record(unknown) == []


def test_decimals_are_read_from_the_quote():
    assert decimals(100, "were 100, 96.8, and 21%") == 0
    assert decimals(75.0, "rate was 75.0%") == 1
    assert decimals(4.6, "10.95 vs. 4.60 months") == 2
    assert decimals(19.6) == 1


# ------------------------------------------------------------------ odd printed p values

def test_p_printed_as_zero_next_to_an_hr_and_ci_reads_as_below_half_a_unit_and_never_crashes():
    # "p = 0.000" is a p rounded to zero: it means p < 0.0005, which this CI (p ~ 1e-5) fits.
    hr = ep("OS", "HR", "A vs B", 0.5, "ratio", [0.36, 0.69], "=0.000", "HR 0.5 (95% CI 0.36-0.69), p = 0.000")
    assert check_record(record([hr])) == []


def test_p_printed_as_zero_beside_a_ci_that_includes_one_is_a_conflict():
    hr = ep("OS", "HR", "A vs B", 0.9, "ratio", [0.7, 1.2], "=0.000", "HR 0.9 (95% CI 0.7-1.2), p = 0.000")
    assert checks(check_record(record([hr]))) == ["p_ci_conflict"]


def test_a_vanishingly_small_printed_p_is_weighed_without_overflow():
    hr = ep("PFS", "HR", None, 0.2, "ratio", [0.1, 0.4], "<0." + "0" * 80 + "1")
    flags = check_record(record([hr]))
    assert all(f["check"] == "p_ci_conflict" for f in flags)
