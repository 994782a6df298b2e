"""Curation files: a reviewer's confirm/correct/reject/add applied to the machine's record, every
refusal as one line naming file, entry and reason, and the `review` command."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from livingreview.book import build, curation, fingerprints, registry
from livingreview.book.sources import read_source
from livingreview.curate import apply as curate
from livingreview.curate.unclaimed import unclaimed_numbers
from livingreview.extract.record import build_record, schema_errors
from projects import make_project
from seeds import seed

# An invented two-arm study in our own words: two arms share a median (a match must name the
# arm), a hazard ratio the extractor does not read (an unclaimed number), dates, CIs and a p-value.
FIXTURE = """\
Stereotactic radiotherapy with a checkpoint inhibitor for colorectal liver metastases: an invented two-arm cohort

Abstract

Background: Local therapy may prime the immune response.
Methods: Between January 2018 and March 2021, 120 patients were enrolled; 60 received radiotherapy \
plus ICI (group A) and 60 received ICI alone (group B). The median age was 61 years.
Results: After a median follow-up of 22.5 months, median overall survival was 12.0 months in group A \
and 12.0 months in group B. Median progression-free survival was 8.2 months (95% CI 6.1-10.3) in \
group A and 5.1 months (95% CI 4.0-6.2) in group B (P = 0.003). The objective response rate was \
36.7% in group A. Grade 3 or higher adverse events occurred in 18 patients, and the disease control \
rate in group B was 55.0%. The hazard ratio for death was 0.71 in the 2022 update.
Conclusions: Radiotherapy added to ICI prolonged progression-free survival.
"""
HR_QUOTE = "The hazard ratio for death was 0.71"
FILE = "data/curation/x.yaml"
HEAD = "reviewer: A. Reviewer\ndate: 2026-12-01\n"


@pytest.fixture(scope="module")
def fixture_doc(tmp_path_factory):
    path = tmp_path_factory.mktemp("curation") / "fixture.txt"
    path.write_text(FIXTURE, encoding="utf-8")
    doc = read_source(path, "data/sources/fixture.txt")
    return doc, build_record(doc)


@pytest.fixture(scope="module")
def liao():
    doc = read_source(seed("000"), "data/sources/liao2025_hifu_ici.txt")
    return doc, build_record(doc)


def curated(doc_record, text: str) -> dict:
    doc, record = doc_record
    return curation.curated(record, curation.parse_text(text, FILE), doc)


def refusal(doc_record, text: str) -> str:
    with pytest.raises(curation.CurationFileError) as err:
        curated(doc_record, text)
    message = str(err.value)
    assert "\n" not in message and message.startswith(FILE + ": ")
    return message


def test_a_template_confirms_every_extracted_endpoint_and_changes_no_number(liao):
    doc, record = liao
    text = curation.template_text("liao2025_hifu_ici", record, "A. Reviewer", "2026-12-01")
    out = curated(liao, text)
    assert [curate.status(ep) for ep in out["endpoints"]] == ["confirmed"] * len(record["endpoints"])
    strip = [{k: v for k, v in ep.items() if k != "provenance"} for ep in out["endpoints"]]
    assert strip == record["endpoints"]
    assert out["curation"]["checked"] == len(record["endpoints"])
    assert all(ep["provenance"] == {"status": "confirmed", "reviewer": "A. Reviewer", "date": "2026-12-01"}
               for ep in out["endpoints"])
    assert not schema_errors(out)


def test_the_machine_record_is_left_untouched(liao):
    doc, record = liao
    before = json.dumps(record, sort_keys=True)
    curated(liao, HEAD + "reject: [{endpoint: PFS, measure: median, value: 4.6, reason: subgroup}]\n")
    assert json.dumps(record, sort_keys=True) == before


def test_a_correction_keeps_the_original_value_and_the_flags_follow_the_corrected_numbers(liao):
    out = curated(liao, HEAD + "correct:\n"
                  "  - {match: {endpoint: OS, measure: ratio, value: 1.84}, set: {ci: null}, reason: CI is PFS's}\n"
                  "  - {match: {endpoint: OS, measure: median, value: 19.6}, set: {arm: ICI + HIFU (n=28)}}\n")
    ratio = next(ep for ep in out["endpoints"] if ep["measure"] == "ratio" and ep["endpoint"] == "OS")
    assert ratio["ci"] is None
    assert ratio["provenance"]["original"] == {"ci": [1.087, 3.106]}
    assert ratio["provenance"]["reason"] == "CI is PFS's"
    assert curate.provenance_text(ratio) == "corrected by A. Reviewer, 2026-12-01 (was: ci 1.087–3.106)"
    median = next(ep for ep in out["endpoints"] if ep["value"] == 19.6)
    assert median["arm"] == "ICI + HIFU (n=28)" and median["provenance"]["original"] == {"arm": "ICI + HIFU"}
    assert not any(f["check"] == "identical_ci" for f in out["flags"])  # one CI left: nothing shared


def test_a_correction_or_addition_that_agrees_with_the_machine_confirms_its_endpoint(liao):
    # The issue's own example: the extractor already names this arm "ICI + HIFU".
    out = curated(liao, HEAD + "correct: [{match: {endpoint: OS, measure: median, value: 19.6}, set: {arm: 'ICI + HIFU'}}]\n"
                  "add: [{endpoint: PFS, measure: median, arm: ici + hifu, value: 10.95, unit: months, "
                  "quote: 'the median PFS and OS in the HIFU group were 2.38 times [10.95'}]\n")
    assert len(out["endpoints"]) == 6
    checked = [ep for ep in out["endpoints"] if curate.status(ep) == "confirmed"]
    assert sorted(ep["value"] for ep in checked) == [10.95, 19.6]
    assert all(ep["quote"].endswith("higher than in the group without HIFU") for ep in checked)  # the machine's


def test_a_corrected_value_must_be_printed_in_its_quote(liao):
    message = refusal(liao, HEAD + "correct: [{match: {endpoint: PFS, measure: median, value: 4.6}, set: {value: 4.8}}]\n")
    assert message == f"{FILE}: correct[0]: value 4.8 is not in its quote"


def test_a_correction_may_give_a_new_quote_found_in_the_source(liao):
    doc, _ = liao
    quote = "10.95 vs. 4.60 months"
    out = curated(liao, HEAD + f"correct: [{{match: {{endpoint: PFS, measure: median, value: 10.95}}, "
                  f"set: {{quote: '{quote}'}}}}]\n")
    ep = next(ep for ep in out["endpoints"] if ep["value"] == 10.95)
    s, e = ep["span"]
    assert doc.text[s:e] == quote == ep["quote"]


def test_a_rejected_endpoint_leaves_the_record_and_is_kept_with_its_reason(liao):
    out = curated(liao, HEAD + "reject: [{endpoint: PFS, measure: median, value: 4.6, reason: 'subgroup, not the ITT'}]\n")
    assert not any(ep["value"] == 4.6 for ep in out["endpoints"])
    (rejected,) = out["curation"]["rejected"]
    assert rejected["value"] == 4.6 and rejected["reason"] == "subgroup, not the ITT"
    assert out["curation"]["checked"] == 1


def test_an_added_endpoint_gets_its_span_in_the_decoded_source(fixture_doc):
    doc, _ = fixture_doc
    out = curated(fixture_doc, HEAD + f"add: [{{endpoint: OS, measure: HR, arm: group A vs group B, value: 0.71, "
                  f"unit: ratio, quote: '{HR_QUOTE}'}}]\n")
    added = out["endpoints"][-1]
    assert added["provenance"] == {"status": "added", "reviewer": "A. Reviewer", "date": "2026-12-01"}
    s, e = added["span"]
    assert doc.text[s:e] == HR_QUOTE and added["quote"] == HR_QUOTE
    assert curate.provenance_text(added) == "added by reviewer A. Reviewer, 2026-12-01"
    assert unclaimed_numbers(doc, out) == []  # the reviewer claimed the one number left


def test_metadata_corrections_replace_the_fields_and_say_what_they_were(fixture_doc):
    out = curated(fixture_doc, HEAD + "metadata: {n_patients: 120, arms: [{name: group A, n: 60}, {name: group B, n: 60}]}\n")
    assert out["n_patients"] == 120 and out["arms"][0] == {"name": "group A", "n": 60}
    assert out["curation"]["metadata"]["n_patients"] == {"was": 18}  # the machine's misreading


@pytest.mark.parametrize("text, reason", [
    ("confirm: [{endpoint: OS, measure: median, value: 12.0}]\n",
     "confirm[0]: OS median 12 fits 2 extracted endpoints; name its arm or timepoint_months to tell them apart"),
    ("confirm: [{endpoint: OS, measure: median, value: 13.0, arm: group A}]\n",
     "confirm[0]: OS median 13 (group A) fits no extracted endpoint"),
    ("confirm: [{endpoint: ORR, measure: rate, value: 36.7}]\nreject: [{endpoint: ORR, measure: rate, value: 36.7, reason: x}]\n",
     "reject[0]: ORR rate 36.7 (group A) is already named by confirm[0]"),
    (f"add: [{{endpoint: OS, measure: HR, value: 0.71, unit: ratio, quote: 'The hazard ratio was 0.71'}}]\n",
     "add[0]: quote is not in the decoded source (see `python -m livingreview text` for the exact text)"),
    (f"add: [{{endpoint: OS, measure: HR, value: 0.17, unit: ratio, quote: '{HR_QUOTE}'}}]\n",
     "add[0]: value 0.17 is not in its quote"),
    (f"add: [{{endpoint: OS, measure: HR, value: 0.71, ci: [0.5, 0.9], unit: ratio, quote: '{HR_QUOTE}'}}]\n",
     "add[0]: CI bound 0.5 is not in its quote"),
    ("confirm: [{endpoint: ORR, measure: rate, value: 36.7}]\n"
     "add: [{endpoint: ORR, measure: rate, arm: group A, value: 36.7, unit: '%', quote: 'was 36.7%'}]\n",
     "add[0]: ORR rate 36.7 (group A) is already in the record, confirmed by an entry above"),
    (f"add: [{{endpoint: OS, measure: HR, value: 0.71, p: '=0.04', unit: ratio, quote: '{HR_QUOTE}'}}]\n",
     "add[0]: p =0.04 is not in its quote"),
    (f"add: [{{endpoint: OS, measure: hazard, value: 0.71, unit: ratio, quote: '{HR_QUOTE}'}}]\n",
     "add[0]: breaks the record schema: 'hazard' is not one of ['median', 'rate', 'HR', 'ratio', 'mean', 'count']"),
    ("add: [{endpoint: OS, measure: HR, value: 0.71, unit: ratio}]\n", "add[0]: missing 'quote'"),
    ("confirm: [{endpoint: OS, measure: median, value: 12.0, arms: group A}]\n",
     "confirm[0]: unknown key 'arms' (allowed: endpoint, measure, value, arm, timepoint_months)"),
    ("confirm: [{endpoint: OS, measure: median}]\n", "confirm[0]: missing 'value'"),
    ("reject: [{endpoint: OS, measure: median, value: 12.0, arm: group B}]\n", "reject[0]: missing 'reason'"),
    ("correct: [{match: {endpoint: ORR, measure: rate, value: 36.7}, set: {colour: red}}]\n",
     "correct[0]: unknown key 'colour' (allowed: endpoint, measure, arm, value, unit, ci, timepoint_months, p, quote)"),
    ("metadata: {id: other}\n", "metadata: unknown key 'id' (allowed: is_primary_study, title, authors, journal, "
     "year, doi, design, n_patients, local_therapy, systemic_therapy, population, arms)"),
    ("metadata: {design: guesswork}\n", "metadata: the curated record breaks the schema: design: 'guesswork' is not one of "
     "['retrospective', 'prospective', 'randomized', 'review', 'other', None]"),
    ("notes: checked twice\n", "unknown key 'notes' (allowed: reviewer, date, confirm, correct, reject, add, metadata)"),
])
def test_every_faulty_entry_is_refused_in_one_line_naming_file_entry_and_reason(fixture_doc, text, reason):
    assert refusal(fixture_doc, HEAD + text) == f"{FILE}: {reason}"


@pytest.mark.parametrize("text, reason", [
    ("date: 2026-12-01\nconfirm: []\n", "reviewer: missing: name the reviewer who checked this record"),
    ("reviewer: ''\ndate: 2026-12-01\n", "reviewer: missing: name the reviewer who checked this record"),
    ("reviewer: A. Reviewer\n", "date: missing: give the date of the review (YYYY-MM-DD)"),
    ("reviewer: A. Reviewer\ndate: last week\n", "date: 'last week' is not a date (write it as YYYY-MM-DD)"),
    ("reviewer: A. Reviewer\ndate: 2026-12-01\nconfirm: [{endpoint: OS\n",
     "malformed YAML at line 4, column 1 (expected ',' or '}', but got '<stream end>')"),
    ("reviewer: A. Reviewer\ndate: 2026-12-01\nconfirm: []\nconfirm: []\n",
     "malformed YAML at line 4, column 1 (duplicate key 'confirm')"),
    ("reviewer: 42\ndate: 2026-12-01\n", "reviewer: 42 is not a name (write the reviewer's name)"),
    ("- just a list\n", "must be a mapping with the keys reviewer, date, confirm, correct, reject, add, metadata"),
    ("reviewer: A. Reviewer\ndate: 2026-12-01\nconfirm: {endpoint: OS}\n", "confirm: must be a list of entries"),
])
def test_a_curation_without_reviewer_and_date_or_not_yaml_is_refused(fixture_doc, text, reason):
    assert refusal(fixture_doc, text) == f"{FILE}: {reason}"


def test_unclaimed_numbers_leave_out_p_values_cis_dates_counts_and_baseline(fixture_doc):
    doc, record = fixture_doc
    found = unclaimed_numbers(doc, record)
    assert [u["number"] for u in found] == ["0.71"]
    (hr,) = found
    s, e = hr["span"]
    assert doc.text[s:e] == "0.71" and hr["sentence"] == "The hazard ratio for death was 0.71 in the 2022 update."
    listed = {u["number"] for u in found}
    for noise in ("0.003", "95", "6.1", "10.3", "4.0", "6.2", "2018", "2021", "2022", "22.5", "18", "61", "120"):
        assert noise not in listed


def test_a_rejected_number_becomes_unclaimed_for_the_reviewer_to_see(liao):
    doc, record = liao
    assert unclaimed_numbers(doc, record) == []
    out = curated(liao, HEAD + "reject: [{endpoint: OS, measure: median, value: 19.6, arm: ICI + HIFU, reason: x}]\n")
    assert [u["number"] for u in unclaimed_numbers(doc, out)] == ["19.6"]


# ------------------------------------------------------------------ the project: files, review, build

def run(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "LIVINGREVIEW_ROOT"}
    return subprocess.run([sys.executable, "-m", "livingreview", *args], cwd=root, env=env,
                          capture_output=True, text=True, check=False)


@pytest.fixture
def project(tmp_path) -> Path:
    source = tmp_path / "fixture.txt"
    source.write_text(FIXTURE, encoding="utf-8")
    return make_project(tmp_path / "book", [seed("000"), source], ids=["liao2025_hifu_ici", "fixture2026_rt"])


def tree(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


def test_review_json_prints_the_curated_record_and_the_unclaimed_numbers(project):
    done = run(project, "review", "fixture2026_rt", "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert list(payload) == ["record", "unclaimed"]
    assert payload["record"]["id"] == "stereotactic_nd_radiotherapy_ici"
    assert payload["unclaimed"] == [{"number": "0.71", "sentence": "The hazard ratio for death was 0.71 in the 2022 update.",
                                     "span": payload["unclaimed"][0]["span"]}]
    assert all(set(u) == {"number", "sentence", "span"} for u in payload["unclaimed"])


def test_review_text_shows_provenance_flags_and_unclaimed_numbers(project):
    done = run(project, "review", "liao2025_hifu_ici")
    assert done.returncode == 0, done.stderr
    assert "[extracted] OS median 19.6 (ICI + HIFU) months" in done.stdout
    assert "flags (3):" in done.stdout and "unclaimed numbers (0):" in done.stdout


def test_template_then_build_confirms_every_row_and_extract_keeps_the_machine_record(project):
    done = run(project, "review", "liao2025_hifu_ici", "--template", "--reviewer", "A. Reviewer", "--date", "2026-12-01")
    assert done.returncode == 0, done.stderr
    path = project / "data" / "curation" / "liao2025_hifu_ici.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("\n  - {endpoint:") == 6 and "reviewer: A. Reviewer\ndate: 2026-12-01\n" in text
    again = run(project, "review", "liao2025_hifu_ici", "--template")
    assert again.returncode == 1 and path.read_text(encoding="utf-8") == text
    assert again.stderr == ("livingreview: data/curation/liao2025_hifu_ici.yaml: already exists; edit it "
                            "(a template never overwrites a curation)\n")

    built = build.build_project(project, execute=False)  # the records, downloads and pages; no notebooks
    record = built.prepared.records["liao2025_hifu_ici"]
    assert [curate.status(ep) for ep in record["endpoints"]] == ["confirmed"] * 6
    rows = list(csv.DictReader(io.StringIO(
        (project / "_static/downloads/endpoints.csv").read_text(encoding="utf-8"))))
    liao = [r for r in rows if r["study_id"] == "liao2025_hifu_ici"]
    assert {(r["provenance"], r["reviewer"], r["reviewed"]) for r in liao} == {("confirmed", "A. Reviewer", "2026-12-01")}
    assert {r["provenance"] for r in rows if r["study_id"] != "liao2025_hifu_ici"} == {"extracted"}
    machine = json.loads(run(project, "extract", "data/sources/liao2025_hifu_ici.txt", "--json").stdout)
    assert "curation" not in machine and all("provenance" not in ep for ep in machine["endpoints"])


def test_a_template_without_a_reviewer_is_refused_by_the_build_before_anything_is_written(project):
    assert run(project, "review", "fixture2026_rt", "--template").returncode == 0
    before = tree(project)
    done = run(project, "build", "--no-execute")
    assert done.returncode == 1
    assert done.stderr == ("livingreview: data/curation/fixture2026_rt.yaml: reviewer: missing: name the reviewer "
                           "who checked this record\n")
    assert tree(project) == before


def test_a_bad_curation_stops_the_build_before_anything_is_written(project):
    folder = project / "data" / "curation"
    folder.mkdir(parents=True)
    (folder / "fixture2026_rt.yaml").write_text(
        HEAD + "add: [{endpoint: OS, measure: HR, value: 0.71, unit: ratio, quote: 'The HR was 0.71'}]\n", encoding="utf-8")
    before = tree(project)
    done = run(project, "build")
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "livingreview: data/curation/fixture2026_rt.yaml: add[0]: quote is not in the decoded source "
        "(see `python -m livingreview text` for the exact text)"]
    assert tree(project) == before
    assert run(project, "review", "fixture2026_rt").returncode == 1  # review refuses it alike


def test_a_curation_file_for_no_registered_study_is_refused(project):
    folder = project / "data" / "curation"
    folder.mkdir(parents=True)
    (folder / "nobody2020.yaml").write_text(HEAD, encoding="utf-8")
    done = run(project, "build", "--no-execute")
    assert (done.returncode, done.stderr) == (
        1, "livingreview: data/curation/nobody2020.yaml: no study with id 'nobody2020' in data/registry.yaml\n")
    (folder / "nobody2020.yaml").rename(folder / "fixture2026_rt.yml")
    done = run(project, "build", "--no-execute")
    assert done.stderr == "livingreview: data/curation/fixture2026_rt.yml: not a curation file (name it <study id>.yaml)\n"


def test_a_changed_curation_re_executes_its_chapter_and_the_synthesis_pages_only(project):
    entries = registry.load(project)
    before = {t.output.name: t.fingerprint for t in fingerprints.targets(project, entries)}
    folder = project / "data" / "curation"
    folder.mkdir(parents=True)
    (folder / "fixture2026_rt.yaml").write_text(HEAD, encoding="utf-8")
    after = {t.output.name: t.fingerprint for t in fingerprints.targets(project, entries)}
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"fixture2026_rt.ipynb", "synthesis.ipynb", "patients.ipynb"}


def test_the_chapter_shows_each_rows_provenance_rejected_rows_and_how_many_were_checked(fixture_doc):
    from livingreview.present.chapter import ChapterPage

    out = curated(fixture_doc, HEAD + "confirm: [{endpoint: ORR, measure: rate, value: 36.7}]\n"
                  "correct: [{match: {endpoint: DCR, measure: rate, value: 55.0}, set: {arm: group A}}]\n"
                  "reject: [{endpoint: OS, measure: median, value: 12.0, arm: group B, reason: 'read from a figure, not the text'}]\n"
                  f"add: [{{endpoint: OS, measure: HR, arm: group A vs group B, value: 0.71, unit: ratio, quote: '{HR_QUOTE}'}}]\n")
    entry = registry.Entry("fixture2026_rt", "sources/fixture2026_rt.txt", "0" * 64, "2026-12-01")
    page = ChapterPage(entry, out, None)
    table = page.endpoint_table().data
    assert "confirmed by A. Reviewer, 2026-12-01" in table
    assert "corrected by A. Reviewer, 2026-12-01 (was: arm group B)" in table
    assert "added by reviewer A. Reviewer, 2026-12-01" in table
    assert table.count("<td class=\"data row") and ">extracted<" in table
    assert "Rejected by the reviewer (A. Reviewer, 2026-12-01)" in table and "read from a figure, not the text" in table
    status = page.review_status().data
    assert "3 of the 6 numbers in the table are checked by a reviewer (1 confirmed, 1 corrected, 1 added)" in status
    assert "1 extracted number was rejected" in status
    uncurated = ChapterPage(entry, fixture_doc[1], None).review_status().data
    assert "No reviewer has checked the 6 numbers in the table yet (0 of 6)" in uncurated


def test_a_corrected_title_and_authors_reach_the_chapter_heading_and_the_table_of_contents(project):
    from livingreview.book import toc

    folder = project / "data" / "curation"
    folder.mkdir(parents=True)
    (folder / "fixture2026_rt.yaml").write_text(HEAD + "metadata: {title: 'An invented cohort, titled by its reviewer', "
                                                "authors: [Ada Quill, Ben Rook]}\n",
                                                encoding="utf-8")
    prepared = build.prepare(project)
    assert prepared.records["fixture2026_rt"]["title"] == "An invented cohort, titled by its reviewer"
    assert "title: Quill et al." in toc.toc_text(prepared.entries, prepared.records, project)
    (job,) = [j for j in toc.chapter_jobs(project, prepared.entries, prepared.records)
              if j.parameters.get("source_id") == "fixture2026_rt"]
    assert job.heading.startswith("An invented cohort, titled by its reviewer")
