"""Search intake: `import` a MEDLINE or RIS export into the screening ledger, `screen` its records.

Files, below data/screening/:
- `searches.yaml`: one item per search (number, date, database, query, records_found, and the
  export kept byte for byte in `exports/` with its sha256);
- `records.csv`: the ledger, one row per record found (`analysis.screening.Row`), with status
  pending, duplicate (the id it repeats in `reason`), included or excluded.

Each command is one `Transaction`: refused (one line, `ScreeningError` or `ProjectError`) or
applied whole. Including a record that carries its abstract registers that record on its own
(a one-record .nbib or .ris, cut from the kept export) through `adding.stage_add`, the one way a
paper is registered. The search date comes from `--date` or a YYYY-MM-DD in the export's file
name, never from the clock.
"""
from __future__ import annotations

import csv
import datetime
import hashlib
import io
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from livingreview.analysis.screening import (
    STAGES, STATUSES, FlowCounts, Identity, Row, Search, duplicate_of, flow_counts, next_id,
)
from livingreview.book import adding
from livingreview.book import registry
from livingreview.book.registry import EXPORTS, LEDGER_FILE, SCREENING, SEARCHES_FILE, ProjectError
from livingreview.book.sources import read_bytes, read_source
from livingreview.book.transaction import Transaction
from livingreview.extract.document import Document, SourceError
from livingreview.extract.readers import decode_bytes, medline, normalise, ris
from livingreview.extract.record import build_record
from livingreview.present import prisma

COLUMNS = ("id", "source", "title", "doi", "pmid", "year", "status", "reason", "search", "stage", "study")
SEARCH_KEYS = ("number", "date", "database", "query", "records_found", "export", "sha256")
EXPORT_FORMATS = {"medline_nbib": ".nbib", "ris": ".ris"}
_ID = re.compile(r"S\d{4,}\Z")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4}-\d{2}-\d{2})(?!\d)")
_SHA256 = re.compile(r"[0-9a-f]{64}\Z")
_RIS_TAG = re.compile(r"^[A-Z][A-Z0-9]  - ?")
_MEDLINE_LINE = re.compile(r"^(?:[A-Z][A-Z0-9]{1,3} {0,3}- ?.*| .*|)$")


class ScreeningError(Exception):
    """An import or screening decision refused, with the reason a reviewer can act on."""


# ------------------------------------------------------------------- the files

def _ledger_error(line: int, reason: str) -> ProjectError:
    return ProjectError(f"{LEDGER_FILE}: line {line}: {reason}")


def parse_ledger(text: str) -> list[Row]:
    """The ledger's rows; ProjectError naming the file, the line and the reason if malformed."""
    try:
        lines = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as err:
        raise ProjectError(f"{LEDGER_FILE}: not valid CSV ({err})") from None
    if not lines:
        return []
    if tuple(lines[0]) != COLUMNS:
        raise _ledger_error(1, f"expected the header {','.join(COLUMNS)}")
    rows, seen = [], set()
    for number, cells in enumerate(lines[1:], start=2):
        if not cells:
            continue
        if len(cells) != len(COLUMNS):
            raise _ledger_error(number, f"{len(cells)} fields, expected {len(COLUMNS)}")
        values = dict(zip(COLUMNS, cells))
        if not _ID.match(values["id"]):
            raise _ledger_error(number, f"id {values['id']!r} is not S followed by four or more digits")
        if values["id"] in seen:
            raise _ledger_error(number, f"id {values['id']} appears twice")
        seen.add(values["id"])
        if values["status"] not in STATUSES:
            raise _ledger_error(number, f"status {values['status']!r} is not one of {', '.join(STATUSES)}")
        if not values["title"].strip():
            raise _ledger_error(number, "the record has no title")
        if not values["search"].isdigit():
            raise _ledger_error(number, f"search {values['search']!r} is not a search number")
        if values["status"] in ("duplicate", "excluded") and not values["reason"].strip():
            raise _ledger_error(number, f"a {values['status']} record needs a reason")
        expected_stage = STAGES if values["status"] == "excluded" else ("",)
        if values["stage"] not in expected_stage:
            raise _ledger_error(number, f"stage {values['stage']!r} does not fit status {values['status']}"
                                        f" (expected {' or '.join(repr(s) for s in expected_stage)})")
        if values["study"] and values["status"] != "included":
            raise _ledger_error(number, "only an included record names a registered study")
        if values["pmid"] and not values["pmid"].isdigit():
            raise _ledger_error(number, f"pmid {values['pmid']!r} is not a number")
        rows.append(Row(**{**values, "search": int(values["search"])}))
    return rows


def dump_ledger(rows: list[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in sorted(rows, key=lambda r: int(r.id[1:])):
        writer.writerow(str(getattr(row, c)) for c in COLUMNS)
    return out.getvalue()


def _search_error(index: int, reason: str) -> ProjectError:
    return ProjectError(f"{SEARCHES_FILE}: search #{index}: {reason}")


def parse_searches(text: str) -> list[Search]:
    """The search log; ProjectError naming the file, the search and the reason if malformed."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ProjectError(f"{SEARCHES_FILE}: not valid YAML{where}") from None
    if data is None:
        return []
    if not isinstance(data, dict) or set(data) != {"searches"} or not isinstance(data["searches"], list):
        raise ProjectError(f"{SEARCHES_FILE}: expected one top-level key, 'searches', holding a list")
    searches = []
    for index, item in enumerate(data["searches"], start=1):
        if not isinstance(item, dict):
            raise _search_error(index, "not a mapping")
        unknown = sorted(str(k) for k in item if k not in SEARCH_KEYS)
        if unknown:
            raise _search_error(index, f"unknown key {unknown[0]!r} (known: {', '.join(SEARCH_KEYS)})")
        missing = [k for k in SEARCH_KEYS if k not in item]
        if missing:
            raise _search_error(index, f"missing key {missing[0]!r}")
        if item["number"] != index or isinstance(item["number"], bool):
            raise _search_error(index, f"number {item['number']!r}: searches are numbered 1, 2, ... in order")
        date = item["date"].isoformat() if isinstance(item["date"], datetime.date) else str(item["date"])
        reason = date_problem(date)
        if reason:
            raise _search_error(index, f"date {date!r} {reason}")
        found = item["records_found"]
        if not isinstance(found, int) or isinstance(found, bool) or found < 0:
            raise _search_error(index, f"records_found {found!r} is not a count")
        for key in ("database", "query", "export", "sha256"):
            if not isinstance(item[key], str):
                raise _search_error(index, f"{key} is not text")
        if not item["database"].strip():
            raise _search_error(index, "database is empty")
        export = Path(item["export"])
        if (export.parent != Path(EXPORTS.name) or export.name in ("", ".", "..")
                or "\\" in item["export"] or "\0" in item["export"]):
            raise _search_error(index, f"export {item['export']!r} is not a file in {EXPORTS}/")
        if not _SHA256.match(item["sha256"]):
            raise _search_error(index, "sha256 is not 64 lower-case hex digits")
        searches.append(Search(index, date, item["database"], item["query"], found, item["export"],
                               item["sha256"]))
    return searches


def dump_searches(searches: list[Search]) -> str:
    header = ("# Searches of the living review, one per import (`python -m livingreview import`).\n"
              "# export: the file as imported, kept byte for byte below data/screening/.\n")
    rows = [{k: getattr(s, k) for k in SEARCH_KEYS} for s in searches]
    return header + yaml.safe_dump({"searches": rows}, sort_keys=False, allow_unicode=True, width=100)


def date_problem(text: str) -> str | None:
    """Why `text` is not an ISO date (YYYY-MM-DD), or None."""
    if not _ISO_DATE.match(text):
        return "is not a date written YYYY-MM-DD"
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return "is not a date of the calendar"
    return None


def _read_text(root: Path, relative: Path) -> str | None:
    try:
        return (root / relative).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as err:
        raise ProjectError(f"{relative}: cannot be read ({type(err).__name__})") from None


def load(root: Path) -> tuple[list[Row], list[Search]]:
    """The ledger and the search log, checked against each other (both empty before any import)."""
    root = Path(root)
    searches = parse_searches(_read_text(root, SEARCHES_FILE) or "")
    text = _read_text(root, LEDGER_FILE)
    rows = parse_ledger(text or "")
    numbers = {s.number for s in searches}
    ids = {r.id for r in rows}
    for line, row in enumerate(rows, start=2):
        if row.search not in numbers:
            raise _ledger_error(line, f"search {row.search} is not logged in {SEARCHES_FILE}")
        if row.status == "duplicate" and row.reason in ids and int(row.reason[1:]) >= int(row.id[1:]):
            raise _ledger_error(line, f"{row.id} repeats {row.reason}, which is not an earlier record")
    for s in searches:
        held = sum(1 for r in rows if r.search == s.number)
        if held != s.records_found:
            raise ProjectError(f"{LEDGER_FILE}: holds {held} records of search {s.number}, "
                               f"but {SEARCHES_FILE} says it found {s.records_found}")
    return rows, searches


# ------------------------------------------------------------------ exports in

@dataclass(frozen=True)
class ExportRecord:
    """One record of a search export: its text on its own (a one-record file) and its document."""

    text: str
    document: Document

    @property
    def has_abstract(self) -> bool:
        return len(self.document.body) > 1  # the title, then the abstract's paragraphs


def _record_texts(fmt: str, text: str, shown: str) -> list[str]:
    """Each record's own text, cut with the format's reader; ScreeningError if malformed."""
    if fmt == "ris":
        spans = ris.record_spans(text)
        outside, last = [], 0
        for start, end in spans:
            outside.append(text[last:start])
            last = end
        outside.append(text[last:])
        for gap in outside:
            if gap.strip():
                line = next(s for s in gap.splitlines() if s.strip())
                raise ScreeningError(f"{shown}: malformed RIS export: the line {line[:60]!r} is outside "
                                     "any TY ... ER record")
        pieces = [text[s:e] for s, e in spans]
        for i, piece in enumerate(pieces, start=1):
            closing = [ln for ln in piece.splitlines() if ln.strip()][-1]
            if not closing.startswith("ER  -"):
                raise ScreeningError(f"{shown}: malformed RIS export: record {i} is not closed by "
                                     "an 'ER  -' line (a truncated export?)")
        return pieces
    pieces = medline.split_records(text)
    for i, piece in enumerate(pieces, start=1):
        first = piece.splitlines()[0]
        if not re.fullmatch(r"PMID- *\d+\s*", first):
            raise ScreeningError(f"{shown}: malformed MEDLINE export: record {i} starts {first[:40]!r}, "
                                 "not 'PMID- ' and a number")
        for line in piece.splitlines():
            if not _MEDLINE_LINE.match(line):
                raise ScreeningError(f"{shown}: malformed MEDLINE export: record {i} has the line "
                                     f"{line[:60]!r}, neither 'TAG - value' nor an indented continuation")
    return pieces


def read_export(raw: bytes, shown: str) -> tuple[str, list[ExportRecord]]:
    """The format and every record of a MEDLINE or RIS export; ScreeningError (one line) if the
    file is not one, is malformed, or holds a record without a title."""
    try:
        docs = decode_bytes(raw, shown)
    except SourceError as err:
        raise ScreeningError(f"{shown}: not a MEDLINE or RIS export: {err.reason}") from None
    fmt = docs[0].format
    if fmt not in EXPORT_FORMATS:
        raise ScreeningError(f"{shown}: not a MEDLINE (.nbib) or RIS export: its content reads as {fmt}")
    text = normalise(raw.decode("utf-8"))
    records = []
    for i, piece in enumerate(_record_texts(fmt, text, shown), start=1):
        own = piece.rstrip("\n") + "\n"
        try:
            (doc,) = decode_bytes(own.encode("utf-8"), f"{shown} record {i}")
        except SourceError as err:
            raise ScreeningError(f"{shown}: record {i} has no title or abstract to read ({err.reason}); "
                                 "fix the export or leave the record out") from None
        if doc.format != fmt:
            raise ScreeningError(f"{shown}: malformed export: record {i} on its own reads as {doc.format}")
        if not (doc.fields.get("title") or "").strip():
            pmid = f" (PMID {doc.fields['pmid']})" if doc.fields.get("pmid") else ""
            raise ScreeningError(f"{shown}: record {i}{pmid} has no title; fix the export or leave the record out")
        records.append(ExportRecord(own, doc))
    return fmt, records


def _identity(doc: Document, title: str | None = None) -> Identity:
    return Identity.of(doc.fields.get("doi"), doc.fields.get("pmid"), title or doc.fields.get("title"))


def registry_identities(root: Path, entries: list[registry.Entry]) -> dict[str, Identity]:
    """DOI, PMID and title of each registered study whose source can still be read."""
    out = {}
    for entry in entries:
        try:
            doc = read_source(entry.source_path(root), entry.shown)
            record = build_record(doc)
        except (SourceError, OSError, ProjectError):
            continue
        out[entry.id] = Identity.of(record.get("doi") or doc.fields.get("doi"), doc.fields.get("pmid"),
                                    record.get("title") or doc.fields.get("title"))
    return out


def _slug(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))[:40].strip("-") or "database"


@dataclass(frozen=True)
class ImportResult:
    search: Search
    rows: list[Row]  # the records this import added
    matches: dict[str, str]  # duplicate row id -> what it shared ("DOI", "PMID", "title")


def import_export(
    root: Path, path: str | os.PathLike, *, database: str | None = None, query: str = "",
    date: str | None = None,
) -> ImportResult:
    """Log a search and add every record of its export to the ledger, duplicates marked."""
    root, path = Path(root), Path(path)
    try:
        raw = read_bytes(path)
    except SourceError as err:
        raise ScreeningError(str(err)) from None
    fmt, records = read_export(raw, str(path))
    if date is None:
        found = _DATE_IN_NAME.search(path.name)
        if not found:
            raise ScreeningError(f"{path}: the search date is not stated: give it with --date YYYY-MM-DD "
                                 "(or name the export with its date, e.g. pubmed-2026-12-01.nbib)")
        date = found.group(1)
    problem = date_problem(date)
    if problem:
        raise ScreeningError(f"{path}: search date {date!r} {problem}")
    if database is None:
        if fmt != "medline_nbib":
            raise ScreeningError(f"{path}: an RIS export does not say which database it came from: "
                                 "give it with --database NAME")
        database = "PubMed"
    if not database.strip():
        raise ScreeningError(f"{path}: --database is empty")
    rows, searches = load(root)
    digest = hashlib.sha256(raw).hexdigest()
    for s in searches:
        if s.sha256 == digest:
            raise ScreeningError(f"{path}: already imported as search {s.number} ({s.export})")
    number = len(searches) + 1
    export = f"{EXPORTS.name}/{number:03d}-{date}-{_slug(database)}{EXPORT_FORMATS[fmt]}"
    studies = registry_identities(root, registry.load(root))
    added: list[Row] = []
    matches: dict[str, str] = {}
    for i, rec in enumerate(records, start=1):
        fields = rec.document.fields
        row_id = next_id(rows + added)
        status, reason = "pending", ""
        dup = duplicate_of(_identity(rec.document), studies, rows + added)
        if dup:
            status, reason = "duplicate", dup[0]
            matches[row_id] = dup[1]
        added.append(Row(row_id, f"{export}#{i}", fields["title"], fields.get("doi") or "",
                         fields.get("pmid") or "", str(fields.get("year") or ""), status, reason, number))
    search = Search(number, date, " ".join(database.split()), " ".join(query.split()), len(records), export, digest)
    txn = Transaction(root, "import")
    txn.write(root / SCREENING / export, raw)
    txn.write(root / LEDGER_FILE, dump_ledger(rows + added))
    txn.write(root / SEARCHES_FILE, dump_searches([*searches, search]))
    txn.commit()
    return ImportResult(search, added, matches)


# ------------------------------------------------------------------ decisions

@dataclass(frozen=True)
class ScreenResult:
    row: Row
    added: adding.AddResult | None  # the registered paper, when an included record carried its abstract


def _export_record(root: Path, row: Row, searches: list[Search]) -> ExportRecord:
    """The record a ledger row stands for, cut from its kept export (checked against its sha256)."""
    (search,) = [s for s in searches if s.number == row.search]
    shown = (SCREENING / search.export).as_posix()
    try:
        raw = read_bytes(root / SCREENING / search.export, shown)
    except SourceError as err:
        raise ProjectError(f"{err}; the records of search {search.number} cannot be screened") from None
    if hashlib.sha256(raw).hexdigest() != search.sha256:
        raise ProjectError(f"{shown}: changed since it was imported (its sha256 is not the one in {SEARCHES_FILE})")
    export, _, place = row.source.partition("#")
    try:
        _, records = read_export(raw, shown)
        if export != search.export or not place.isdigit():
            raise ValueError
        return records[int(place) - 1]
    except (ScreeningError, ValueError, IndexError):
        raise ProjectError(f"{LEDGER_FILE}: {row.id}: source {row.source!r} names no record of {shown}") from None


def screen(
    root: Path, record_id: str, decision: str, *, reason: str = "", full_text: bool = False,
    allow_non_study: bool = False, today: datetime.date | str | None = None,
) -> ScreenResult:
    """Record an include or exclude decision; an included record with its abstract is registered."""
    root = Path(root)
    if decision not in ("include", "exclude"):
        raise ScreeningError(f"decision {decision!r} is not include or exclude")
    reason = " ".join(reason.split())
    rows, searches = load(root)
    matching = [r for r in rows if r.id == record_id]
    if not matching:
        known = f" ({rows[0].id} to {rows[-1].id})" if rows else " (it is empty: import a search first)"
        raise ScreeningError(f"no record {record_id!r} in {LEDGER_FILE}{known}")
    (row,) = matching
    if row.status == "duplicate":
        if _ID.match(row.reason):
            raise ScreeningError(f"{row.id} is a duplicate of {row.reason}: screen {row.reason} instead")
        raise ScreeningError(f"{row.id} is a duplicate of registered study {row.reason}: nothing to screen")
    if row.status == "included" and decision == "include":
        raise ScreeningError(f"{row.id} is already included" + (f" (study {row.study})" if row.study else ""))
    if row.study and any(e.id == row.study for e in registry.load(root)):
        raise ScreeningError(f"{row.id} is included as study {row.study}: take it out with "
                             f"`python -m livingreview remove {row.study}` before excluding it")
    if decision == "exclude" and not reason:
        raise ScreeningError(f"{row.id}: an exclusion needs its reason: --reason \"...\"")
    if full_text and decision != "exclude":
        raise ScreeningError("--full-text says at which step a record was excluded; it has no meaning for include")
    txn = Transaction(root, "screen")
    added = None
    if decision == "include":
        record = _export_record(root, row, searches)
        study = ""
        if record.has_abstract:
            suffix = EXPORT_FORMATS[record.document.format]
            try:
                added = adding.stage_add(txn, root, record.text.encode("utf-8"), f"{row.id} ({row.source})",
                                         suffix, origin=f"{SCREENING.name}/{row.source}",
                                         allow_non_study=allow_non_study, today=today)
            except adding.AddError as err:
                raise ScreeningError(f"{row.id} not included: {err}") from None
            study = added.entry.id
        new = replace(row, status="included", reason=reason, stage="", study=study)
    else:
        new = replace(row, status="excluded", reason=reason, stage=STAGES[1] if full_text else STAGES[0],
                      study="")
    txn.write(root / LEDGER_FILE, dump_ledger([new if r.id == row.id else r for r in rows]))
    txn.commit()
    return ScreenResult(new, added)


# ------------------------------------------------------------------ the page

def counts(root: Path, records: list[dict]) -> FlowCounts:
    """The flow diagram's counts from the ledger and the registered primary studies' records."""
    rows, searches = load(root)
    primary = {r["id"]: Identity.of(r.get("doi"), None, r.get("title"))
               for r in records if r.get("is_primary_study")}
    return flow_counts(rows, searches, primary)


def search_page(root: Path, records: list[dict]) -> str:
    """pages/search.md: the PRISMA flow diagram, the search log and the excluded records."""
    rows, searches = load(root)
    return prisma.search_page(counts(root, records), searches, rows)
