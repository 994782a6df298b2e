"""The book's frame: registry, sources, toc, templates, renderer and the papermill executor."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import altair as alt
import nbformat
import pandas as pd
import pytest

from livingreview.book import toc
from livingreview.book import execute
from livingreview.book import registry
from livingreview.present import render
from projects import make_project

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def entries() -> list[registry.Entry]:
    return registry.load(ROOT)


def test_every_registered_source_matches_its_sha256(entries):
    assert {e.id: registry.sha256_file(e.source_path(ROOT)) for e in entries} == {
        e.id: e.sha256 for e in entries
    }


def test_every_source_file_is_registered_once(entries):
    on_disk = sorted(p.name for p in (ROOT / "data" / "sources").iterdir())
    assert sorted(Path(e.file).name for e in entries) == on_disk


def test_committed_toc_is_what_the_registry_gives(entries):
    records = toc.records_for(ROOT, entries)
    assert (ROOT / "_toc.yml").read_text(encoding="utf-8") == toc.toc_text(entries, records, ROOT)


def test_every_registered_study_has_a_committed_chapter_with_outputs(entries):
    for entry in entries:
        nb = nbformat.read(ROOT / "chapters" / f"{entry.id}.ipynb", as_version=4)
        assert any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), entry.id


def test_chapters_come_from_the_one_template(entries):
    template = nbformat.read(ROOT / toc.CHAPTER_TEMPLATE, as_version=4)
    expected = [c.source for c in template.cells[1:]]
    for entry in entries:
        nb = nbformat.read(ROOT / "chapters" / f"{entry.id}.ipynb", as_version=4)
        sources = [c.source for c in nb.cells[1:] if "injected-parameters" not in c.metadata.get("tags", [])]
        assert sources == expected, entry.id


def test_committed_notebooks_carry_no_run_dependent_metadata():
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        assert "papermill" not in raw["metadata"], path.name
        for cell in raw["cells"]:
            assert "id" not in cell and "execution" not in cell["metadata"], path.name
        assert "altair-viz-" not in path.read_text(encoding="utf-8")
        assert "cdn.jsdelivr" not in path.read_text(encoding="utf-8")


def test_markdown_escape_makes_markup_inert():
    escaped = toc.markdown_escape("<script>alert(1)</script> **bold** [x](javascript:y)")
    assert "<" not in escaped.replace("\\<", "") and "*" not in escaped.replace("\\*", "")


def _chart(title="T", quote="q") -> alt.Chart:
    df = pd.DataFrame({"x": [1, 2], "y": [3, 4], "quote": [quote, "ok"]})
    return alt.Chart(df, title=title).mark_point().encode(x="x", y="y", tooltip=["quote"])


def test_chart_ids_are_derived_from_the_spec():
    a, b, c = (_chart().to_dict(), _chart().to_dict(), _chart(title="other").to_dict())
    assert render.chart_id(a) == render.chart_id(b) != render.chart_id(c)
    assert render.spec_html(a) == render.spec_html(b)


def test_chart_html_cannot_close_its_script_element():
    html = render.spec_html(_chart(quote="</script><script>alert(1)</script>").to_dict())
    payload = html.split('class="lr-chart-spec">', 1)[1].split("</script>", 1)[0]
    assert "<" not in payload and json.loads(payload)["spec"]["data"]
    assert "<svg" in html  # the static fallback


def test_vega_bundle_is_wrapped_so_its_names_stay_private():
    bundle = render.vega_bundle()
    assert bundle.rstrip().endswith("})();") and "window.vegaEmbed" in bundle


def _notebook(path: Path, code: str) -> Path:
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Title"),
        nbformat.v4.new_code_cell("value = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(code),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def test_executing_twice_gives_identical_bytes(tmp_path):
    template = _notebook(tmp_path / "t.ipynb", "print(value * 2)")
    job = execute.Job(template, tmp_path / "out" / "a.ipynb", {"value": 21}, "A \\<b\\> title")
    assert execute.run(job).ok
    first = job.output.read_bytes()
    assert execute.run(job).ok
    assert job.output.read_bytes() == first
    nb = nbformat.reads(first.decode(), as_version=4)
    assert nb.cells[0].source == "# A \\<b\\> title"
    assert nb.cells[-1].outputs[0]["text"] == "42\n"


def test_a_failing_run_keeps_the_previous_notebook_and_says_why(tmp_path):
    good = _notebook(tmp_path / "good.ipynb", "print(value)")
    bad = _notebook(tmp_path / "bad.ipynb", "raise ValueError('data/sources/x.txt: file is empty')")
    out = tmp_path / "out" / "a.ipynb"
    assert execute.run(execute.Job(good, out, {})).ok
    before = out.read_bytes()
    outcome = execute.run(execute.Job(bad, out, {}))
    assert not outcome.ok
    assert outcome.error == "ValueError: data/sources/x.txt: file is empty"
    assert out.read_bytes() == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["a.ipynb"]


def test_build_with_one_bad_source_builds_the_rest_and_fails(tmp_path):
    broken = tmp_path / "broken.txt"
    broken.write_bytes(b"")
    good = ROOT / "data" / "sources" / "hou2025_ablation.txt"
    project = make_project(tmp_path / "book", [good, broken], ids=["hou2025_ablation", "broken"])
    done = subprocess.run(
        [sys.executable, "-m", "livingreview", "build"], cwd=project,
        capture_output=True, text=True, check=False,
    )
    assert done.returncode != 0
    errors = [line for line in done.stderr.splitlines() if line.startswith("livingreview:")]
    assert errors[0] == "livingreview: data/sources/broken.txt: empty file (chapter broken not rebuilt)"
    assert errors[1].startswith("livingreview: executed 3, reused 0, failed 0 in ")
    assert len(errors) == 2
    assert (project / "chapters" / "hou2025_ablation.ipynb").is_file()
    assert not (project / "chapters" / "broken.ipynb").exists()
    assert (project / "_build" / "html" / "chapters" / "hou2025_ablation.html").is_file()


def test_committed_notebooks_are_up_to_date_with_their_inputs(entries):
    from livingreview.book import fingerprints

    stale = [t.output.name for t in fingerprints.plan(ROOT, entries)[0]]
    assert stale == [], "run `make book` and commit the chapters"


def test_navigation_titles_name_studies_by_author_and_other_documents_by_title():
    study = {"is_primary_study": True, "title": "T", "authors": ["Yao Liao"], "journal": "Oncol Lett",
             "id": "liao2025_hifu_ici", "year": 2025, "local_therapy": ["HIFU"], "systemic_therapy": ["ICI"]}
    assert toc.short_title(study) == "Liao 2025 · HIFU + ICI"
    assert toc.short_title({**study, "authors": ["Yao Liao", "A B"]}) == "Liao et al. 2025 · HIFU + ICI"
    page = {**study, "is_primary_study": False, "authors": [],
            "title": "How do immune checkpoint inhibitors work for patients with liver metastases?"}
    assert toc.short_title(page) == "How do immune checkpoint inhibitors work… · not a study"
