"""Structured appraisal files: read when present, 'not assessed' when absent, errors name the file."""
from __future__ import annotations

import pytest

from livingreview.analysis.risk_of_bias import AppraisalError
from livingreview.book.appraisals import read_appraisal

GOOD = """\
risk_of_bias:
  tool: RoB 2
  domains:
    D1: {judgement: low, support: "central randomisation (invented trial)"}
    D2: {judgement: some concerns, support: "open label"}
    D3: {judgement: low, support: "2 % lost"}
    D4: {judgement: low, support: "blinded central review"}
    D5: {judgement: low, support: "registered protocol"}
indirectness:
  population: "Child-Pugh B only"
"""


def write(tmp_path, study, text):
    folder = tmp_path / "data" / "appraisals"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{study}.yaml").write_text(text, encoding="utf-8")


def test_an_appraisal_file_gives_its_assessment_and_flags(tmp_path):
    write(tmp_path, "trial2030", GOOD)
    a = read_appraisal(tmp_path, "trial2030")
    assert a.risk_of_bias[0].overall == "some concerns"
    assert a.indirectness == {"population": "Child-Pugh B only"}


def test_no_file_means_not_assessed(tmp_path):
    assert read_appraisal(tmp_path, "nobody").risk_of_bias == ()


def test_a_contradicting_overall_names_the_file_study_and_domain(tmp_path):
    write(tmp_path, "trial2031", GOOD.replace("  domains:", "  overall: low\n  domains:"))
    with pytest.raises(AppraisalError, match=r"data/appraisals/trial2031.yaml: trial2031: overall "
                                             r"'low' contradicts the RoB 2 domains: D2 is some concerns"):
        read_appraisal(tmp_path, "trial2031")


def test_unknown_keys_and_reasonless_flags_are_refused(tmp_path):
    write(tmp_path, "a", GOOD + "grade: high\n")
    with pytest.raises(AppraisalError, match="unknown key grade"):
        read_appraisal(tmp_path, "a")
    write(tmp_path, "b", GOOD.replace('"Child-Pugh B only"', '""'))
    with pytest.raises(AppraisalError, match="indirectness population has no reason"):
        read_appraisal(tmp_path, "b")
