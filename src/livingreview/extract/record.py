"""The study record: one source document in, one contract-shaped, checked record out."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

import fastjsonschema
import jsonschema

from livingreview.extract.arms import extract_arms
from livingreview.extract.checks import check_record
from livingreview.extract.document import Document, SourceError
from livingreview.extract.endpoints import extract_endpoints
from livingreview.extract.metadata import extract_metadata

#: Top-level keys in the contract's order (study-record.md).
FIELDS = (
    "id", "source_path", "source_format", "is_primary_study", "title", "authors", "journal",
    "year", "doi", "design", "n_patients", "local_therapy", "systemic_therapy", "population",
    "arms", "endpoints", "flags",
)


@lru_cache(maxsize=1)
def _schema() -> dict:
    return json.loads(resources.files(__package__).joinpath("study-record.schema.json").read_text())


def _uses_format(schema) -> bool:
    if isinstance(schema, dict):
        return "format" in schema or any(_uses_format(v) for v in schema.values())
    return isinstance(schema, list) and any(_uses_format(v) for v in schema)


@lru_cache(maxsize=1)
def schema_validator() -> jsonschema.protocols.Validator:
    """The contract's validator (jsonschema: the authority and its readable messages); with a
    format checker only if the schema has "format" keywords (it has none now)."""
    schema = _schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER) if _uses_format(schema) else cls(schema)


@lru_cache(maxsize=1)
def _fast_validator():
    """fastjsonschema's compiled check of the same schema (about 15 times faster), or None when
    the schema has "format" keywords, whose checks the two libraries do not share."""
    schema = _schema()
    return None if _uses_format(schema) else fastjsonschema.compile(schema)


_LEAVES = (str, int, float, bool, type(None))


def _has_tuple(value) -> bool:
    # fastjsonschema takes a tuple for a JSON array; jsonschema, like the contract, does not.
    if isinstance(value, dict):
        value = value.values()
    elif not isinstance(value, list):
        return isinstance(value, tuple)
    for v in value:  # a plain loop, with the common leaves (strings, numbers, None) passed over
        if type(v) not in _LEAVES and _has_tuple(v):
            return True
    return False


def schema_valid_fast(record: dict) -> bool:
    """True only if `record` certainly meets the schema: fastjsonschema accepts it and it holds
    no tuples. False means "ask jsonschema", which has the final word (schema_errors)."""
    fast = _fast_validator()
    if fast is None or _has_tuple(record):
        return False
    try:
        fast(record)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def schema_errors(record: dict) -> list[str]:
    """Every way `record` breaks the contract's schema, as readable lines.

    The common case, a valid record, is settled by the fast check; anything it
    refuses (it is stricter in places: "$" does not match before a final newline)
    gets jsonschema's verdict and messages.
    """
    if schema_valid_fast(record):
        return []
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
