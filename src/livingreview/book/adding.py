"""Adding a paper to the review, or taking one out, as one all-or-nothing change.

Every file the change touches (the source copy, the registry, the
bibliography, the table of contents, a removed chapter) is staged in one
`transaction.Transaction` and committed through its journal: a refusal, a
failure or a kill at any instant leaves the project tree exactly as it was
(or, once committed, exactly as the change makes it).
"""
from __future__ import annotations

import datetime
import hashlib
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from livingreview.book import curves
from livingreview.book import bibliography
from livingreview.book import registry
from livingreview.book import toc
from livingreview.book.transaction import Transaction
from livingreview.extract.document import SourceError
from livingreview.book.sources import extract, one_document, read_bytes
from livingreview.extract.record import build_record
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


def _entries(root: Path) -> list[registry.Entry]:
    return registry.load(root) if (root / registry.REGISTRY_FILE).is_file() else []


def _records(root: Path, entries: list[registry.Entry]) -> dict[str, dict]:
    """Records of the registered sources that can still be read (the others cannot be cited)."""
    out = {}
    for entry in entries:
        try:
            out[entry.id] = extract(entry.source_path(root), entry.shown)
        except (SourceError, OSError, registry.ProjectError):
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
        raw = read_bytes(path)
    except SourceError as err:
        raise AddError(f"{path}: not added: {err.reason}") from err
    txn = Transaction(root, "add")
    result = stage_add(txn, root, raw, str(path), path.suffix or ".txt", allow_non_study=allow_non_study,
                       today=today, origin=path.name)
    txn.commit()
    return result


def stage_add(
    txn: Transaction, root: Path, raw: bytes, shown: str, suffix: str, *, origin: str,
    allow_non_study: bool = False, today: datetime.date | str | None = None,
) -> AddResult:
    """Check one source document's bytes and stage its registration in `txn` (the one way a
    paper is registered: `add`, and `screen ... include`); AddError, nothing staged, if refused."""
    root = Path(root)
    try:
        record = build_record(one_document(raw, shown))
    except SourceError as err:
        raise AddError(f"{shown}: not added: {err.reason}") from err
    problems = schema_errors(record)
    if problems:
        raise AddError(f"{shown}: not added: its record breaks the schema: {'; '.join(problems)}")
    if not record["is_primary_study"] and not allow_non_study:
        raise AddError(
            f"{shown}: not added: it is not a primary study (no endpoints are taken from it); "
            "add it with --allow-non-study to list it under 'Other documents'"
        )
    entries = _entries(root)
    records = _records(root, entries)
    digest = hashlib.sha256(raw).hexdigest()
    reason = _duplicate(record, digest, entries, records)
    if reason:
        raise AddError(f"{shown}: not added: {reason}")
    relative = f"{SOURCES}/{record['id']}{suffix}"
    target = root / "data" / relative
    if target.exists():
        raise AddError(f"{shown}: not added: {target} already exists but is not registered")

    if not registry.is_safe_id(record["id"]):
        raise AddError(f"{shown}: not added: its id {record['id']!r} is not a safe file name")
    entry = registry.Entry(record["id"], relative, digest, _iso(today), origin)
    txn.write(target, raw)
    txn.write(root / registry.REGISTRY_FILE, registry.dump([*entries, entry]))
    txn.write(root / BIBLIOGRAPHY, bibliography.references_bib([*records.values(), record]))
    stage_toc(txn, root, [*entries, entry], {**records, entry.id: record})
    return AddResult(entry, record, target, summary(record))


def stage_toc(txn: Transaction, root: Path, entries: list[registry.Entry], records: dict) -> None:
    """Stage `_toc.yml` for these entries in the same change (a stale toc is never left behind)."""
    txn.write(root / registry.TOC_FILE, toc.toc_text(entries, records, root))


def remove_paper(root: Path, study_id: str) -> RemoveResult:
    """Unregister a study: its source copy, registry row and chapter go; its appraisal and its
    digitised figures (data/curves/<id>/), a reviewer's work, stay."""
    root = Path(root)
    entries = _entries(root)
    try:
        entry = registry.find(entries, study_id)
    except KeyError:
        raise AddError(f"no study with id {study_id!r} is registered") from None
    remaining = [e for e in entries if e.id != study_id]
    try:
        source = entry.source_path(root)  # refused before anything is deleted if it points outside
    except registry.ProjectError as err:
        raise AddError(f"{study_id} not removed: {err}") from None
    doomed = [p for p in (source, entry.chapter_path(root)) if os.path.lexists(p)]
    txn = Transaction(root, "remove")
    for path in doomed:
        txn.delete(path)
    txn.write(root / registry.REGISTRY_FILE, registry.dump(remaining))
    records = _records(root, remaining)
    txn.write(root / BIBLIOGRAPHY, bibliography.references_bib(list(records.values())))
    stage_toc(txn, root, remaining, records)
    txn.commit()
    kept = [entry.appraisal_path(root), root / curves.CURVES_DIR / entry.id]
    return RemoveResult(entry, doomed, [p for p in kept if p.exists()])
