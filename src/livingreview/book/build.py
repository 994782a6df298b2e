"""Building the book in three steps: prepare the derived files, execute what is stale, render.

`python -m livingreview build` runs all three; the book benchmark times them apart.
"""
from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from livingreview.book import bibliography
from livingreview.book import toc
from livingreview.book import fingerprints
from livingreview.book import pages
from livingreview.book import registry
from livingreview.present import render
from livingreview.book import runner
from livingreview.extract.document import SourceError
from livingreview.book.execute import Outcome, write_atomically


@dataclass
class Prepared:
    entries: list[registry.Entry]
    records: dict  # id -> record, or the SourceError that stopped it

    @property
    def good(self) -> list[dict]:
        return [r for r in self.records.values() if isinstance(r, dict)]

    @property
    def errors(self) -> dict[str, SourceError]:
        return {i: r for i, r in self.records.items() if isinstance(r, SourceError)}


def write_if_changed(path: Path, text: str) -> bool:
    """Write only on change, so unchanged derived files keep their timestamps."""
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    write_atomically(path, text)
    return True


def prepare(root: Path) -> Prepared:
    """Extract every record and write what derives from the records alone."""
    entries = registry.load(root)
    prepared = Prepared(entries, toc.records_for(root, entries))
    write_if_changed(root / "_static" / "vega-bundle.js", render.vega_bundle())
    write_if_changed(root / "_toc.yml", toc.toc_text(entries, prepared.records, root))
    write_if_changed(root / registry.BIBLIOGRAPHY, bibliography.references_bib(prepared.good))
    return prepared


def execute_stale(
    root: Path, prepared: Prepared, *, force: bool = False, jobs: int | None = None,
    report: Callable[[str], None] | None = None,
) -> list[Outcome]:
    """Re-execute the notebooks whose inputs changed (all with `force`), in parallel."""
    to_run, reused = fingerprints.plan(root, prepared.entries, force=force)
    stale = {t.output: t.fingerprint for t in to_run}
    work = [
        job for job in toc.chapter_jobs(root, prepared.entries, prepared.records)
        if job.output in stale and job.parameters.get("source_id") not in prepared.errors
    ]
    return runner.run_jobs(work, jobs, fingerprints=stale, reused=len(reused), report=report)


def write_pages(root: Path, prepared: Prepared) -> None:
    for path, text in pages.generated(root, prepared.good).items():
        write_if_changed(root / path, text)


def site(root: Path, log: Path | None = None) -> int:
    """Jupyter Book over the committed outputs, warnings as errors; its exit status."""
    jb = Path(sys.executable).with_name("jupyter-book")
    command = [str(jb), "build", str(root), "-W", "-n", "--keep-going"]
    if log is None:
        return subprocess.run(command, check=False).returncode
    with log.open("a", encoding="utf-8") as out:
        return subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, check=False).returncode
