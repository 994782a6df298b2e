"""The study record: one source document in, one contract-shaped, checked record out."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

import jsonschema

from .arms import extract_arms
from .checks import check_record
from .document import Document, SourceError
from .endpoints import extract_endpoints
from .metadata import extract_metadata
from .reading import read_source

#: Top-level keys in the contract's order (study-record.md).
FIELDS = (
    "id", "source_path", "source_format", "is_primary_study", "title", "authors", "journal",
    "year", "doi", "design", "n_patients", "local_therapy", "systemic_therapy", "population",
    "arms", "endpoints", "flags",
)


@lru_cache(maxsize=1)
def schema_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(resources.files(__package__).joinpath("study-record.schema.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def schema_errors(record: dict) -> list[str]:
    """Every way `record` breaks the contract's schema, as readable lines."""
    errors = sorted(schema_validator().iter_errors(record), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(record)'}: {e.message}" for e in errors]


def build_record(doc: Document) -> dict:
    """Assemble the record for a decoded document: metadata, arms, endpoints, flags."""
    meta = extract_metadata(doc)
    primary = bool(meta["is_primary_study"])
    arms = extract_arms(doc, meta["n_patients"]) if primary else []
    endpoints = extract_endpoints(doc, arms) if primary else []
    record = {
        **{key: meta.get(key) for key in FIELDS},
        "source_path": doc.path,
        "source_format": doc.format,
        "is_primary_study": primary,
        "authors": list(meta.get("authors") or []),
        "local_therapy": list(meta.get("local_therapy") or []),
        "systemic_therapy": list(meta.get("systemic_therapy") or []),
        "arms": arms,
        "endpoints": endpoints,
        "flags": [],
    }
    record["flags"] = check_record(record)
    problems = schema_errors(record)
    if problems:
        raise SourceError(doc.path, "extracted record breaks the schema: " + "; ".join(problems))
    return record


def extract(path: str) -> dict:
    """Read one source file and return its study record (SourceError if it cannot)."""
    return build_record(read_source(path))
