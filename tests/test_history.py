"""What's new: study-level changes and dates read from a real (throwaway) git history."""
import os
import subprocess
from pathlib import Path

import pytest

from livingreview.book import history
from livingreview.book import pages
from livingreview.book import registry

import records


def _entry(root: Path, study_id: str) -> registry.Entry:
    rel = f"sources/{study_id}.txt"
    return registry.Entry(study_id, rel, registry.sha256_file(root / "data" / rel), "2026-01-05",
                          f"{study_id}.txt")


class Repo:
    """A git repository whose project (the review) may sit in a sub-folder."""

    def __init__(self, top: Path, project: str = ""):
        self.top, self.root = top, top / project
        self.root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q")

    def git(self, *args, date="2026-01-01T09:00:00+00:00"):
        env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date,
               "GIT_AUTHOR_NAME": "Reviewer", "GIT_AUTHOR_EMAIL": "r@example.org",
               "GIT_COMMITTER_NAME": "Reviewer", "GIT_COMMITTER_EMAIL": "r@example.org",
               "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
        subprocess.run(["git", "-C", str(self.top), *args], check=True, env=env,
                       capture_output=True)

    def write(self, rel: str, text: str):
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def register(self, *ids: str):
        self.write("data/registry.yaml", registry.dump([_entry(self.root, i) for i in ids]))

    def commit(self, subject: str, date: str):
        self.git("add", "-A")
        self.git("commit", "-q", "-m", subject, date=f"{date}T15:30:00+00:00")


@pytest.fixture
def repo(tmp_path) -> Repo:
    r = Repo(tmp_path / "repo", "review")
    r.write("data/sources/alpha2024_hifu.txt", "Alpha: median OS 20.1 months.\n")
    r.write("data/sources/beta2023_rt.txt", "Beta: ORR 41%.\n")
    r.register("alpha2024_hifu", "beta2023_rt")
    r.commit("Register Alpha and Beta", "2026-01-05")
    r.write("data/appraisals/alpha2024_hifu.md", "Single centre; high risk of bias.\n")
    r.commit("Appraise Alpha", "2026-01-12")
    r.write("data/sources/gamma2025_tace.txt", "Gamma: DCR 80%.\n")
    r.register("alpha2024_hifu", "beta2023_rt", "gamma2025_tace")
    r.commit("Add Gamma", "2026-02-01")
    r.write("data/sources/beta2023_rt.txt", "Beta: ORR 41% (corrected copy).\n")
    r.register("alpha2024_hifu", "beta2023_rt", "gamma2025_tace")
    r.commit("Replace Beta's source with the corrected copy", "2026-02-03")
    (r.root / "data/sources/alpha2024_hifu.txt").unlink()
    r.register("beta2023_rt", "gamma2025_tace")
    r.commit("Remove Alpha", "2026-02-10")
    r.write("notes/plan.md", "Next: appraise Gamma.\n")
    r.write("../outside.txt", "not part of the review\n")
    r.commit("Notes only", "2026-02-11")
    return r


def test_changes_lists_each_data_commit_newest_first_with_its_studies(repo):
    assert [
        {k: c[k] for k in ("date", "subject", "added", "changed", "removed")}
        for c in history.changes(repo.root)
    ] == [
        {"date": "2026-02-10", "subject": "Remove Alpha",
         "added": [], "changed": [], "removed": ["alpha2024_hifu"]},
        {"date": "2026-02-03", "subject": "Replace Beta's source with the corrected copy",
         "added": [], "changed": ["beta2023_rt"], "removed": []},
        {"date": "2026-02-01", "subject": "Add Gamma",
         "added": ["gamma2025_tace"], "changed": [], "removed": []},
        {"date": "2026-01-12", "subject": "Appraise Alpha",
         "added": [], "changed": ["alpha2024_hifu"], "removed": []},
        {"date": "2026-01-05", "subject": "Register Alpha and Beta",
         "added": ["alpha2024_hifu", "beta2023_rt"], "changed": [], "removed": []},
    ]
    assert all(len(c["commit"]) == 40 for c in history.changes(repo.root))


def test_last_updated_is_the_committer_date_of_the_last_commit_touching_the_file(repo):
    assert history.last_updated(repo.root, "data/sources/beta2023_rt.txt") == "2026-02-03"
    assert history.last_updated(repo.root, "data/registry.yaml") == "2026-02-10"
    assert history.last_updated(repo.root, "data/sources/never-committed.txt") is None


def test_last_updated_of_several_files_is_the_date_of_the_last_commit_touching_any(repo):
    assert history.last_updated(repo.root, "data/sources/beta2023_rt.txt", "data/registry.yaml") == "2026-02-10"
    assert history.last_updated(repo.root, "data/sources/never-committed.txt",
                                "data/sources/beta2023_rt.txt") == "2026-02-03"


def test_outside_a_git_repository_there_is_no_history(tmp_path):
    assert history.changes(tmp_path) == []
    assert history.last_updated(tmp_path, "data/registry.yaml") is None


def test_delta_names_what_adding_a_study_moved_in_the_synthesis():
    before = [records.liao(), records.wang(), records.qa_page()]
    after = [*before, records.hou()]
    assert pages.synthesis_delta(before, after) == [
        "primary studies: 2 → 3",
        "patients: 158 → 220",
        "thermal ablation studies: 0 → 1",
        "thermal ablation patients: 0 → 62",
        "range of median PFS across local-therapy arms: 10.95–10.95 months → 10.95–11.4 months",
        "certainty of thermal ablation · OS (arms given the local therapy): none → very low",
        "certainty of thermal ablation · PFS (arms given the local therapy): none → very low",
    ]


def test_delta_is_empty_when_the_records_did_not_change_the_synthesis():
    assert pages.synthesis_delta(records.all_records(), records.all_records()) == []
    # A non-study page moves no synthesis number.
    assert pages.synthesis_delta(records.all_records()[:4], records.all_records()) == []


def _hr_record(study, value, ci, n):
    """An invented two-arm HIFU + ICI study reporting an OS hazard ratio."""
    return {"id": study, "is_primary_study": True, "design": "retrospective", "n_patients": n,
            "local_therapy": ["HIFU"], "systemic_therapy": ["ICI"],
            "arms": [{"name": "HIFU + ICI", "n": n // 2}, {"name": "ICI alone", "n": n // 2}],
            "endpoints": [{"endpoint": "OS", "measure": "HR", "arm": "HIFU + ICI vs ICI alone",
                           "value": value, "ci": ci, "unit": "ratio", "quote": f"HR {value}",
                           "timepoint_months": None}]}


def test_delta_reports_a_new_pooled_estimate_and_its_certainty():
    one = [_hr_record("alpha2030", 0.62, [0.45, 0.85], 140)]
    two = [*one, _hr_record("beta2031", 0.70, [0.50, 0.98], 90)]
    lines = pages.synthesis_delta(one, two)
    assert "pooled HIFU · OS (HIFU + ICI vs ICI alone): none → HR 0.66 (95 % CI 0.15 to 2.94), 2 studies" \
        in lines
    # by hand: Q = 0.264 < 1, tau² = 0, guarded HKSJ SE = sqrt(1 / sum w), t(0.975, 1) = 12.706
    # the same finding: one study before, pooled after; its rating stays very low, so no line
    assert not any(line.startswith("certainty of HIFU · OS") for line in lines)


def test_delta_reports_a_certainty_rating_changed_by_an_appraisal_alone():
    from livingreview.analysis import evidence

    records = [_hr_record("alpha2030", 0.62, [0.45, 0.85], 140)]
    override = evidence.read_overrides("alpha2030", {"outcome": "OS", "level": "low",
                                                     "reason": "invented reason"})
    after = {"alpha2030": evidence.Appraisal("alpha2030", certainty=override)}
    assert pages.synthesis_delta(records, records, {}, after) == [
        "certainty of HIFU · OS (HIFU + ICI vs ICI alone): very low → low (reviewer's rating)"]


def test_a_curation_commit_lists_its_study_as_curated_not_changed(repo):
    repo.write("data/curation/beta2023_rt.yaml", "reviewer: A. Reviewer\ndate: 2026-02-12\n"
               "confirm: [{endpoint: ORR, measure: rate, value: 41}]\n")
    repo.commit("Beta's numbers checked by a reviewer", "2026-02-12")
    latest = history.changes(repo.root)[0]
    assert {k: latest[k] for k in ("subject", "added", "changed", "removed", "curated")} == {
        "subject": "Beta's numbers checked by a reviewer",
        "added": [], "changed": [], "removed": [], "curated": ["beta2023_rt"]}
    assert all(c["curated"] == [] for c in history.changes(repo.root)[1:])


def test_whats_new_says_who_curated_a_study_and_what_they_did(repo):

    repo.write("data/curation/beta2023_rt.yaml", "reviewer: A. Reviewer\ndate: 2026-02-12\n"
               "confirm: [{endpoint: ORR, measure: rate, value: 41}]\n")
    repo.commit("Beta's numbers checked by a reviewer", "2026-02-12")
    page = pages.whats_new_page(repo.root)
    assert ("- curated: `beta2023_rt`: reviewed by A. Reviewer on 2026-02-12 (1 confirmed), "
            "`data/curation/beta2023_rt.yaml`") in page
