"""Building the book: prepare the records, execute what is stale, commit every write at once, render.

`python -m livingreview build` runs all the steps; the book benchmark times them apart. Notebooks
are executed into a scratch folder; the chapters that succeeded, the table of contents, the
bibliography, the generated pages and the static assets are then written in ONE transaction
(`book/transaction.py`), so a kill at any moment leaves the project as it was or as built.
"""
from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import nbformat
import yaml

from livingreview.analysis import memo
from livingreview.book import bibliography
from livingreview.book import cache
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
SHARDS = Path("_build") / "shards"  # each shard's list of the notebooks it executed (for CI artifacts)


class ShardError(ValueError):
    """A `--shard` value that is not I/N with 1 <= I <= N."""


@dataclass(frozen=True)
class Shard:
    """Shard `index` of `count` (1-based): the stale notebooks whose name hashes to it.

    The share is a hash of the notebook's name, not its place in a list, so it does not move
    when papers are added and a shard run after another in the same tree (whose notebooks
    are then fresh) still takes exactly its own. Every notebook, the synthesis pages too,
    depends only on the sources and registry a shard's checkout holds, never on another
    notebook's output, so any shard may run any of them.
    """

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> "Shard":
        found = re.fullmatch(r"([0-9]{1,4})/([0-9]{1,4})", text.strip())
        if not found or not 1 <= int(found[1]) <= int(found[2]):
            raise ShardError(f"--shard {text!r}: expected I/N with 1 <= I <= N, such as 2/4")
        return cls(int(found[1]), int(found[2]))

    def owns(self, notebook: Path) -> bool:
        """Whether the notebook named `notebook` (any folder: only the name counts) is this shard's."""
        digest = hashlib.sha256(Path(notebook).name.encode("utf-8")).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.index - 1

    @property
    def listing(self) -> Path:
        """Where this shard lists the notebooks it executed, relative to the root."""
        return SHARDS / f"{self.index}-of-{self.count}.txt"

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


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
    report: Callable[[str], None] | None = None, shard: Shard | None = None,
) -> list[Outcome]:
    """Re-execute the notebooks whose inputs changed (all with `force`) into `scratch`, in parallel.

    With `shard`, only the stale notebooks that shard owns; the others are left as they are.
    """
    to_run, reused = fingerprints.plan(root, prepared.entries, force=force)
    if shard is not None:
        to_run = [t for t in to_run if shard.owns(t.output)]
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


def shard_listing(root: Path, outcomes: list[Outcome], scratch: Path) -> str:
    """The notebooks that executed, one relative POSIX path a line, sorted (what CI uploads)."""
    done = sorted((root / o.job.output.relative_to(scratch)).relative_to(root).as_posix()
                  for o in outcomes if o.ok)
    return "".join(f"{path}\n" for path in done)


def _prepare_into_store(root: Path) -> Prepared:
    """`prepare`, with the project's results store installed meanwhile: every curated record is
    then in the store before the kernels start, so a page kernel reads its records from there and
    never imports the extractor (unless $LIVINGREVIEW_CACHE is off)."""
    saved = memo.installed()
    cache.install(root)
    try:
        return prepare(root)
    finally:
        memo.install(saved)


def build_project(
    root: Path, *, execute: bool = True, force: bool = False, jobs: int | None = None,
    report: Callable[[str], None] | None = None, prepared: Prepared | None = None,
    shard: Shard | None = None,
) -> Built:
    """Prepare, execute what is stale (unless `execute` is False), and commit it all at once.

    With `shard`, only that shard's share of the stale notebooks runs, and the list of those
    that executed is written to `shard.listing` in the same transaction.
    """
    prepared = prepared or (_prepare_into_store(root) if execute else prepare(root))
    built = Built(prepared)
    with tempfile.TemporaryDirectory(prefix="livingreview-build-") as tmp:
        scratch = Path(tmp)
        if execute:
            built.outcomes = execute_stale(root, prepared, scratch, force=force, jobs=jobs,
                                           report=report, shard=shard)
        txn = Transaction(root, "build")
        stage_derived(txn, root, prepared)
        stage_outcomes(txn, root, scratch, built.outcomes)
        if shard is not None:
            txn.write(root / shard.listing, shard_listing(root, built.outcomes, scratch))
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
    # In the project: MyST resolves a {download} path against the working directory.
    if log is None:
        return subprocess.run(command, cwd=root, check=False).returncode
    with log.open("a", encoding="utf-8") as out:
        return subprocess.run(command, cwd=root, stdout=out, stderr=subprocess.STDOUT, check=False).returncode
