"""All-or-nothing under a kill: every command that writes the project, killed at every journal step.

`LIVINGREVIEW_FAULT_AT=N` makes the Nth step of a commit end the process at once
(`os._exit(137)`, as SIGKILL would, with no clean-up). After each kill the next command
must say in one line that it rolled the change back (or finished it), and the tree must
equal, byte for byte, either the tree before the command or the tree a clean run leaves.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from livingreview.book import registry, transaction
from livingreview.book.transaction import Transaction
from projects import make_project
from seeds import seed

NEW_PAPER = Path(__file__).parent / "fixtures" / "new_paper" / "pubmed_sbrt_pd1.txt"
KILLED = transaction.FAULT_STATUS
MAX_STEPS = 200  # far more journal steps than any command here takes


def snapshot(root: Path) -> dict:
    """Every file, folder and link under root (the site's _build/ aside), with its bytes."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if rel == "_build" or rel.startswith("_build/") or "__pycache__" in rel:
            continue
        out[rel] = ("link", os.readlink(p)) if p.is_symlink() else (p.read_bytes() if p.is_file() else None)
    return out


def run(root: Path, *args: str, fault: int | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in (transaction.FAULT_ENV, "LIVINGREVIEW_ROOT")}
    if fault is not None:
        env[transaction.FAULT_ENV] = str(fault)
    return subprocess.run([sys.executable, "-m", "livingreview", *args], cwd=root, env=env,
                          capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("txn") / "book", [seed("000"), seed("002")])
    assert run(root, "assets").returncode == 0  # the Vega bundle takes seconds to make: once
    return root


def _kill_at_every_step(pristine: Path, tmp_path: Path, args: list[str], prepare=None,
                        status: int = 0) -> int:
    """Run `args` killed at step 1, 2, ... until it completes; check every outcome; the steps."""
    def fresh(name: str) -> Path:
        root = tmp_path / name
        shutil.rmtree(root, ignore_errors=True)
        shutil.copytree(pristine, root, symlinks=True)
        if prepare:
            prepare(root)
        return root

    reference = fresh("reference")
    before = snapshot(reference)
    done = run(reference, *args)
    assert done.returncode == status, done.stderr
    after = snapshot(reference)
    assert after != before
    for step in range(1, MAX_STEPS):
        root = fresh("killed")
        killed = run(root, *args, fault=step)
        if killed.returncode == status:
            assert snapshot(root) == after
            return step - 1
        assert killed.returncode == KILLED, killed.stderr
        # The next command, whatever it is, recovers first; this one then writes nothing.
        recovered = run(root, "remove", "no_such_study")
        lines = [line for line in recovered.stderr.splitlines() if "no_such_study" not in line]
        assert "Traceback" not in recovered.stderr, recovered.stderr
        state = snapshot(root)
        assert state in (before, after), f"step {step}: the tree is neither as before nor as after"
        assert len(lines) == 1 and ("rolled back" in lines[0] or "finished" in lines[0]
                                    or "discarded" in lines[0]), (step, recovered.stderr)
        if "rolled back" in lines[0] or "discarded" in lines[0]:
            assert state == before, step
    raise AssertionError("the command never completed")


def test_add_killed_at_every_step_is_rolled_back_or_completed(pristine, tmp_path):
    new = tmp_path / "incoming.txt"
    shutil.copyfile(NEW_PAPER, new)
    steps = _kill_at_every_step(pristine, tmp_path, ["add", str(new)])
    assert steps >= 10  # 4 files (source, registry, bib, toc), their backups, manifest, moves


def test_remove_killed_at_every_step_is_rolled_back_or_completed(pristine, tmp_path):
    study = registry.load(pristine)[0].id

    def with_chapter(root: Path) -> None:
        (root / "chapters").mkdir(exist_ok=True)
        (root / "chapters" / f"{study}.ipynb").write_text("{}\n", encoding="utf-8")

    assert _kill_at_every_step(pristine, tmp_path, ["remove", study], with_chapter) >= 10


def test_toc_killed_at_every_step_is_rolled_back_or_completed(pristine, tmp_path):
    def stale_toc(root: Path) -> None:
        (root / "_toc.yml").write_text("# stale\n", encoding="utf-8")

    assert _kill_at_every_step(pristine, tmp_path, ["toc"], stale_toc) >= 4


def test_a_lost_registry_after_a_kill_is_restored_before_anything_else_runs(pristine, tmp_path):
    root = tmp_path / "book"
    shutil.copytree(pristine, root)
    before = snapshot(root)
    # Simulate a kill after the registry was deleted: commit in a child killed at that step.
    code = ("import sys; from pathlib import Path; from livingreview.book.transaction import Transaction;"
            f"t = Transaction(Path({str(root)!r}), 'remove');"
            f"t.delete(Path({str(root / registry.REGISTRY_FILE)!r})); t.write(Path({str(root / '_toc.yml')!r}), '# new');"
            "t.commit()")
    env = dict(os.environ, **{transaction.FAULT_ENV: "6"})  # after the move of the first target
    child = subprocess.run([sys.executable, "-c", code], env=env, check=False)
    assert child.returncode == KILLED
    assert not (root / registry.REGISTRY_FILE).exists()
    done = run(root, "remove", "no_such_study")
    assert "Traceback" not in done.stderr
    assert "rolled back an interrupted 'remove'" in done.stderr.splitlines()[0]
    assert snapshot(root) == before


def test_a_failing_write_puts_everything_back_at_once(pristine, tmp_path, monkeypatch):
    root = tmp_path / "book"
    shutil.copytree(pristine, root)
    before = snapshot(root)
    calls = []

    def failing(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError("disk full")
        os.replace(src, dst)

    monkeypatch.setattr(transaction, "_replace", failing)
    txn = Transaction(root, "test")
    txn.write(root / "_toc.yml", "# one\n")
    txn.write(root / "pages" / "new.md", "# two\n")
    with pytest.raises(OSError, match="disk full"):
        txn.commit()
    assert snapshot(root) == before


def test_unchanged_files_are_not_rewritten(pristine, tmp_path):
    root = tmp_path / "book"
    shutil.copytree(pristine, root)
    txn = Transaction(root, "test")
    assert txn.write(root / registry.REGISTRY_FILE, (root / registry.REGISTRY_FILE).read_bytes()) is False
    assert txn.commit() == 0


def test_a_transaction_refuses_paths_outside_the_project(pristine, tmp_path):
    txn = Transaction(pristine, "test")
    with pytest.raises(ValueError, match="outside the project"):
        txn.write(tmp_path / "elsewhere.txt", "x")


def test_build_killed_at_every_step_is_rolled_back_or_completed(pristine, tmp_path):
    # --no-execute: the derived files (toc, bibliography, pages, downloads, assets) are one
    # transaction; the executed chapters join the same one in a full build.
    # This project has no executed chapters, so its site build fails (status 1) after the commit.
    assert _kill_at_every_step(pristine, tmp_path, ["build", "--no-execute"], status=1) >= 20


SEARCH_EXPORT = Path(__file__).parent / "fixtures" / "screening" / "pubmed-2026-12-01.nbib"


@pytest.fixture(scope="module")
def screened_pristine(pristine, tmp_path_factory) -> Path:
    """The pristine book after one search was imported (records S0001 ... S0004, all pending)."""
    root = tmp_path_factory.mktemp("txn-screening") / "book"
    shutil.copytree(pristine, root, symlinks=True)
    assert run(root, "import", str(SEARCH_EXPORT)).returncode == 0
    return root


def test_import_killed_at_every_step_is_rolled_back_or_completed(pristine, tmp_path):
    # 3 files (the kept export, the ledger, the search log), the manifest, the moves.
    assert _kill_at_every_step(pristine, tmp_path, ["import", str(SEARCH_EXPORT)]) >= 8


def test_screen_include_killed_at_every_step_is_rolled_back_or_completed(screened_pristine, tmp_path):
    # 5 files (the source, registry, bibliography, toc and ledger), 4 backups, manifest, moves.
    assert _kill_at_every_step(screened_pristine, tmp_path, ["screen", "S0001", "include"]) >= 14


def test_screen_exclude_killed_at_every_step_is_rolled_back_or_completed(screened_pristine, tmp_path):
    args = ["screen", "S0003", "exclude", "--reason", "a narrative review"]
    assert _kill_at_every_step(screened_pristine, tmp_path, args) >= 4


def test_review_template_killed_at_every_step_is_rolled_back_or_completed(pristine, tmp_path):
    study = registry.load(pristine)[0].id
    args = ["review", study, "--template", "--reviewer", "A. Reviewer", "--date", "2026-12-01"]
    assert _kill_at_every_step(pristine, tmp_path, args) >= 3  # new file, manifest, move
