"""Incremental rebuilds: each kind of input re-executes exactly the notebooks it feeds."""
import dataclasses
import json
from pathlib import Path

import nbformat
import pytest

from livingreview.book import fingerprints
from livingreview.book import registry

SYNTHESIS_PAGES = set(registry.SYNTHESIS_NAMES)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def tree(tmp_path) -> Path:
    """A minimal project: two registered studies, one appraisal, templates, package, pins."""
    root = tmp_path / "project"
    _write(root / "_config.yml", "title: test\n")
    _write(root / "data/sources/alpha2024_hifu.txt", "Alpha study: median OS was 20.1 months.\n")
    _write(root / "data/sources/beta2023_rt.txt", "Beta study: ORR was 41%.\n")
    _write(root / "data/appraisals/alpha2024_hifu.md", "Small single-centre series.\n")
    entries = [
        registry.Entry("alpha2024_hifu", "sources/alpha2024_hifu.txt",
                       registry.sha256_file(root / "data/sources/alpha2024_hifu.txt"),
                       "2026-01-02", "alpha.txt"),
        registry.Entry("beta2023_rt", "sources/beta2023_rt.txt",
                       registry.sha256_file(root / "data/sources/beta2023_rt.txt"),
                       "2026-01-03", "beta.txt"),
    ]
    _write(root / "data/registry.yaml", registry.dump(entries))
    for name in ("chapter", "synthesis", "patients"):
        _write(root / f"templates/{name}.ipynb", json.dumps({"cells": [], "name": name}))
    _write(root / "src/livingreview/__init__.py", '"""pkg"""\n')
    _write(root / "src/livingreview/tables.py", "WIDTH = 3\n")
    _write(root / "src/livingreview/extract/study-record.schema.json", "{}\n")
    _write(root / "requirements.txt", "papermill==2.7.0\n")
    _write(root / "constraints.txt", "nbformat==5.11.1\n")
    return root


def build(root: Path) -> set[str]:
    """Pretend to execute what the plan says is stale: write each notebook with its stamp."""
    to_run, _ = fingerprints.plan(root, registry.load(root))
    for target in to_run:
        nb = nbformat.v4.new_notebook()
        fingerprints.stamp(nb, target.fingerprint)
        _write(target.output, nbformat.writes(nb))
    return {t.output.stem for t in to_run}


def _edit_registry(root: Path, study_id: str, **changes) -> None:
    entries = [
        dataclasses.replace(e, **changes) if e.id == study_id else e for e in registry.load(root)
    ]
    _write(root / "data/registry.yaml", registry.dump(entries))


def test_first_build_runs_every_chapter_and_synthesis_page(tree):
    assert build(tree) == {"alpha2024_hifu", "beta2023_rt"} | SYNTHESIS_PAGES


def test_nothing_reruns_when_no_input_changed(tree):
    build(tree)
    to_run, reused = fingerprints.plan(tree, registry.load(tree))
    assert to_run == []
    assert {t.output.stem for t in reused} == {"alpha2024_hifu", "beta2023_rt"} | SYNTHESIS_PAGES


CHANGES = {
    "source": (
        lambda r: _write(r / "data/sources/alpha2024_hifu.txt", "Alpha: median OS 21.0 months.\n"),
        {"alpha2024_hifu"} | SYNTHESIS_PAGES,
    ),
    "registry row": (
        lambda r: _edit_registry(r, "beta2023_rt", origin="beta-renamed.txt"),
        {"beta2023_rt"} | SYNTHESIS_PAGES,
    ),
    "appraisal edited": (
        lambda r: _write(r / "data/appraisals/alpha2024_hifu.md", "Risk of bias: high.\n"),
        {"alpha2024_hifu"},
    ),
    "appraisal written for the first time": (
        lambda r: _write(r / "data/appraisals/beta2023_rt.md", "Well reported.\n"),
        {"beta2023_rt"},
    ),
    "appraisal deleted": (
        lambda r: (r / "data/appraisals/alpha2024_hifu.md").unlink(),
        {"alpha2024_hifu"},
    ),
    "structured appraisal (risk of bias) edited": (
        lambda r: _write(r / "data/appraisals/alpha2024_hifu.yaml", "risk_of_bias: null\n"),
        {"alpha2024_hifu"} | SYNTHESIS_PAGES,
    ),
    "structured appraisal written for the first time": (
        lambda r: _write(r / "data/appraisals/beta2023_rt.yaml", "indirectness: {}\n"),
        {"beta2023_rt"} | SYNTHESIS_PAGES,
    ),
    "digitised curve added": (
        lambda r: _write(r / "data/curves/alpha2024_hifu/OS--hifu.csv", "time,survival\n0,1\n6,0.8\n"),
        {"alpha2024_hifu", "synthesis"},
    ),
    "risk table beside a curve added": (
        lambda r: (_write(r / "data/curves/beta2023_rt/PFS--rt.csv", "time,survival\n0,1\n"),
                   _write(r / "data/curves/beta2023_rt/PFS--rt.risk.csv", "time,at_risk\n0,20\n")),
        {"beta2023_rt", "synthesis"},
    ),
    "curation written for the first time": (
        lambda r: _write(r / "data/curation/beta2023_rt.yaml", "reviewer: A. Reviewer\ndate: 2026-12-01\n"),
        {"beta2023_rt"} | SYNTHESIS_PAGES,
    ),
    "curation edited": (
        lambda r: (_write(r / "data/curation/alpha2024_hifu.yaml", "reviewer: A. Reviewer\ndate: 2026-12-01\n"),
                   build(r),
                   _write(r / "data/curation/alpha2024_hifu.yaml", "reviewer: A. Reviewer\ndate: 2026-12-02\n")),
        {"alpha2024_hifu"} | SYNTHESIS_PAGES,
    ),
    "chapter template": (
        lambda r: _write(r / "templates/chapter.ipynb", json.dumps({"cells": [1]})),
        {"alpha2024_hifu", "beta2023_rt"},
    ),
    "synthesis template": (
        lambda r: _write(r / "templates/synthesis.ipynb", json.dumps({"cells": [2]})),
        {"synthesis"},
    ),
    "patients template": (
        lambda r: _write(r / "templates/patients.ipynb", json.dumps({"cells": [3]})),
        {"patients"},
    ),
    "package code": (
        lambda r: _write(r / "src/livingreview/tables.py", "WIDTH = 4\n"),
        {"alpha2024_hifu", "beta2023_rt"} | SYNTHESIS_PAGES,
    ),
    "new package module": (
        lambda r: _write(r / "src/livingreview/sub/extra.py", "X = 1\n"),
        {"alpha2024_hifu", "beta2023_rt"} | SYNTHESIS_PAGES,
    ),
    "package json": (
        lambda r: _write(r / "src/livingreview/extract/study-record.schema.json", '{"type": "object"}\n'),
        {"alpha2024_hifu", "beta2023_rt"} | SYNTHESIS_PAGES,
    ),
    "requirements": (
        lambda r: _write(r / "requirements.txt", "papermill==2.7.1\n"),
        {"alpha2024_hifu", "beta2023_rt"} | SYNTHESIS_PAGES,
    ),
    "constraints": (
        lambda r: _write(r / "constraints.txt", "nbformat==5.11.2\n"),
        {"alpha2024_hifu", "beta2023_rt"} | SYNTHESIS_PAGES,
    ),
}


@pytest.mark.parametrize("kind", CHANGES)
def test_changing_an_input_reruns_exactly_the_notebooks_it_feeds(tree, kind):
    change, expected = CHANGES[kind]
    build(tree)
    change(tree)
    assert build(tree) == expected
    assert build(tree) == set()


def test_files_outside_the_inputs_do_not_trigger_a_rebuild(tree):
    build(tree)
    _write(tree / "src/livingreview/__pycache__/tables.cpython-311.pyc", "bytecode")
    _write(tree / "notes/plan.md", "todo\n")
    _write(tree / "data/sources/unregistered.txt", "not in the registry\n")
    assert build(tree) == set()


def test_registering_a_study_runs_its_chapter_and_the_synthesis_only(tree):
    build(tree)
    _write(tree / "data/sources/gamma2025_tace.txt", "Gamma: DCR 80%.\n")
    gamma = registry.Entry("gamma2025_tace", "sources/gamma2025_tace.txt",
                           registry.sha256_file(tree / "data/sources/gamma2025_tace.txt"),
                           "2026-02-01", "gamma.txt")
    _write(tree / "data/registry.yaml", registry.dump([*registry.load(tree), gamma]))
    assert build(tree) == {"gamma2025_tace"} | SYNTHESIS_PAGES


def test_removing_a_study_reruns_the_synthesis_only(tree):
    build(tree)
    remaining = [e for e in registry.load(tree) if e.id != "beta2023_rt"]
    _write(tree / "data/registry.yaml", registry.dump(remaining))
    to_run, reused = fingerprints.plan(tree, remaining)
    assert {t.output.stem for t in to_run} == SYNTHESIS_PAGES
    assert {t.output.stem for t in reused} == {"alpha2024_hifu"}


def test_force_runs_everything_even_when_fresh(tree):
    build(tree)
    to_run, reused = fingerprints.plan(tree, registry.load(tree), force=True)
    assert {t.output.stem for t in to_run} == {"alpha2024_hifu", "beta2023_rt"} | SYNTHESIS_PAGES
    assert reused == []


def test_a_chapter_notebook_that_was_deleted_or_corrupted_is_rebuilt(tree):
    build(tree)
    (tree / "chapters/alpha2024_hifu.ipynb").unlink()
    (tree / "chapters/beta2023_rt.ipynb").write_text("{not json", encoding="utf-8")
    assert build(tree) == {"alpha2024_hifu", "beta2023_rt"}


def test_a_notebook_without_a_stamp_is_never_fresh(tmp_path):
    path = tmp_path / "plain.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), path)
    assert fingerprints.stamp_of(path) is None
    assert not fingerprints.is_fresh(path, fingerprints.fingerprint({"x": "1"}))


def test_stamp_file_records_the_fingerprint_in_the_notebook_metadata(tmp_path):
    path = tmp_path / "chapter.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    fingerprints.stamp_file(path, "abc123")
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert stored["metadata"]["livingreview"] == {"inputs": "abc123"}
    assert stored["metadata"]["kernelspec"]["name"] == "python3"
    assert "".join(stored["cells"][0]["source"]) == "# Title"
    assert fingerprints.is_fresh(path, "abc123") and not fingerprints.is_fresh(path, "abc124")


def test_fingerprint_does_not_depend_on_the_order_inputs_are_listed():
    assert fingerprints.fingerprint({"a": "1", "b": "2"}) == fingerprints.fingerprint({"b": "2", "a": "1"})
    assert fingerprints.fingerprint({"a": "1", "b": "2"}) != fingerprints.fingerprint({"a": "2", "b": "1"})


def test_chapter_inputs_name_every_input_the_chapter_is_built_from(tree):
    entry = registry.find(registry.load(tree), "beta2023_rt")
    inputs = fingerprints.chapter_inputs(tree, entry)
    assert set(inputs) == {"source", "registry_row", "appraisal", "structured_appraisal", "curves",
                           "curation", "template", "package", "requirements"}
    assert inputs["source"] == entry.sha256
    assert inputs["appraisal"] == fingerprints.MISSING  # beta has no appraisal yet
    assert inputs["curation"] == fingerprints.MISSING  # nor a reviewer's curation
