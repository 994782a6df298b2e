"""Downloads: the endpoints CSV and the studies JSON, stable and faithful to the records."""
import csv
import io
import json

from livingreview.book.downloads import column_dictionary, endpoints_csv, studies_json
from livingreview.extract.record import FIELDS

import records

HEADER = ["study_id", "endpoint", "measure", "arm", "value", "unit", "ci_low", "ci_high",
          "timepoint_months", "p", "quote", "span_start", "span_end",
          "provenance", "reviewer", "reviewed", "corrected_from"]


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_has_the_documented_columns_in_order():
    text = endpoints_csv(records.all_records())
    assert text.splitlines()[0].split(",") == HEADER
    assert [name for name, _ in column_dictionary()] == HEADER
    assert all(meaning for _, meaning in column_dictionary())


def test_csv_has_one_row_per_endpoint_value_with_its_quote_and_span():
    rows = _rows(endpoints_csv([records.liao()]))
    assert len(rows) == 6
    ratio = rows[2]
    assert ratio == {
        "study_id": "liao2025_hifu_ici", "endpoint": "PFS", "measure": "ratio",
        "arm": "HIFU + ICI vs ICI alone", "value": "2.38", "unit": "ratio",
        "ci_low": "1.087", "ci_high": "3.106", "timepoint_months": "", "p": "<0.0001",
        "quote": records.LIAO_PFS_Q, "span_start": "2247", "span_end": "2334",
        "provenance": "extracted", "reviewer": "", "reviewed": "", "corrected_from": "",
    }
    assert rows[4]["arm"] == "ICI alone" and rows[4]["value"] == "10.67"
    assert rows[5]["p"] == "=0.0418"


def test_missing_values_are_empty_cells_and_landmarks_keep_their_timepoint():
    rows = _rows(endpoints_csv([records.radiotherapy(), records.wang()]))
    orr = next(r for r in rows if r["endpoint"] == "ORR")
    assert (orr["arm"], orr["ci_low"], orr["ci_high"], orr["p"]) == ("", "", "", "")
    assert [r["timepoint_months"] for r in rows if r["study_id"] == "wang2025_hifu"] == \
        ["", "12", "24", "36"]


def test_rows_are_ordered_by_study_id_then_as_the_record_lists_them():
    forward = endpoints_csv(records.all_records())
    assert endpoints_csv(list(reversed(records.all_records()))) == forward
    ids = [r["study_id"] for r in _rows(forward)]
    assert ids == sorted(ids)
    hou = [(r["endpoint"], r["measure"]) for r in _rows(forward) if r["study_id"] == "hou2025_ablation"]
    assert hou == [(e["endpoint"], e["measure"]) for e in records.hou()["endpoints"]]


def test_a_document_without_endpoints_adds_no_rows():
    assert endpoints_csv([records.qa_page()]) == ",".join(HEADER) + "\n"


def test_studies_json_holds_the_schema_valid_records_by_id_in_contract_key_order():
    broken = records.wang()
    broken["id"] = "broken2025"
    broken["design"] = "anecdotal"  # not in the contract's vocabulary
    text = studies_json([*reversed(records.all_records()), broken])
    loaded = json.loads(text)
    assert [r["id"] for r in loaded] == sorted(r["id"] for r in records.all_records())
    assert all(list(r)[: len(FIELDS)] == list(FIELDS) for r in loaded)
    assert loaded[1] == records.hou()  # anon…, hou…, liao…, qa…, wang…
    assert text.endswith("\n")
    assert studies_json(records.all_records()) == text
