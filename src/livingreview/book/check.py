"""CI's proof that the committed notebooks are what papermill makes of the current inputs.

`python -m livingreview check-notebooks` re-executes EVERY notebook of the book (what
`make book FORCE=1` does) into a scratch folder, never over the committed files, and
compares each with its committed copy: one line per notebook that would change, naming
its first differing cell and a short diff.
"""
from __future__ import annotations

import difflib
import json
import os
import tempfile
from pathlib import Path

from livingreview.book import build, fingerprints, runner

DIFF_LINES = 4  # changed lines shown per differing notebook
DIFF_WIDTH = 100  # characters kept of each


def _cell_view(cell: dict) -> str:
    keep = {k: cell.get(k) for k in ("cell_type", "source", "outputs", "metadata") if k in cell}
    return json.dumps(keep, indent=1, sort_keys=True, ensure_ascii=False)


def _short_diff(old: str, new: str) -> str:
    lines = [
        line[:DIFF_WIDTH] for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    return " | ".join(lines[:DIFF_LINES]) + (" | ..." if len(lines) > DIFF_LINES else "")


def first_difference(committed: str, executed: str) -> str | None:
    """Where two notebook texts first differ (cell index and a short diff), or None if equal."""
    if committed == executed:
        return None
    try:
        old, new = json.loads(committed), json.loads(executed)
    except ValueError:
        return "the committed file is not valid JSON"
    old_cells, new_cells = old.get("cells", []), new.get("cells", [])
    for i, (a, b) in enumerate(zip(old_cells, new_cells)):
        va, vb = _cell_view(a), _cell_view(b)
        if va != vb:
            return f"cell {i} ({a.get('cell_type', '?')}) differs: {_short_diff(va, vb)}"
    if len(old_cells) != len(new_cells):
        return f"{len(old_cells)} cells committed, {len(new_cells)} executed"
    va = json.dumps(old.get("metadata"), indent=1, sort_keys=True)
    vb = json.dumps(new.get("metadata"), indent=1, sort_keys=True)
    if va != vb:
        return f"notebook metadata differs: {_short_diff(va, vb)}"
    return "the files differ in layout only (re-execute and commit)"


def _from_scratch(run):
    """`run()` with the results cache off in the kernels it starts: the check proves every
    notebook from its inputs alone, never from a stored result."""
    from livingreview.book import cache

    saved = os.environ.get(cache.SWITCH)
    os.environ[cache.SWITCH] = "off"
    try:
        return run()
    finally:
        if saved is None:
            os.environ.pop(cache.SWITCH, None)
        else:
            os.environ[cache.SWITCH] = saved


def check_notebooks(root: Path, jobs: int | None = None, report=None) -> list[str]:
    """One line per committed notebook that re-executing would change (or that fails to run)."""
    root = Path(root)
    prepared = build.prepare(root)
    problems = [f"{error} (its chapter cannot be executed)" for error in prepared.errors.values()]
    stamps = {t.output: t.fingerprint for t in fingerprints.targets(root, prepared.entries)}
    with tempfile.TemporaryDirectory(prefix="livingreview-check-") as tmp:
        scratch = Path(tmp)
        work = build.scratch_jobs(root, prepared, scratch)
        fps = {job.output: stamps.get(root / job.output.relative_to(scratch)) for job in work}
        outcomes = _from_scratch(lambda: runner.run_jobs(work, jobs, fingerprints=fps, report=report))
        for outcome in outcomes:
            committed = root / outcome.job.output.relative_to(scratch)
            name = committed.relative_to(root).as_posix()
            if not outcome.ok:
                problems.append(f"{name}: fails to execute: {outcome.error}")
            elif not committed.is_file():
                problems.append(f"{name}: not committed (run `make book` and commit it)")
            else:
                where = first_difference(committed.read_text(encoding="utf-8"),
                                         outcome.job.output.read_text(encoding="utf-8"))
                if where:
                    problems.append(f"{name}: would change on re-execution: {where}")
    return problems
