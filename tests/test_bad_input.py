"""Bad input costs one clear line: paths from the registry stay inside data/sources, names are
escaped, a corrupt notebook leaves out only its own page, and nothing depends on the cwd."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from livingreview.book import registry, toc
from livingreview.cli import one_line
from projects import ROOT, make_project
from seeds import seed
from test_transaction import snapshot

NEW_PAPER = Path(__file__).parent / "fixtures" / "new_paper" / "pubmed_sbrt_pd1.txt"


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "LIVINGREVIEW_ROOT"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    return subprocess.run([sys.executable, "-m", "livingreview", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False)


def _errors(done: subprocess.CompletedProcess) -> list[str]:
    return [line for line in done.stderr.splitlines() if line.strip()]


@pytest.fixture
def project(tmp_path) -> Path:
    return make_project(tmp_path / "book", [seed("000"), seed("002")])


def _set_file(root: Path, value: str) -> str:
    entries = registry.load(root)
    first = entries[0]
    text = (root / registry.REGISTRY_FILE).read_text(encoding="utf-8")
    (root / registry.REGISTRY_FILE).write_text(text.replace(f"file: {first.file}", f"file: {value}"),
                                               encoding="utf-8")
    return first.id


@pytest.mark.parametrize("value", ["../../somewhere/else.txt", "sources/../../else.txt", "/etc/hostname"])
def test_remove_refuses_a_registry_file_outside_data_sources_and_deletes_nothing(project, tmp_path, value):
    outside = tmp_path / "somewhere" / "else.txt"
    outside.parent.mkdir()
    outside.write_text("not the review's\n", encoding="utf-8")
    study = _set_file(project, value)
    before = snapshot(project)
    done = run(project, "remove", study)
    assert done.returncode == 1
    assert len(_errors(done)) == 1 and "refused" in done.stderr and "Traceback" not in done.stderr
    assert outside.read_text(encoding="utf-8") == "not the review's\n"
    assert snapshot(project) == before


def test_remove_refuses_a_symlink_pointing_out_of_data_sources(project, tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("keep me\n", encoding="utf-8")
    (project / "data" / "sources" / "link.txt").symlink_to(outside)
    study = _set_file(project, "sources/link.txt")
    before = snapshot(project)
    done = run(project, "remove", study)
    assert done.returncode == 1 and len(_errors(done)) == 1
    assert "resolves outside data/sources" in done.stderr
    assert outside.read_text(encoding="utf-8") == "keep me\n" and snapshot(project) == before


def test_an_unsafe_study_id_is_refused_in_one_line(project):
    text = (project / registry.REGISTRY_FILE).read_text(encoding="utf-8")
    first = registry.load(project)[0].id
    (project / registry.REGISTRY_FILE).write_text(text.replace(f"id: {first}", "id: ../../x"), encoding="utf-8")
    done = run(project, "toc")
    assert done.returncode == 1 and len(_errors(done)) == 1 and "not a safe file name" in done.stderr


def test_a_path_with_a_newline_is_printed_escaped_on_one_line(project, tmp_path):
    crafted = tmp_path / "x\nlivingreview: added fake2026: everything fine.txt"
    crafted.write_text("", encoding="utf-8")
    done = run(project, "add", str(crafted))
    assert done.returncode == 1
    (line,) = _errors(done)
    assert "\\n" in line and line.startswith("livingreview: ") and "not added" in line


def test_control_characters_are_escaped():
    assert one_line("a\nb\x1b[31m\u202ec\td") == "a\\nb\\x1b[31m\\u202ec\\td"
    assert one_line("plain é text") == "plain é text"


def test_add_outside_the_project_prints_one_line_and_no_traceback(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = run(elsewhere, "add", str(NEW_PAPER))
    assert done.returncode == 1
    (line,) = _errors(done)
    assert "not inside the living review" in line


def test_a_symbolic_link_loop_is_reported_as_one(project, tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.symlink_to(b)
    b.symlink_to(a)
    done = run(project, "add", str(a))
    assert done.returncode == 1
    (line,) = _errors(done)
    assert line.endswith("symbolic link loop")


def test_a_missing_registry_is_one_line(project):
    (project / registry.REGISTRY_FILE).unlink()
    done = run(project, "toc")
    assert done.returncode == 1 and len(_errors(done)) == 1


def test_records_name_their_source_relative_to_the_root_whatever_the_cwd(project, tmp_path, monkeypatch):
    entries = registry.load(project)
    seen = []
    for cwd in (project, project / "data", tmp_path):
        monkeypatch.chdir(cwd)
        records = toc.records_for(project, entries)
        seen.append([records[e.id]["source_path"] for e in entries])
    assert seen[0] == seen[1] == seen[2] == [f"data/{e.file}" for e in entries]


def test_a_corrupt_notebook_leaves_out_only_its_page_and_fails_in_one_line(executed, tmp_path):
    root = tmp_path / "book"
    shutil.copytree(executed, root, ignore=shutil.ignore_patterns("_build"))
    study = registry.load(root)[0].id
    chapter = root / "chapters" / f"{study}.ipynb"
    chapter.write_bytes(chapter.read_bytes()[:500])  # truncated mid-file
    done = run(root, "build", "--no-execute")
    assert done.returncode != 0
    ours = [line for line in done.stderr.splitlines() if line.startswith("livingreview:")]
    assert ours == [ours[0]] and f"chapters/{study}.ipynb" in ours[0] and "left out" in ours[0]
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    html = root / "_build" / "html" / "chapters"
    assert not (html / f"{study}.html").exists()
    others = [e.id for e in registry.load(root)[1:]]
    assert all((html / f"{other}.html").is_file() for other in others)
    assert (html / "synthesis.html").is_file()


def test_check_notebooks_passes_on_fresh_notebooks_and_names_the_first_changed_output(executed, tmp_path):
    root = tmp_path / "book"
    shutil.copytree(executed, root, ignore=shutil.ignore_patterns("_build"))
    done = run(root, "check-notebooks")
    assert done.returncode == 0, done.stderr[-2000:]
    before = snapshot(root)
    study = registry.load(root)[0].id
    chapter = root / "chapters" / f"{study}.ipynb"
    nb = json.loads(chapter.read_text(encoding="utf-8"))
    index = next(i for i, c in enumerate(nb["cells"]) if c.get("outputs"))
    text = chapter.read_text(encoding="utf-8")
    target = json.dumps(nb["cells"][index]["outputs"][0]["data"]["text/plain"][0])[1:-1]
    chapter.write_text(text.replace(target, "hand-edited output", 1), encoding="utf-8")
    edited = snapshot(root)
    done = run(root, "check-notebooks")
    assert done.returncode == 1
    ours = [line for line in done.stderr.splitlines() if "would change" in line]
    assert len(ours) == 1 and f"chapters/{study}.ipynb" in ours[0]
    assert f"cell {index} " in ours[0] and "hand-edited output" in ours[0]
    assert snapshot(root) == edited != before  # the committed files are never touched
