"""Adding a paper to the review, or taking one out, as one all-or-nothing change.

Every file the change touches (the source copy, the registry, the
bibliography, a removed chapter) is first staged beside its target; only when
everything has been prepared are the files moved into place, and a failure
while moving puts back what was already moved. A refused or failed change
leaves the project tree exactly as it was.
"""
from __future__ import annotations

import datetime
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from livingreview.book import bibliography
from livingreview.book import registry
from livingreview.extract.document import SourceError
from livingreview.book.sources import extract
from livingreview.extract.record import schema_errors
from livingreview.book.registry import BIBLIOGRAPHY, CHAPTERS

SOURCES = "sources"  # below data/


class AddError(Exception):
    """A paper that cannot be added (or removed), with the reason a reviewer can act on."""


@dataclass(frozen=True)
class AddResult:
    entry: registry.Entry
    record: dict
    source: Path  # the registered copy, below data/sources/
    summary: str


@dataclass(frozen=True)
class RemoveResult:
    entry: registry.Entry
    removed: list[Path]
    kept: list[Path] = field(default_factory=list)  # e.g. the reviewer's appraisal


def summary(record: dict) -> str:
    """One line a reviewer reads after adding: what was found in the document."""
    n = record.get("n_patients")
    counts = Counter(ep["endpoint"] for ep in record.get("endpoints") or [])
    endpoints = ", ".join(f"{name} ×{k}" if k > 1 else name for name, k in counts.items())
    flags = "; ".join(f"{f['check']} ({f['severity']})" for f in record.get("flags") or [])
    kind = "" if record.get("is_primary_study") else ", not a primary study"
    return (
        f"{record['id']}: {record['source_format']}{kind}, design {record.get('design') or 'not stated'}, "
        f"n={n if n is not None else 'not stated'}; "
        f"endpoints: {endpoints or 'none found'}; flags: {flags or 'none'}"
    )


class _Staged:
    """File writes and deletions prepared aside, then applied together or not at all."""

    def __init__(self) -> None:
        self._ops: list[tuple[Path, str | None]] = []  # (target, staged temp file or None = delete)
        self._made_dirs: list[Path] = []

    def _temp_beside(self, target: Path, suffix: str) -> str:
        missing = [d for d in (target.parent, *target.parent.parents) if not d.exists()]
        target.parent.mkdir(parents=True, exist_ok=True)
        self._made_dirs.extend(reversed(missing))
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=suffix)
        os.close(fd)
        return tmp

    def write(self, target: Path, data: bytes) -> None:
        tmp = self._temp_beside(target, ".new")
        self._ops.append((target, tmp))
        Path(tmp).write_bytes(data)
        # mkstemp makes private files; keep the target's mode, or make an ordinary project file.
        os.chmod(tmp, target.stat().st_mode & 0o777 if target.exists() else 0o644)

    def delete(self, target: Path) -> None:
        if target.exists():
            self._ops.append((target, None))

    def discard(self) -> None:
        for _, tmp in self._ops:
            if tmp:
                Path(tmp).unlink(missing_ok=True)
        for folder in reversed(self._made_dirs):
            try:
                folder.rmdir()
            except OSError:
                pass
        self._ops, self._made_dirs = [], []

    def commit(self) -> None:
        moved: list[tuple[Path, str | None]] = []  # (target, backup of what it held)
        try:
            for target, tmp in self._ops:
                backup = None
                if target.exists():
                    backup = self._temp_beside(target, ".old")
                    try:
                        _replace(target, backup)
                    except BaseException:
                        Path(backup).unlink(missing_ok=True)
                        raise
                moved.append((target, backup))
                if tmp is not None:
                    _replace(tmp, target)
        except BaseException:
            for target, backup in reversed(moved):
                if backup is not None:
                    os.replace(backup, target)
                else:
                    target.unlink(missing_ok=True)
            self.discard()
            raise
        for _, backup in moved:
            if backup is not None:
                Path(backup).unlink(missing_ok=True)
        self._ops, self._made_dirs = [], []


def _replace(src, dst) -> None:
    """os.replace, named so that a test can make one step of a commit fail."""
    os.replace(src, dst)


def _entries(root: Path) -> list[registry.Entry]:
    return registry.load(root) if (root / registry.REGISTRY_FILE).is_file() else []


def _records(root: Path, entries: list[registry.Entry]) -> dict[str, dict]:
    """Records of the registered sources that can still be read (the others cannot be cited)."""
    out = {}
    for entry in entries:
        try:
            out[entry.id] = extract(str(entry.source_path(root)))
        except (SourceError, OSError):
            continue
    return out


def _iso(today: datetime.date | str | None) -> str:
    if today is None:
        return datetime.date.today().isoformat()
    return today if isinstance(today, str) else today.isoformat()


def _duplicate(record: dict, digest: str, entries, records) -> str | None:
    """Why the document is already in the review, or None."""
    for entry in entries:
        if entry.sha256 == digest:
            return f"its content is identical to registered study {entry.id} ({entry.file})"
    doi = (record.get("doi") or "").lower()
    for study_id, existing in records.items():
        if doi and (existing.get("doi") or "").lower() == doi:
            return f"its DOI {doi} is that of registered study {study_id}"
    if any(e.id == record["id"] for e in entries):
        return f"a study with id {record['id']} is already registered"
    return None


def add_paper(
    root: Path, path: str | os.PathLike, *, allow_non_study: bool = False,
    today: datetime.date | str | None = None,
) -> AddResult:
    """Extract, check and register one source document; AddError (tree unchanged) if refused."""
    root, path = Path(root), Path(path)
    try:
        record = extract(str(path))
    except SourceError as err:
        raise AddError(f"{path}: not added: {err.reason}") from err
    problems = schema_errors(record)
    if problems:
        raise AddError(f"{path}: not added: its record breaks the schema: {'; '.join(problems)}")
    if not record["is_primary_study"] and not allow_non_study:
        raise AddError(
            f"{path}: not added: it is not a primary study (no endpoints are taken from it); "
            "add it with --allow-non-study to list it under 'Other documents'"
        )
    entries = _entries(root)
    records = _records(root, entries)
    digest = registry.sha256_file(path)
    reason = _duplicate(record, digest, entries, records)
    if reason:
        raise AddError(f"{path}: not added: {reason}")
    relative = f"{SOURCES}/{record['id']}{path.suffix or '.txt'}"
    target = root / "data" / relative
    if target.exists():
        raise AddError(f"{path}: not added: {target} already exists but is not registered")

    entry = registry.Entry(record["id"], relative, digest, _iso(today), path.name)
    staged = _Staged()
    try:
        staged.write(target, path.read_bytes())
        staged.write(root / registry.REGISTRY_FILE, registry.dump([*entries, entry]).encode())
        bib = bibliography.references_bib([*records.values(), record])
        staged.write(root / BIBLIOGRAPHY, bib.encode())
    except BaseException:
        staged.discard()
        raise
    staged.commit()
    return AddResult(entry, record, target, summary(record))


def remove_paper(root: Path, study_id: str) -> RemoveResult:
    """Unregister a study: its source copy, registry row and chapter go; its appraisal stays."""
    root = Path(root)
    entries = _entries(root)
    try:
        entry = registry.find(entries, study_id)
    except KeyError:
        raise AddError(f"no study with id {study_id!r} is registered") from None
    remaining = [e for e in entries if e.id != study_id]
    doomed = [p for p in (entry.source_path(root), root / CHAPTERS / f"{study_id}.ipynb") if p.exists()]
    staged = _Staged()
    try:
        for path in doomed:
            staged.delete(path)
        staged.write(root / registry.REGISTRY_FILE, registry.dump(remaining).encode())
        bib = bibliography.references_bib(list(_records(root, remaining).values()))
        staged.write(root / BIBLIOGRAPHY, bib.encode())
    except BaseException:
        staged.discard()
        raise
    staged.commit()
    appraisal = entry.appraisal_path(root)
    return RemoveResult(entry, doomed, [appraisal] if appraisal.exists() else [])
