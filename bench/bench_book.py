"""Book build times on a review of N synthetic papers, in a temporary copy of the project.

    .venv/bin/python bench/bench_book.py [--papers 60] [--workers 2] [--keep]

Three builds, each timed as (execute notebooks, build the site):
  1. full rebuild with our executor: every notebook re-run with papermill in
     parallel (`fingerprints.plan(force=True)` + `runner.run_jobs`), then Jupyter Book
     renders the stored outputs (execute_notebooks: off);
  2. the rebuild after adding one paper: `add_paper`, then only the stale
     notebooks (the new chapter and the synthesis pages) are run, and the site
     is rebuilt incrementally;
  3. full rebuild with Jupyter Book's own executor (execute_notebooks: force,
     one notebook after another) from a clean _build.
A script, not a test: it prints a table and asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic  # noqa: E402

from livingreview.book import build
from livingreview.book import fingerprints
from livingreview.book import registry  # noqa: E402
from livingreview.book.adding import AddError, add_paper  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
COPIED = ("_config.yml", "intro.md", "references.md", "_static", "_templates", "templates", "src",
          "requirements.txt", "constraints.txt")


def make_project(dest: Path) -> Path:
    """A copy of the project's book frame with an empty registry."""
    dest.mkdir(parents=True)
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.is_file():
            shutil.copy2(source, dest / name)
    (dest / "data").mkdir()
    (dest / "data/registry.yaml").write_text(registry.dump([]), encoding="utf-8")
    return dest


def add_synthetic(root: Path, count: int, seed: int, start: int = 0) -> int:
    """Register `count` synthetic papers; documents refused as duplicates are skipped."""
    incoming = root.parent / "incoming"
    incoming.mkdir(exist_ok=True)
    added, skipped, batch = 0, 0, start
    while added < count:
        for name, _fmt, text in synthetic.documents(count * 2, seed + batch):
            path = incoming / f"{batch}_{name}"
            path.write_text(text, encoding="utf-8")
            try:
                add_paper(root, path, allow_non_study=True, today="2026-01-01")
                added += 1
            except AddError:
                skipped += 1
            if added == count:
                break
        batch += 1
    return skipped


def execute(root: Path, force: bool, workers: int) -> tuple[int, int, int]:
    """The build's own prepare + execute + commit steps; returns (executed, reused, failed)."""
    prepared = build.prepare(root)
    _, reused = fingerprints.plan(root, prepared.entries, force=force)
    built = build.build_project(root, force=force, jobs=workers, prepared=prepared,
                                report=lambda line: print(f"    {line}"))
    failed = [o for o in built.outcomes if not o.ok]
    for outcome in failed[:3]:
        print(f"    failed: {outcome.job.output.name}: {outcome.error}")
    return len(built.outcomes) - len(failed), len(reused), len(failed)


def site(root: Path, log: Path) -> int:
    return build.site(root, log)


def timed(fn, *args):
    started = time.perf_counter()
    value = fn(*args)
    return value, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=60)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the temporary project")
    parser.add_argument("--skip-jupyter-book", action="store_true",
                        help="leave out build 3 (Jupyter Book's own executor, the slow one)")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="bench-book-"))
    root = make_project(tmp / "project")
    os.environ["LIVINGREVIEW_ROOT"] = str(root)  # chapters find the copy, not the real review
    log = tmp / "jupyter-book.log"
    rows = []
    try:
        skipped = add_synthetic(root, args.papers, args.seed)
        print(f"registered {args.papers} synthetic papers ({skipped} duplicates skipped) in {root}")

        print("1. full rebuild, our executor")
        (ran, _, failed), t_exec = timed(execute, root, True, args.workers)
        rc, t_site = timed(site, root, log)
        rows.append(("full rebuild, papermill in parallel", ran, failed, t_exec, t_site, rc))

        print("2. rebuild after adding one paper")
        add_synthetic(root, 1, args.seed + 10_000)
        (ran, _, failed), t_exec = timed(execute, root, False, args.workers)
        rc, t_site = timed(site, root, log)
        rows.append(("after adding one paper (incremental)", ran, failed, t_exec, t_site, rc))

        if args.skip_jupyter_book:
            return _report(rows, args, log)
        print("3. full rebuild, Jupyter Book execute_notebooks: force")
        shutil.rmtree(root / "_build", ignore_errors=True)
        config = root / "_config.yml"
        config.write_text(
            re.sub(r'execute_notebooks:\s*"?off"?', 'execute_notebooks: "force"',
                   config.read_text(encoding="utf-8")),
            encoding="utf-8",
        )
        rc, t_site = timed(site, root, log)
        notebooks = len(list((root / "chapters").glob("*.ipynb")))
        rows.append(("full rebuild, Jupyter Book force", notebooks, None, None, t_site, rc))
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)

    return _report(rows, args, log)


def _report(rows, args, log) -> int:
    print()
    header = f"{'build':<38} {'notebooks':>9} {'failed':>6} {'execute s':>9} {'site s':>8} {'total s':>8} {'jb rc':>5}"
    print(header)
    print("-" * len(header))
    for name, n, failed, t_exec, t_site, rc in rows:
        execute_s = "(in site)" if t_exec is None else f"{t_exec:.1f}"
        failed_s = "?" if failed is None else str(failed)
        print(f"{name:<38} {n:>9} {failed_s:>6} {execute_s:>9} {t_site:>8.1f} "
              f"{(t_exec or 0) + t_site:>8.1f} {rc:>5}")
    print(f"\nworkers={args.workers}; Jupyter Book output in {log if args.keep else '(deleted)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
