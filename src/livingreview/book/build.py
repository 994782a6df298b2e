"""Building the book: prepare the records, execute what is stale, commit every write at once, render.

`python -m livingreview build` runs all the steps; the book benchmark times them apart. Notebooks
are executed into a scratch folder; the chapters that succeeded, the table of contents, the
bibliography, the generated pages and the static assets are then written in ONE transaction
(`book/transaction.py`), so a kill at any moment leaves the project as it was or as built.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import nbformat
import yaml

from livingreview.book import bibliography
from livingreview.book import toc
from livingreview.book import fingerprints
from livingreview.book import pages
from livingreview.book import registry
from livingreview.book import screening
from livingreview.present import render
from livingreview.book import runner
from livingreview.book.execute import Job, Outcome
from livingreview.book.transaction import Transaction
from livingreview.extract.document import SourceError

STATIC = Path("_static")
VEGA_BUNDLE = STATIC / "vega-bundle.js"
FONTS = STATIC / "fonts"
SITE_TOC = Path("_build") / "site-toc.yml"  # the toc the site is built from when a page is left out


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


def prepare(root: Path) -> Prepared:
    """Every registered source's record (or the error that stopped it); nothing is written.

    A malformed screening ledger or search log stops the build here, before anything runs."""
    entries = registry.load(root)
    screening.load(root)
    return Prepared(entries, toc.records_for(root, entries))


def _bundle_is_current(path: Path) -> bool:
    """The bundle there was made from the pinned packages and written whole (see vega_bundle_header)."""
    try:
        with path.open("rb") as handle:
            first = handle.readline().decode("utf-8", "replace").rstrip("\n")
            handle.seek(-6, 2)
            last = handle.read()
    except OSError:
        return False
    return first == render.vega_bundle_header() and last == b"})();\n"


def stage_assets(txn: Transaction, root: Path) -> None:
    """The offline Vega bundle and the charts' font files, into _static/ (never from a CDN)."""
    if not _bundle_is_current(root / VEGA_BUNDLE):
        txn.write(root / VEGA_BUNDLE, render.vega_bundle())
    for font in render.font_files():
        txn.write(root / FONTS / font.name, font.read_bytes())


def stage_derived(txn: Transaction, root: Path, prepared: Prepared) -> None:
    """What derives from the records alone: assets, `_toc.yml`, the bibliography, the pages."""
    stage_assets(txn, root)
    txn.write(root / registry.TOC_FILE, toc.toc_text(prepared.entries, prepared.records, root))
    txn.write(root / registry.BIBLIOGRAPHY, bibliography.references_bib(prepared.good))
    for path, text in pages.generated(root, prepared.good).items():
        txn.write(root / path, text)


def scratch_jobs(root: Path, prepared: Prepared, scratch: Path, only: set[Path] | None = None) -> list[Job]:
    """The book's jobs, run in the project's chapters/ but written below `scratch`."""
    jobs = []
    for job in toc.chapter_jobs(root, prepared.entries, prepared.records):
        if only is not None and job.output not in only:
            continue
        if job.parameters.get("source_id") in prepared.errors:
            continue
        jobs.append(Job(job.template, scratch / job.output.relative_to(root), job.parameters,
                        job.heading, cwd=job.output.parent))
    return jobs


def execute_stale(
    root: Path, prepared: Prepared, scratch: Path, *, force: bool = False, jobs: int | None = None,
    report: Callable[[str], None] | None = None,
) -> list[Outcome]:
    """Re-execute the notebooks whose inputs changed (all with `force`) into `scratch`, in parallel."""
    to_run, reused = fingerprints.plan(root, prepared.entries, force=force)
    stale = {t.output: t.fingerprint for t in to_run}
    work = scratch_jobs(root, prepared, scratch, set(stale))
    stamps = {job.output: stale[root / job.output.relative_to(scratch)] for job in work}
    return runner.run_jobs(work, jobs, fingerprints=stamps, reused=len(reused), report=report)


def stage_outcomes(txn: Transaction, root: Path, scratch: Path, outcomes: list[Outcome]) -> None:
    """The notebooks that executed, over the committed ones (a failed one keeps its old notebook)."""
    for outcome in outcomes:
        if outcome.ok:
            txn.write(root / outcome.job.output.relative_to(scratch), outcome.job.output.read_bytes())


@dataclass
class Built:
    prepared: Prepared
    outcomes: list[Outcome] = field(default_factory=list)
    changed: int = 0


def build_project(
    root: Path, *, execute: bool = True, force: bool = False, jobs: int | None = None,
    report: Callable[[str], None] | None = None, prepared: Prepared | None = None,
) -> Built:
    """Prepare, execute what is stale (unless `execute` is False), and commit it all at once."""
    prepared = prepared or prepare(root)
    built = Built(prepared)
    with tempfile.TemporaryDirectory(prefix="livingreview-build-") as tmp:
        scratch = Path(tmp)
        if execute:
            built.outcomes = execute_stale(root, prepared, scratch, force=force, jobs=jobs, report=report)
        txn = Transaction(root, "build")
        stage_derived(txn, root, prepared)
        stage_outcomes(txn, root, scratch, built.outcomes)
        built.changed = txn.commit()
    return built


def unreadable_notebooks(root: Path) -> dict[str, str]:
    """Each notebook the toc names that cannot be read as one: docname -> one-line reason."""
    bad = {}
    for docname in toc_docnames(root):
        path = root / f"{docname}.ipynb"
        if not path.is_file():
            continue
        try:
            nbformat.validate(nbformat.read(path, as_version=4))
        except Exception as err:  # nbformat raises JSON, validation and attribute errors alike
            reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            bad[docname] = f"{type(err).__name__}: {reason[:160]}"
    return bad


def toc_docnames(root: Path) -> list[str]:
    """Every page `_toc.yml` names, root first."""
    data = yaml.safe_load((root / registry.TOC_FILE).read_text(encoding="utf-8")) or {}
    names = [data.get("root", registry.ROOT_PAGE)]
    for part in data.get("parts", []):
        names += [item["file"] for item in part.get("chapters", [])]
    return names


def _toc_without(root: Path, left_out: set[str]) -> Path:
    """A copy of `_toc.yml` in _build/ without the `left_out` pages."""
    data = yaml.safe_load((root / registry.TOC_FILE).read_text(encoding="utf-8"))
    for part in data.get("parts", []):
        part["chapters"] = [c for c in part["chapters"] if c["file"] not in left_out]
    data["parts"] = [p for p in data["parts"] if p["chapters"]]
    path = root / SITE_TOC
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def site(root: Path, log: Path | None = None, left_out: set[str] | frozenset = frozenset()) -> int:
    """Jupyter Book over the committed outputs, warnings as errors; its exit status.

    Pages in `left_out` (notebooks that cannot be read) are dropped from the toc it is given.
    """
    jb = Path(sys.executable).with_name("jupyter-book")
    command = [str(jb), "build", str(root), "-W", "-n", "--keep-going"]
    if left_out:
        command += ["--toc", str(_toc_without(root, set(left_out)))]
    if log is None:
        return subprocess.run(command, check=False).returncode
    with log.open("a", encoding="utf-8") as out:
        return subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, check=False).returncode
