"""The registry: the one hand-kept list of studies the book, toc and tests are driven from."""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml

REGISTRY_FILE = Path("data") / "registry.yaml"
# Where the book's other files live, relative to the project root.
DATA = Path("data")
SOURCES = DATA / "sources"
APPRAISALS = DATA / "appraisals"
CURATIONS = DATA / "curation"  # one reviewer-curation file per study (see book/curation.py)
CURATION_SUFFIX = ".yaml"
BIBLIOGRAPHY = DATA / "references.bib"
CHAPTERS = Path("chapters")
PAGES = Path("pages")
TOC_FILE = Path("_toc.yml")
CHAPTER_TEMPLATE = Path("templates") / "chapter.ipynb"
SYNTHESIS_TEMPLATE = Path("templates") / "synthesis.ipynb"
PATIENTS_TEMPLATE = Path("templates") / "patients.ipynb"
JOURNAL_DIR = Path(".livingreview")  # the change journal (see book/transaction.py)
SCREENING = DATA / "screening"  # search intake (see book/screening.py)
LEDGER_FILE = SCREENING / "records.csv"
SEARCHES_FILE = SCREENING / "searches.yaml"
EXPORTS = SCREENING / "exports"


@dataclass(frozen=True)
class FixedPage:
    """A page every edition of the book has, whatever the registry holds."""

    docname: str  # as in _toc.yml: the path without its suffix
    part: str  # the caption of the table-of-contents part it sits in ("" for the root page)
    template: Path | None = None  # notebook template it is executed from, if any
    generated: bool = False  # written at build time (pages/), never committed


#: The book's fixed pages, in reading order: the ONE list the table of contents, the
#: fingerprints, the executor, the build and the browser tests take them from.
FIXED_PAGES = (
    FixedPage("intro", ""),
    FixedPage(f"{CHAPTERS.as_posix()}/synthesis", "Synthesis", SYNTHESIS_TEMPLATE),
    FixedPage(f"{CHAPTERS.as_posix()}/patients", "Synthesis", PATIENTS_TEMPLATE),
    FixedPage(f"{PAGES.as_posix()}/search", "About the data", generated=True),
    FixedPage(f"{PAGES.as_posix()}/data", "About the data", generated=True),
    FixedPage(f"{PAGES.as_posix()}/whatsnew", "About the data", generated=True),
    FixedPage("references", "About the data"),
)
ROOT_PAGE = FIXED_PAGES[0].docname
DATA_PAGE = PAGES / "data.md"
WHATS_NEW_PAGE = PAGES / "whatsnew.md"
SEARCH_PAGE = PAGES / "search.md"
SYNTHESIS_PAGES = tuple(p.template for p in FIXED_PAGES if p.template is not None)
SYNTHESIS_NAMES = tuple(p.template.stem for p in FIXED_PAGES if p.template is not None)

# A study id names files (chapters/<id>.ipynb, data/appraisals/<id>.md): no separators, no dots first.

def curation_path(root: Path, study_id: str) -> Path:
    """Where a study's reviewer-curation file lives."""
    return Path(root) / CURATIONS / f"{study_id}{CURATION_SUFFIX}"


_SAFE_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*\Z")


class ProjectError(ValueError):
    """The project's own files are not as the book needs them (one line says which and why)."""


def project_root(start: str | os.PathLike | None = None) -> Path:
    """The folder holding `_config.yml` and the registry: $LIVINGREVIEW_ROOT, or up from `start`.

    A folder whose registry is missing but which holds a change journal counts too, so that
    the interrupted change can be rolled back.
    """
    if os.environ.get("LIVINGREVIEW_ROOT"):
        return Path(os.environ["LIVINGREVIEW_ROOT"]).resolve()
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "_config.yml").is_file() and (
            (folder / REGISTRY_FILE).is_file() or (folder / JOURNAL_DIR / "txn").is_dir()
        ):
            return folder
    raise ProjectError(f"{here}: not inside the living review (no _config.yml and {REGISTRY_FILE} here or above)")


def check_file_value(value: str) -> str | None:
    """Why a registry `file` value may not be used, or None: it must name a file below sources/."""
    if not value or "\0" in value or "\\" in value:
        return "is empty or holds a NUL or a backslash"
    path = PurePosixPath(value)
    if path.is_absolute():
        return "is an absolute path"
    if any(part in ("..", ".") for part in path.parts) or value.startswith("./"):
        return "climbs out of its folder ('..' or '.')"
    if len(path.parts) < 2 or path.parts[0] != SOURCES.name:
        return f"is not below {SOURCES.name}/"
    return None


@dataclass(frozen=True)
class Entry:
    """One registered source document and what reviewers wrote about it."""

    id: str
    file: str  # relative to data/
    sha256: str
    added: str  # ISO date the reviewer registered it
    origin: str = ""  # where the document came from, e.g. the seed's original file name

    @property
    def shown(self) -> str:
        """The source's path as records and messages give it: relative to the root, whatever the cwd."""
        return f"{DATA.as_posix()}/{self.file}"

    def source_path(self, root: Path) -> Path:
        """The registered source, checked to resolve inside data/sources (ProjectError if not)."""
        reason = check_file_value(self.file)
        if reason:
            raise ProjectError(f"{REGISTRY_FILE}: study {self.id}: file {self.file!r} {reason}; refused")
        path = Path(root) / DATA / self.file
        base = (Path(root) / SOURCES).resolve()
        try:
            resolved = path.resolve()
        except (OSError, RuntimeError):  # a symbolic link loop: reading it reports that
            return path
        if not resolved.is_relative_to(base):
            raise ProjectError(
                f"{REGISTRY_FILE}: study {self.id}: file {self.file!r} resolves outside {SOURCES}; refused")
        return path

    def appraisal_path(self, root: Path) -> Path:
        return Path(root) / APPRAISALS / f"{self.id}.md"

    def chapter_path(self, root: Path) -> Path:
        return Path(root) / CHAPTERS / f"{self.id}.ipynb"


def sha256_file(path: str | os.PathLike) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load(root: Path) -> list[Entry]:
    """Entries in registry order; a malformed registry is an error naming the file."""
    path = REGISTRY_FILE
    try:
        data = yaml.safe_load((root / path).read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ProjectError(f"{path}: missing") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise ProjectError(f"{path}: cannot be read ({type(err).__name__})") from None
    rows = data.get("studies") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise ProjectError(f"{path}: expected a top-level 'studies' list")
    entries = []
    for i, row in enumerate(rows):
        try:
            if not isinstance(row, dict):
                raise TypeError("not a mapping")
            entries.append(Entry(**{k: str(v) for k, v in row.items()}))
        except TypeError as err:
            raise ProjectError(f"{path}: study #{i + 1}: {err}") from None
        if not _SAFE_ID.match(entries[-1].id):
            raise ProjectError(f"{path}: study #{i + 1}: id {entries[-1].id!r} is not a safe file name")
        reason = check_file_value(entries[-1].file)
        if reason:
            raise ProjectError(f"{path}: study {entries[-1].id}: file {entries[-1].file!r} {reason}; refused")
    ids = [e.id for e in entries]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise ProjectError(f"{path}: duplicate ids {duplicated}")
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


def is_safe_id(study_id: str) -> bool:
    return bool(_SAFE_ID.match(study_id))
