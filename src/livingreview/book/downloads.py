"""The site's downloads: every extracted number as CSV, every study record as JSON.

Both are pure functions of the records, in a stable order (records by id,
endpoints in the order the record lists them), so regenerating them from the
same sources gives the same bytes.
"""
from __future__ import annotations

import csv
import io
import json

from livingreview.extract.record import FIELDS, schema_errors

COLUMNS = (
    ("study_id", "the study record's id (also its chapter's file name and citation key)"),
    ("endpoint", "OS, PFS, ORR, DCR, technical_success, technical_efficacy, AE_grade3plus, "
                 "AE_any, local_control, or other:<name>"),
    ("measure", "median, rate, HR, ratio or mean"),
    ("arm", "the arm the value belongs to; 'A vs B' for a hazard ratio or a ratio; "
            "empty when the source does not say"),
    ("value", "the number as printed in the source"),
    ("unit", "months, % or ratio"),
    ("ci_low", "lower bound of the 95% confidence interval as printed; empty if none given"),
    ("ci_high", "upper bound of the 95% confidence interval as printed; empty if none given"),
    ("timepoint_months", "for a landmark rate, its time point in months (12 for '1-year')"),
    ("p", "the p-value as printed, with its comparator ('<0.0001', '=0.0418'); "
          "a spreadsheet may read a leading '=' as a formula, so import this column as text"),
    ("quote", "the exact source text that states the value"),
    ("span_start", "character offset where the quote starts in the decoded source text"),
    ("span_end", "character offset just after the quote ends"),
    ("provenance", "extracted (read by the program, not yet checked), or confirmed, corrected or added "
                   "by a reviewer (data/curation/<study_id>.yaml)"),
    ("reviewer", "the reviewer who confirmed, corrected or added the value; empty when extracted"),
    ("reviewed", "the date of that review (YYYY-MM-DD); empty when extracted"),
    ("corrected_from", "for a corrected row, the extracted fields it replaced ('value=4.6; arm=group B')"),
)


def column_dictionary() -> list[tuple[str, str]]:
    """(column, meaning) for each column of the endpoints CSV, in column order."""
    return list(COLUMNS)


def _cell(value) -> str:
    return "" if value is None else str(value)


def _provenance(ep: dict) -> tuple[str, str, str, str]:
    """(status, reviewer, date, fields replaced) of one endpoint row; an uncurated row is extracted."""
    prov = ep.get("provenance") or {}
    kind = prov.get("status", "extracted")
    if kind == "extracted":
        return kind, "", "", ""
    was = "; ".join(f"{k}={json.dumps(v, ensure_ascii=False) if isinstance(v, list) else _cell(v)}"
                    for k, v in (prov.get("original") or {}).items())
    return kind, _cell(prov.get("reviewer")), _cell(prov.get("date")), was


def _by_id(records: list[dict]) -> list[dict]:
    return sorted(records, key=lambda r: r["id"])


def endpoints_csv(records: list[dict]) -> str:
    """One row per endpoint value the site uses, with the quote and span it came from and its provenance."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([name for name, _ in COLUMNS])
    for record in _by_id(records):
        for ep in record.get("endpoints") or []:
            ci = ep.get("ci") or (None, None)
            span = ep.get("span") or (None, None)
            writer.writerow(
                _cell(v)
                for v in (
                    record["id"], ep["endpoint"], ep["measure"], ep.get("arm"), ep["value"],
                    ep["unit"], ci[0], ci[1], ep.get("timepoint_months"), ep.get("p"),
                    ep["quote"], span[0], span[1], *_provenance(ep),
                )
            )
    return out.getvalue()


def studies_json(records: list[dict]) -> str:
    """A JSON array of the records that keep the contract's schema, by id, keys in contract order."""
    valid = [r for r in _by_id(records) if not schema_errors(r)]
    ordered = [
        {**{k: r[k] for k in FIELDS if k in r}, **{k: v for k, v in r.items() if k not in FIELDS}}
        for r in valid
    ]
    return json.dumps(ordered, indent=2, ensure_ascii=False) + "\n"
