"""The registry: the one hand-kept list of studies the book, toc and tests are driven from."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

REGISTRY_FILE = Path("data") / "registry.yaml"
# Where the book's other files live, relative to the project root.
BIBLIOGRAPHY = Path("data") / "references.bib"
CHAPTERS = Path("chapters")
CHAPTER_TEMPLATE = Path("templates") / "chapter.ipynb"
SYNTHESIS_TEMPLATE = Path("templates") / "synthesis.ipynb"
PATIENTS_TEMPLATE = Path("templates") / "patients.ipynb"
SYNTHESIS_PAGES = (SYNTHESIS_TEMPLATE, PATIENTS_TEMPLATE)


def project_root(start: str | os.PathLike | None = None) -> Path:
    """The folder holding `_config.yml` and the registry: $LIVINGREVIEW_ROOT, or up from `start`."""
    if os.environ.get("LIVINGREVIEW_ROOT"):
        return Path(os.environ["LIVINGREVIEW_ROOT"]).resolve()
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "_config.yml").is_file() and (folder / REGISTRY_FILE).is_file():
            return folder
    raise FileNotFoundError(f"{here}: not inside the living review (no _config.yml and {REGISTRY_FILE})")


@dataclass(frozen=True)
class Entry:
    """One registered source document and what reviewers wrote about it."""

    id: str
    file: str  # relative to data/
    sha256: str
    added: str  # ISO date the reviewer registered it
    origin: str = ""  # where the document came from, e.g. the seed's original file name

    def source_path(self, root: Path) -> Path:
        return root / "data" / self.file

    def appraisal_path(self, root: Path) -> Path:
        return root / "data" / "appraisals" / f"{self.id}.md"


def sha256_file(path: str | os.PathLike) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load(root: Path) -> list[Entry]:
    """Entries in registry order; a malformed registry is an error naming the file."""
    path = root / REGISTRY_FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    rows = data.get("studies")
    if not isinstance(rows, list):
        raise ValueError(f"{path}: expected a top-level 'studies' list")
    entries = []
    for i, row in enumerate(rows):
        try:
            entries.append(Entry(**{k: str(v) for k, v in row.items()}))
        except TypeError as err:
            raise ValueError(f"{path}: study #{i + 1}: {err}") from None
    ids = [e.id for e in entries]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise ValueError(f"{path}: duplicate ids {duplicated}")
    return entries


def dump(entries: list[Entry]) -> str:
    """The registry text for these entries (stable key order, one block per study)."""
    rows = [
        {"id": e.id, "file": e.file, "sha256": e.sha256, "added": e.added, "origin": e.origin}
        for e in entries
    ]
    header = (
        "# Studies in the living review, in reading order. Hand-kept: add with\n"
        "# `python -m livingreview add PATH`; sha256 pins each source byte for byte.\n"
    )
    return header + yaml.safe_dump({"studies": rows}, sort_keys=False, allow_unicode=True)


def find(entries: list[Entry], study_id: str) -> Entry:
    for entry in entries:
        if entry.id == study_id:
            return entry
    raise KeyError(f"no study with id {study_id!r} in {REGISTRY_FILE}")
