"""The fast schema check (fastjsonschema) only ever says "valid" where jsonschema does, and
schema_errors keeps jsonschema's verdict on every record, valid or deliberately broken."""
import copy
from pathlib import Path

import fastjsonschema
import pytest

from seeds import all_seeds
from livingreview.extract import record as R
from livingreview.book.sources import read_source



def seed_records() -> list[dict]:
    return [R.build_record(read_source(str(p))) for p in all_seeds()]


def jsonschema_valid(record: dict) -> bool:
    return R.schema_validator().is_valid(record)


def fast_valid(record: dict) -> bool:
    try:
        fastjsonschema.compile(R._schema())(record)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


BASE = seed_records()[0]  # Liao 2025: endpoints, CIs, p-values and flags


def with_(path, value):
    """A copy of BASE with the value at `path` (keys and indexes) replaced, or removed if value is DELETE."""
    record = copy.deepcopy(BASE)
    target = record
    for key in path[:-1]:
        target = target[key]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return record


DELETE = object()
BROKEN = {
    "missing title": (("title",), DELETE),
    "id with capitals": (("id",), "Liao2025"),
    "unknown source format": (("source_format",), "docx"),
    "primary flag as string": (("is_primary_study",), "yes"),
    "author not a string": (("authors",), ["Yao Liao", 3]),
    "year as string": (("year",), "2025"),
    "year as bool": (("year",), True),
    "doi without prefix": (("doi",), "ol.2025.14871"),
    "unknown design": (("design",), "cohort"),
    "negative patients": (("n_patients",), -1),
    "unknown local therapy": (("local_therapy",), ["HIFU", "laser"]),
    "unknown systemic therapy": (("systemic_therapy",), ["ICI", "vaccine"]),
    "arm without n": (("arms",), [{"name": "HIFU+ICI"}]),
    "endpoint name outside the vocabulary": (("endpoints", 0, "endpoint"), "survival"),
    "unknown measure": (("endpoints", 0, "measure"), "mode"),
    "value as string": (("endpoints", 0, "value"), "19.6"),
    "unknown unit": (("endpoints", 0, "unit"), "furlongs"),
    "ci with three bounds": (("endpoints", 0, "ci"), [1.0, 2.0, 3.0]),
    "ci as string": (("endpoints", 0, "ci"), "1.0-2.0"),
    "p without comparator": (("endpoints", 0, "p"), "0.05"),
    "empty quote": (("endpoints", 0, "quote"), ""),
    "negative span": (("endpoints", 0, "span"), [-1, 10]),
    "span as tuple": (("endpoints", 0, "span"), (3, 10)),
    "endpoint missing its span": (("endpoints", 0, "span"), DELETE),
    "unknown flag severity": (("flags",), [{"check": "x", "severity": "fatal", "message": "m", "quote": None}]),
    "record not an object": ((), None),
}


def test_seed_records_are_valid_for_both():
    for record in seed_records():
        assert jsonschema_valid(record) and fast_valid(record)
        assert R.schema_valid_fast(record)
        assert R.schema_errors(record) == []


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_records_are_refused_by_both(name):
    path, value = BROKEN[name]
    record = None if path == () else with_(path, value)
    assert not jsonschema_valid(record)
    assert not R.schema_valid_fast(record)
    assert R.schema_errors(record)
    if name != "span as tuple":  # fastjsonschema takes a tuple as an array; schema_valid_fast does not
        assert not fast_valid(record)


def test_valid_edge_values_are_accepted():
    for path, value in [(("endpoints", 0, "p"), "≤0.05"), (("endpoints", 0, "ci"), None),
                        (("doi",), None), (("design",), None), (("year",), None),
                        (("endpoints", 0, "endpoint"), "other:time to progression")]:
        record = with_(path, value)
        assert jsonschema_valid(record) and R.schema_valid_fast(record) and R.schema_errors(record) == []


def test_where_fastjsonschema_is_stricter_jsonschema_decides():
    # "$" matches before a final newline in Python's re; fastjsonschema reads it as the very end.
    record = with_(("id",), "liao2025_hifu_ici\n")
    assert jsonschema_valid(record) and not fast_valid(record)
    assert R.schema_errors(record) == []


def test_no_format_checker_for_a_schema_without_formats():
    assert not R._uses_format(R._schema())
    assert R.schema_validator().format_checker is None
