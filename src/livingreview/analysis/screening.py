"""The screening ledger as data: records from searches, how duplicates are told, PRISMA counts.

Pure: the files (data/screening/records.csv, searches.yaml) are read and written in
`book/screening.py`; the flow diagram is drawn in `present/prisma.py`. A record repeats another
when they share a DOI, a PMID or a normalised title (case, accents, punctuation and spacing
ignored; at least `MIN_TITLE_WORDS` words, so that "Editorial" never matches "Editorial").
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

STATUSES = ("pending", "duplicate", "included", "excluded")
#: At which step an exclusion was decided: on the record's title and abstract, or on the report
#: (the full text) assessed for eligibility. PRISMA 2020 counts the two in different boxes.
STAGES = ("title-abstract", "full-text")
MIN_TITLE_WORDS = 3
_WORDS = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Row:
    """One record of the screening ledger (one line of records.csv)."""

    id: str  # S0001, S0002, ... in the order records were imported
    source: str  # the export it came from, below data/screening/, and its place: exports/x.nbib#3
    title: str
    doi: str
    pmid: str
    year: str
    status: str  # one of STATUSES
    reason: str  # duplicate: the id it repeats; excluded: why; included: the reviewer's note
    search: int  # the number of the search in searches.yaml that found it
    stage: str = ""  # excluded: one of STAGES; otherwise empty
    study: str = ""  # included and registered: the study id in data/registry.yaml


@dataclass(frozen=True)
class Search:
    """One logged search (one item of searches.yaml)."""

    number: int
    date: str  # ISO date the search was run
    database: str
    query: str
    records_found: int
    export: str  # the export as imported, byte for byte, below data/screening/
    sha256: str


@dataclass(frozen=True)
class Identity:
    """What tells two bibliographic records apart: DOI, PMID, normalised title."""

    doi: str = ""
    pmid: str = ""
    title: str = ""

    @classmethod
    def of(cls, doi: str | None, pmid: str | None, title: str | None) -> "Identity":
        return cls((doi or "").strip().lower(), (pmid or "").strip(), normalised_title(title or ""))

    def matches(self, other: "Identity") -> str | None:
        """What `other` shares with this record ("DOI", "PMID", "title"), or None."""
        if self.doi and self.doi == other.doi:
            return "DOI"
        if self.pmid and self.pmid == other.pmid:
            return "PMID"
        if self.title and self.title == other.title:
            return "title"
        return None


def normalised_title(title: str) -> str:
    """The title's words, lower case, accents dropped; "" when too short to identify a paper."""
    text = "".join(c for c in unicodedata.normalize("NFKD", title.casefold()) if not unicodedata.combining(c))
    words = _WORDS.findall(text)
    return " ".join(words) if len(words) >= MIN_TITLE_WORDS else ""


def row_identity(row: Row) -> Identity:
    return Identity.of(row.doi, row.pmid, row.title)


def duplicate_of(identity: Identity, studies: dict[str, Identity], rows: list[Row]) -> tuple[str, str] | None:
    """(id repeated, what matched) for a new record, or None if it is new.

    Registered studies come first; a ledger row that is itself a duplicate stands for the
    record it repeats, so every duplicate names an original.
    """
    for study_id, known in studies.items():
        basis = known.matches(identity)
        if basis:
            return study_id, basis
    for row in rows:
        basis = row_identity(row).matches(identity)
        if basis:
            return (row.reason if row.status == "duplicate" else row.id), basis
    return None


def next_id(rows: list[Row]) -> str:
    """The id the next imported record gets."""
    numbers = [int(r.id[1:]) for r in rows]
    return f"S{max(numbers, default=0) + 1:04d}"


@dataclass(frozen=True)
class FlowCounts:
    """The numbers of the PRISMA 2020 flow diagram for an updated (living) review."""

    per_database: tuple[tuple[str, int], ...]  # records identified, by database, in log order
    identified: int
    duplicates: int
    screened: int  # records with a decision (pending ones are awaiting screening)
    awaiting: int
    excluded_records: int  # on title and abstract
    reports_assessed: int
    excluded_reports: int
    exclusion_reasons: tuple[tuple[str, int], ...]  # reports excluded, by reason, most first
    new_studies: int
    previous_studies: int
    searches: int = 0

    @property
    def total_studies(self) -> int:
        return self.new_studies + self.previous_studies


def flow_counts(rows: list[Row], searches: list[Search], primary_studies: dict[str, Identity]) -> FlowCounts:
    """PRISMA counts from the ledger and the registry's primary studies (id -> identity).

    The diagram counts every logged search. A registered study that no included ledger record
    stands for (by its `study` column, or else by DOI, PMID or title) was in the review before
    its searches were logged: it counts under "studies included in previous versions".
    """
    by_search = {s.number: s.database for s in searches}
    per_db: Counter = Counter()
    order: list[str] = []
    for s in searches:
        if s.database not in order:
            order.append(s.database)
    for row in rows:
        per_db[by_search.get(row.search, "")] += 1
    status = Counter(r.status for r in rows)
    excluded = [r for r in rows if r.status == "excluded"]
    full_text = [r for r in excluded if r.stage == "full-text"]
    reasons = Counter(r.reason for r in full_text)
    included = [r for r in rows if r.status == "included"]
    represented = set()
    for row in included:
        if row.study in primary_studies:
            represented.add(row.study)
            continue
        ident = row_identity(row)
        for study_id, known in primary_studies.items():
            if study_id not in represented and known.matches(ident):
                represented.add(study_id)
                break
    return FlowCounts(
        per_database=tuple((db, per_db[db]) for db in order),
        identified=len(rows),
        duplicates=status["duplicate"],
        screened=status["included"] + status["excluded"],
        awaiting=status["pending"],
        excluded_records=len(excluded) - len(full_text),
        reports_assessed=len(full_text) + len(included),
        excluded_reports=len(full_text),
        exclusion_reasons=tuple(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        new_studies=len(included),
        previous_studies=len(set(primary_studies) - represented),
        searches=len(searches),
    )
