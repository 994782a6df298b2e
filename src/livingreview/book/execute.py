"""Executing chapter notebooks with papermill, reproducibly and atomically.

Papermill is the book's one executor. Each chapter is executed from its
template into a temporary file, stripped of everything that changes from
run to run (timestamps, durations), and only then moved over the committed
notebook, so a failed run never leaves a half-written chapter.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from livingreview.book.transaction import write_atomically

if TYPE_CHECKING:  # the kernels import this module (loading -> toc -> Job) and never execute
    import nbformat

VOLATILE_NOTEBOOK_KEYS = ("papermill", "widgets")
VOLATILE_CELL_KEYS = ("papermill", "execution")


@dataclass(frozen=True)
class Job:
    """One notebook to produce: from which template, with which parameters."""

    template: Path
    output: Path
    parameters: dict
    heading: str | None = None  # Markdown for the page's title cell, source text already escaped
    cwd: Path | None = None  # where the notebook runs (default: beside its output)

    @property
    def workdir(self) -> Path:
        return self.cwd if self.cwd is not None else self.output.parent


@dataclass(frozen=True)
class Outcome:
    job: Job
    ok: bool
    error: str = ""
    seconds: float = 0.0  # wall time of the job in its worker (read by the book benchmark)


def normalise(nb: nbformat.NotebookNode, heading: str | None = None) -> nbformat.NotebookNode:
    """Drop run-dependent metadata so executing twice gives identical bytes.

    Also hides papermill's injected parameters cell and, when given, sets the
    page title (the first Markdown cell) to `heading`.
    """
    for key in VOLATILE_NOTEBOOK_KEYS:
        nb.metadata.pop(key, None)
    executed = 0
    for cell in nb.cells:
        for key in VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
        cell.pop("id", None)
        if cell.cell_type == "code" and cell.get("execution_count") is not None:
            executed += 1
            cell.execution_count = executed  # a reused kernel keeps counting; a fresh one starts at 1
            for output in cell.get("outputs", []):
                if "execution_count" in output:
                    output["execution_count"] = executed
        tags = cell.metadata.get("tags", [])
        if "injected-parameters" in tags and "remove-cell" not in tags:
            cell.metadata["tags"] = [*tags, "remove-cell"]
    if heading is not None:
        first = next(c for c in nb.cells if c.cell_type == "markdown")
        first.source = f"# {heading}"
    nb.nbformat_minor = 4  # cell ids (4.5) are random per execution; 4.4 has none
    return nb


def _error_line(err: Exception) -> str:
    evalue = getattr(err, "evalue", None)
    ename = getattr(err, "ename", None)
    if evalue:
        return f"{ename}: {evalue}" if ename and ename != "SourceError" else str(evalue)
    return str(err).strip().splitlines()[-1] if str(err).strip() else type(err).__name__


def run(job: Job, kernel=None) -> Outcome:
    """Execute one job; on success replace its output, on failure keep the old one.

    `kernel` is an already started kernel manager to execute in (see
    `runner`); by default papermill starts and stops a fresh one.
    """
    import nbformat  # here, not at the top: every notebook's kernel imports Job, not papermill
    import papermill

    job.output.parent.mkdir(parents=True, exist_ok=True)
    job.workdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="livingreview-") as tmpdir:
        scratch = Path(tmpdir) / job.output.name
        try:
            papermill.execute_notebook(
                str(job.template),
                str(scratch),
                parameters=job.parameters,
                cwd=str(job.workdir),
                kernel_name="python3",
                progress_bar=False,
                log_output=False,
                # Saved once at the end, not before and after every cell: each save serialises
                # the whole notebook so far (the synthesis's is megabytes and grows with the
                # review), about a second of the synthesis page at 60 papers.
                request_save_on_cell_execute=False,
                **({"km": kernel} if kernel is not None else {}),
            )
        except Exception as err:  # papermill wraps the cell's exception
            return Outcome(job, False, _error_line(err))
        nb = normalise(nbformat.read(scratch, as_version=4), job.heading)
        write_atomically(job.output, nbformat.writes(nb) + "\n")
    return Outcome(job, True)
