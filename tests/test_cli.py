"""`python -m livingreview extract`: the contract's command, its output and its errors."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from livingreview.extract.record import schema_errors

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "data" / "sources").glob("*.txt"))


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "livingreview", *args],
        cwd=cwd, capture_output=True, text=True, check=False,
    )


@pytest.fixture(scope="module")
def seed_records() -> list[dict]:
    done = run_cli("extract", *[str(p.relative_to(ROOT)) for p in SOURCES], "--json")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return json.loads(done.stdout)


def test_several_paths_print_one_schema_valid_record_each_in_order(seed_records):
    assert [r["source_path"] for r in seed_records] == [str(p.relative_to(ROOT)) for p in SOURCES]
    assert {r["id"]: schema_errors(r) for r in seed_records} == {r["id"]: [] for r in seed_records}


def test_one_path_prints_one_object_not_an_array():
    done = run_cli("extract", "data/sources/hou2025_ablation.txt", "--json")
    record = json.loads(done.stdout)
    assert isinstance(record, dict) and record["id"] == "hou2025_ablation"


def test_every_quote_sits_at_its_span_in_the_decoded_text(seed_records):
    from livingreview.book.sources import read_source

    for record in seed_records:
        text = read_source(str(ROOT / record["source_path"])).text
        for ep in record["endpoints"]:
            start, end = ep["span"]
            assert text[start:end] == ep["quote"], (record["id"], ep)


def test_seed_ids_match_the_registry(seed_records):
    assert [r["id"] for r in seed_records] == [p.stem for p in SOURCES]


def test_the_patient_page_is_not_a_study_and_carries_no_endpoints(seed_records):
    (page,) = [r for r in seed_records if r["source_format"] == "plain_text"]
    assert page["is_primary_study"] is False
    assert page["endpoints"] == [] and page["arms"] == []


def test_liao_flags_name_the_shared_confidence_interval(seed_records):
    (liao,) = [r for r in seed_records if r["id"] == "liao2025_hifu_ici"]
    checks = {f["check"] for f in liao["flags"]}
    assert {"identical_ci", "p_ci_conflict"} <= checks
    assert all("1.087" in f["message"] or "1.087" in (f["quote"] or "") for f in liao["flags"])


BAD_INPUTS = {
    "missing": None,
    "empty": b"",
    "blank": b"   \n\t\n",
    "binary": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
    "latin1": "Médiane de survie globale : 17,0 mois chez les patients traités.".encode("latin-1"),
    "truncated": b'{"title": "Radiotherapy plus PD-1 blockade", "abstract": "Median OS was 1',
    "no_study": b"Menu\nHome\nContact us\nCookie settings\n",
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_a_bad_file_costs_one_stderr_line_and_the_exit_status_only(tmp_path, case):
    bad = tmp_path / f"{case}.txt"
    if BAD_INPUTS[case] is not None:
        bad.write_bytes(BAD_INPUTS[case])
    good = ROOT / "data" / "sources" / "hou2025_ablation.txt"
    done = run_cli("extract", str(bad), str(good), "--json")
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0], done.stderr
    assert len(lines[0]) > len(str(bad)) + 5  # a reason follows the file name
    records = json.loads(done.stdout)
    assert [r["id"] for r in records] == ["hou2025_ablation"]


def test_the_error_reasons_say_what_is_wrong(tmp_path):
    reasons = {}
    for case, content in BAD_INPUTS.items():
        path = tmp_path / f"{case}.txt"
        if content is not None:
            path.write_bytes(content)
        reasons[case] = run_cli("extract", str(path), "--json").stderr.lower()
    assert "not found" in reasons["missing"] or "no such" in reasons["missing"]
    assert "empty" in reasons["empty"] and "empty" in reasons["blank"]
    assert "binary" in reasons["binary"]
    assert "utf-8" in reasons["latin1"]
    assert "truncated" in reasons["truncated"] or "json" in reasons["truncated"]
    assert "study" in reasons["no_study"]


NEW_PAPER = ROOT / "tests" / "fixtures" / "new_paper" / "pubmed_sbrt_pd1.txt"


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_add_registers_a_new_paper_and_refuses_it_a_second_time(tmp_path):
    import shutil

    from livingreview.book import fingerprints
    from livingreview.book import registry
    from projects import make_project

    seeds = [ROOT / "data" / e.file for e in registry.load(ROOT)]
    project = make_project(tmp_path / "book", seeds)
    shutil.copytree(ROOT / "chapters", project / "chapters")
    shutil.copy(ROOT / "_toc.yml", project / "_toc.yml")
    for target in fingerprints.plan(project, registry.load(project))[0]:  # as if just built
        fingerprints.stamp_file(target.output, target.fingerprint)
    assert fingerprints.plan(project, registry.load(project))[0] == []

    added = run_cli("add", str(NEW_PAPER), cwd=project)
    assert added.returncode == 0, added.stderr
    assert "okafor2026_radiotherapy_ici" in added.stdout and "endpoints" in added.stdout
    entries = registry.load(project)
    new = registry.find(entries, "okafor2026_radiotherapy_ici")
    assert new.source_path(project).read_bytes() == NEW_PAPER.read_bytes()
    assert new.sha256 == registry.sha256_file(NEW_PAPER)
    assert "@misc{okafor2026_radiotherapy_ici" in (project / "data" / "references.bib").read_text() \
        or "@article{okafor2026_radiotherapy_ici" in (project / "data" / "references.bib").read_text()
    assert "chapters/okafor2026_radiotherapy_ici" in (project / "_toc.yml").read_text()

    to_run, reused = fingerprints.plan(project, entries)
    assert sorted(t.output.name for t in to_run) == [
        "okafor2026_radiotherapy_ici.ipynb", "patients.ipynb", "synthesis.ipynb",
    ]
    assert len(reused) == 5

    before = _tree(project)
    again = run_cli("add", str(NEW_PAPER), cwd=project)
    assert again.returncode != 0
    assert again.stdout == ""
    assert len(again.stderr.strip().splitlines()) == 1
    assert "not added" in again.stderr and "okafor2026_radiotherapy_ici" in again.stderr
    assert _tree(project) == before


def test_remove_undoes_an_add(tmp_path):
    from livingreview.book import registry
    from projects import make_project

    project = make_project(tmp_path / "book", [ROOT / "data" / "sources" / "hou2025_ablation.txt"])
    before = {k: v for k, v in _tree(project).items() if not k.startswith(("_toc", "data/references"))}
    assert run_cli("add", str(NEW_PAPER), cwd=project).returncode == 0
    removed = run_cli("remove", "okafor2026_radiotherapy_ici", cwd=project)
    assert removed.returncode == 0, removed.stderr
    assert [e.id for e in registry.load(project)] == ["hou2025_ablation"]
    after = {k: v for k, v in _tree(project).items() if not k.startswith(("_toc", "data/references"))}
    assert after == before
    assert run_cli("remove", "okafor2026_radiotherapy_ici", cwd=project).returncode != 0


def test_text_prints_what_the_spans_index(seed_records):
    (wang,) = [r for r in seed_records if r["id"] == "wang2025_hifu"]
    text = run_cli("text", wang["source_path"]).stdout
    assert text.startswith("Clinical observation and immune effect")
    for ep in wang["endpoints"]:
        assert text[ep["span"][0]:ep["span"][1]] == ep["quote"]
    assert run_cli("text", "no/such/file.txt").returncode != 0
