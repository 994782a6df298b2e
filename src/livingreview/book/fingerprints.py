"""Incremental rebuilds: which notebooks are out of date with what they were built from.

Each output notebook carries, in its own metadata, a fingerprint of every input
it was executed from (``nb.metadata["livingreview"]["inputs"]``). The stamp
travels with the committed notebook, so a clean clone knows what is up to date
without any cache directory. A notebook is reused only when its stamp equals
the fingerprint of the current inputs.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from livingreview.book import curation, curves, registry

from livingreview.book.registry import CHAPTER_TEMPLATE, CHAPTERS, SYNTHESIS_PAGES, SYNTHESIS_TEMPLATE
PACKAGE = Path("src") / "livingreview"
REQUIREMENTS = ("requirements.txt", "constraints.txt")
METADATA_KEY = "livingreview"
MISSING = hashlib.sha256(b"missing").hexdigest()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_hash(path: Path) -> str:
    """sha256 of a file's bytes, or of the word "missing" when there is no such file."""
    return registry.sha256_file(path) if path.is_file() else MISSING


def row_hash(entry: registry.Entry) -> str:
    """sha256 of a registry row's canonical serialisation (sorted-key JSON)."""
    return _sha(json.dumps(dataclasses.asdict(entry), sort_keys=True).encode())


def package_hash(root: Path) -> str:
    """All the package's code and data files, by relative path, hashed together."""
    base = root / PACKAGE
    files = [p for pattern in ("*.py", "*.json") for p in base.rglob(pattern) if p.is_file()]
    digest = hashlib.sha256()
    for path in sorted(files, key=lambda p: p.relative_to(base).as_posix()):
        digest.update(path.relative_to(base).as_posix().encode() + b"\0")
        digest.update(registry.sha256_file(path).encode() + b"\n")
    return digest.hexdigest()


def requirements_hash(root: Path) -> str:
    return _sha("".join(f"{name}:{file_hash(root / name)}\n" for name in REQUIREMENTS).encode())


def curves_hash(root: Path, study_id: str) -> str:
    """The files of a study's digitised figures (data/curves/<id>/), by name, hashed together."""
    return _sha("".join(f"{p.name}:{file_hash(p)}\n" for p in curves.study_files(root, study_id)).encode())


def shared_inputs(root: Path) -> dict[str, str]:
    """Inputs every notebook depends on: the package code and the pinned environment."""
    return {"package": package_hash(root), "requirements": requirements_hash(root)}


def structured_appraisal_path(root: Path, entry: registry.Entry) -> Path:
    """A study's risk-of-bias and GRADE file, beside its prose appraisal."""
    return Path(root) / registry.APPRAISALS / f"{entry.id}.yaml"


def chapter_inputs(root: Path, entry: registry.Entry, shared: dict | None = None) -> dict[str, str]:
    """What one study's chapter is built from, each as a sha256."""
    return {
        "source": file_hash(entry.source_path(root)),
        "registry_row": row_hash(entry),
        "appraisal": file_hash(entry.appraisal_path(root)),
        "structured_appraisal": file_hash(structured_appraisal_path(root, entry)),
        "curves": curves_hash(root, entry.id),
        "curation": file_hash(curation.path_for(root, entry.id)),
        "template": file_hash(root / CHAPTER_TEMPLATE),
        **(shared or shared_inputs(root)),
    }


def synthesis_inputs(
    root: Path,
    entries: list[registry.Entry],
    template: Path = SYNTHESIS_TEMPLATE,
    shared: dict | None = None,
) -> dict[str, str]:
    """What a synthesis page is built from: every source, registry row, structured appraisal
    (risk of bias, GRADE flags and overrides) and curation, and its template; the synthesis page
    also every registered study's digitised figures (the patient page shows none)."""
    sources = "".join(f"{e.id}:{file_hash(e.source_path(root))}\n" for e in entries)
    rows = "".join(f"{row_hash(e)}\n" for e in entries)
    appraisals = "".join(f"{e.id}:{file_hash(structured_appraisal_path(root, e))}\n" for e in entries)
    curations = "".join(f"{e.id}:{file_hash(curation.path_for(root, e.id))}\n" for e in entries)
    inputs = {
        "sources": _sha(sources.encode()),
        "registry": _sha(rows.encode()),
        "appraisals": _sha(appraisals.encode()),
        "curations": _sha(curations.encode()),
        "template": file_hash(root / template),
        **(shared or shared_inputs(root)),
    }
    if Path(template) == SYNTHESIS_TEMPLATE:
        inputs["curves"] = _sha("".join(f"{e.id}:{curves_hash(root, e.id)}\n" for e in entries).encode())
    return inputs


def fingerprint(inputs: dict[str, str]) -> str:
    """One sha256 standing for all of a notebook's inputs (order of the dict does not matter)."""
    return _sha(json.dumps(inputs, sort_keys=True).encode())


def stamp(nb, fingerprint_: str):
    """Record the inputs' fingerprint in the notebook's metadata (in place; returns `nb`)."""
    nb["metadata"].setdefault(METADATA_KEY, {})["inputs"] = fingerprint_
    return nb


def stamp_of(notebook_path: Path) -> str | None:
    """The fingerprint a notebook was stamped with, or None (no file, not a notebook, no stamp)."""
    try:
        nb = json.loads(Path(notebook_path).read_text(encoding="utf-8"))
        value = nb["metadata"][METADATA_KEY]["inputs"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return value if isinstance(value, str) else None


def is_fresh(notebook_path: Path, fingerprint_: str) -> bool:
    return stamp_of(notebook_path) == fingerprint_


def stamp_file(notebook_path: Path, fingerprint_: str) -> None:
    """Stamp an already written notebook, atomically (for executors that cannot stamp in memory)."""
    import nbformat

    from livingreview.book.transaction import write_atomically

    nb = nbformat.read(notebook_path, as_version=4)
    write_atomically(Path(notebook_path), nbformat.writes(stamp(nb, fingerprint_)) + "\n")


@dataclass(frozen=True)
class Target:
    """One output notebook and the fingerprint of the inputs it must be built from."""

    output: Path
    fingerprint: str
    inputs: dict
    study_id: str | None = None  # None for the synthesis pages


def targets(root: Path, entries: list[registry.Entry]) -> list[Target]:
    """Every notebook the book is built from, chapters in registry order, then synthesis pages."""
    shared = shared_inputs(root)
    out = []
    for entry in entries:
        inputs = chapter_inputs(root, entry, shared)
        out.append(Target(root / CHAPTERS / f"{entry.id}.ipynb", fingerprint(inputs), inputs, entry.id))
    for template in SYNTHESIS_PAGES:
        if (root / template).is_file():
            inputs = synthesis_inputs(root, entries, template, shared)
            out.append(Target(root / CHAPTERS / template.name, fingerprint(inputs), inputs))
    return out


def plan(
    root: Path, entries: list[registry.Entry], force: bool = False
) -> tuple[list[Target], list[Target]]:
    """Split the book's notebooks into (to run, reused); `force` runs them all."""
    to_run, reused = [], []
    for target in targets(root, entries):
        fresh = not force and is_fresh(target.output, target.fingerprint)
        (reused if fresh else to_run).append(target)
    return to_run, reused
