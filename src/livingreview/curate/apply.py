"""A reviewer's curation applied to the machine's study record: confirm, correct, reject, add.

`parse` checks a curation's shape (the mapping a YAML file holds); `apply` checks it against the
record and the decoded source text and returns the curated record. Every refusal is one
CurationError naming the file, the entry and the reason, so nothing half-curated is ever shown.
The curated record keeps the contract (schema-valid) and adds, per endpoint, a `provenance`
({status: extracted|confirmed|corrected|added, reviewer, date, original}) and, at the top, a
`curation` summary (file, reviewer, date, checked, rejected rows with reasons, metadata changes).
"""
from __future__ import annotations

import copy
import datetime as _dt
from dataclasses import dataclass

from livingreview.extract.checks import check_record
from livingreview.extract.numbers import numbers_in
from livingreview.extract.printed import as_printed

#: The keys a curation file may hold (outside checks write these files: keep the names).
KEYS = ("reviewer", "date", "confirm", "correct", "reject", "add", "metadata")
#: What a match may name an extracted endpoint by; the first three are required.
MATCH_KEYS = ("endpoint", "measure", "value", "arm", "timepoint_months")
MATCH_REQUIRED = ("endpoint", "measure", "value")
#: Endpoint fields in the contract's order, and what an added endpoint must give.
ENDPOINT_FIELDS = ("endpoint", "measure", "arm", "value", "unit", "ci", "timepoint_months", "p", "quote", "span")
SET_KEYS = ENDPOINT_FIELDS[:-1]
ADD_REQUIRED = ("endpoint", "measure", "value", "unit", "quote")
#: Record fields a reviewer may correct under `metadata` (never the id, the source or the numbers).
METADATA_KEYS = ("is_primary_study", "title", "authors", "journal", "year", "doi", "design", "n_patients",
                 "local_therapy", "systemic_therapy", "population", "arms")
STATUSES = ("extracted", "confirmed", "corrected", "added")


class CurationError(ValueError):
    """A curation that cannot be applied: one line naming the file, the entry and the reason."""

    def __init__(self, file: str, entry: str | None, reason: str):
        super().__init__(f"{file}: {entry}: {reason}" if entry else f"{file}: {reason}")
        self.file, self.entry, self.reason = file, entry, reason


@dataclass(frozen=True)
class Curation:
    """One study's curation as written, shape-checked (see `parse`)."""

    file: str  # as messages and pages name it, e.g. data/curation/<id>.yaml
    reviewer: str
    date: str  # YYYY-MM-DD
    confirm: tuple = ()
    correct: tuple = ()
    reject: tuple = ()
    add: tuple = ()
    metadata: dict | None = None


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def describe(entry: dict) -> str:
    """A short name for a curation entry or endpoint: "OS median 19.6 (ICI + HIFU)"."""
    parts = [str(entry.get("endpoint", "?")), str(entry.get("measure", "?"))]
    if "value" in entry:
        parts.append(as_printed(entry["value"], entry.get("quote")) if _is_number(entry["value"]) else repr(entry["value"]))
    text = " ".join(parts)
    if entry.get("arm"):
        text += f" ({entry['arm']})"
    if entry.get("timepoint_months") is not None:
        text += f" at {entry['timepoint_months']} months"
    return text


def _date(value, file: str) -> str:
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise CurationError(file, "date", f"{value!r} is not a date (write it as YYYY-MM-DD)")


def _entries(data: dict, key: str, file: str) -> tuple:
    items = data.get(key)
    if items is None:
        return ()
    if not isinstance(items, list):
        raise CurationError(file, key, "must be a list of entries")
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise CurationError(file, f"{key}[{i}]", "must be a mapping (key: value, ...)")
    return tuple(items)


def _keys(item: dict, allowed: tuple, required: tuple, file: str, label: str) -> None:
    unknown = [k for k in item if k not in allowed]
    if unknown:
        raise CurationError(file, label, f"unknown key {unknown[0]!r} (allowed: {', '.join(allowed)})")
    missing = [k for k in required if k not in item or item[k] is None]
    if missing:
        raise CurationError(file, label, f"missing {missing[0]!r}")


def _check_match(match, file: str, label: str) -> None:
    if not isinstance(match, dict):
        raise CurationError(file, label, "the match must be a mapping (endpoint, measure, value, ...)")
    _keys(match, MATCH_KEYS, MATCH_REQUIRED, file, label)
    if not _is_number(match["value"]):
        raise CurationError(file, label, f"value {match['value']!r} is not a number")


def parse(data, file: str) -> Curation:
    """The curation a YAML file's content holds, shape-checked; CurationError on the first fault."""
    if not isinstance(data, dict):
        raise CurationError(file, None, "must be a mapping with the keys " + ", ".join(KEYS))
    unknown = [k for k in data if k not in KEYS]
    if unknown:
        raise CurationError(file, None, f"unknown key {unknown[0]!r} (allowed: {', '.join(KEYS)})")
    reviewer = data.get("reviewer")
    if reviewer is not None and not isinstance(reviewer, str):
        raise CurationError(file, "reviewer", f"{reviewer!r} is not a name (write the reviewer's name)")
    if not isinstance(reviewer, str) or not reviewer.strip():
        raise CurationError(file, "reviewer", "missing: name the reviewer who checked this record")
    if data.get("date") is None:
        raise CurationError(file, "date", "missing: give the date of the review (YYYY-MM-DD)")
    date = _date(data["date"], file)
    confirm = _entries(data, "confirm", file)
    for i, item in enumerate(confirm):
        _check_match(item, file, f"confirm[{i}]")
    correct = _entries(data, "correct", file)
    for i, item in enumerate(correct):
        label = f"correct[{i}]"
        _keys(item, ("match", "set", "reason"), ("match", "set"), file, label)
        _check_match(item["match"], file, label)
        if not isinstance(item["set"], dict) or not item["set"]:
            raise CurationError(file, label, "set must be a mapping of the fields to change")
        _keys(item["set"], SET_KEYS, (), file, label)
    reject = _entries(data, "reject", file)
    for i, item in enumerate(reject):
        label = f"reject[{i}]"
        _keys(item, (*MATCH_KEYS, "reason"), (*MATCH_REQUIRED, "reason"), file, label)
        _check_match({k: v for k, v in item.items() if k != "reason"}, file, label)
        if not isinstance(item["reason"], str) or not item["reason"].strip():
            raise CurationError(file, label, "reason must say why the value is rejected")
    add = _entries(data, "add", file)
    for i, item in enumerate(add):
        _keys(item, SET_KEYS, ADD_REQUIRED, file, f"add[{i}]")
    metadata = data.get("metadata")
    if metadata is not None:
        if not isinstance(metadata, dict):
            raise CurationError(file, "metadata", "must be a mapping of record fields")
        _keys(metadata, METADATA_KEYS, (), file, "metadata")
    return Curation(file, reviewer.strip(), date, confirm, correct, reject, add, dict(metadata or {}))


def _arm_key(arm):
    """An arm name as a match compares it: case and runs of spaces do not matter."""
    return " ".join(arm.split()).casefold() if isinstance(arm, str) else arm


def _fits(ep: dict, match: dict) -> bool:
    if ep.get("endpoint") != match["endpoint"] or ep.get("measure") != match["measure"]:
        return False
    if not _is_number(ep.get("value")) or float(ep["value"]) != float(match["value"]):
        return False
    if "arm" in match and _arm_key(ep.get("arm")) != _arm_key(match["arm"]):
        return False
    if "timepoint_months" in match:
        a, b = ep.get("timepoint_months"), match["timepoint_months"]
        if (a is None) != (b is None) or (a is not None and float(a) != float(b)):
            return False
    return True


def _find(endpoints: list[dict], match: dict, file: str, label: str) -> int:
    hits = [i for i, ep in enumerate(endpoints) if _fits(ep, match)]
    name = describe(match)
    if not hits:
        raise CurationError(file, label, f"{name} fits no extracted endpoint")
    if len(hits) > 1:
        raise CurationError(file, label, f"{name} fits {len(hits)} extracted endpoints; "
                                         "name its arm or timepoint_months to tell them apart")
    return hits[0]


def _in_quote(ep: dict, file: str, label: str, check_p: bool = True) -> None:
    """The value and CI bounds of `ep` are numbers its quote prints (the site's one rule), and so
    is a p-value the reviewer gave (`check_p`)."""
    printed = [float(x) for x in numbers_in(ep["quote"])]
    if float(ep["value"]) not in printed:
        raise CurationError(file, label, f"value {as_printed(ep['value'])} is not in its quote")
    for bound in ep.get("ci") or []:
        if not _is_number(bound) or float(bound) not in printed:
            raise CurationError(file, label, f"CI bound {bound!r} is not in its quote")
    p = ep.get("p")
    if check_p and isinstance(p, str):
        digits = p.lstrip("<>=≤≥ ")
        if digits not in ep["quote"] and digits.lstrip("0") not in ep["quote"].replace("·", "."):
            raise CurationError(file, label, f"p {p} is not in its quote")


def _span(text: str, quote, file: str, label: str) -> list[int]:
    if not isinstance(quote, str) or not quote:
        raise CurationError(file, label, "quote must be the exact text of the source")
    start = text.find(quote)
    if start < 0:
        raise CurationError(file, label, "quote is not in the decoded source "
                                         "(see `python -m livingreview text` for the exact text)")
    return [start, start + len(quote)]


def _schema_errors(record: dict) -> list[str]:
    """The contract's schema errors of `record`. The extractor's record module is imported here,
    not at the top: a page kernel that finds its records in the results store never loads it."""
    from livingreview.extract.record import schema_errors

    return schema_errors(record)


def _valid_endpoint(record: dict, ep: dict, file: str, label: str) -> None:
    if not _is_number(ep.get("value")):
        raise CurationError(file, label, f"value {ep.get('value')!r} is not a number")
    ci = ep.get("ci")
    if ci is not None and (not isinstance(ci, list) or len(ci) != 2):
        raise CurationError(file, label, "ci must be [low, high]")
    if isinstance(ep.get("p"), (int, float)):
        raise CurationError(file, label, "p must be a string with its comparator, e.g. \"<0.001\"")
    probe = {**record, "endpoints": [{k: v for k, v in ep.items() if k != "provenance"}], "flags": []}
    problems = _schema_errors(probe)
    if problems:
        raise CurationError(file, label, "breaks the record schema: " + problems[0].split(": ", 1)[-1])


def _by(curation: Curation) -> dict:
    return {"reviewer": curation.reviewer, "date": curation.date}


def apply(record: dict, curation: Curation, text: str) -> dict:
    """The curated record: `record` (left untouched) with `curation` applied; `text` is the
    decoded source every quote and span must come from."""
    file, by = curation.file, _by(curation)
    endpoints = copy.deepcopy(record.get("endpoints") or [])
    provenance: list[dict | None] = [None] * len(endpoints)
    claimed: dict[int, str] = {}
    rejected: list[dict] = []

    def claim(match: dict, label: str) -> int:
        idx = _find(endpoints, match, file, label)
        if idx in claimed:
            raise CurationError(file, label, f"{describe(endpoints[idx])} is already named by {claimed[idx]}")
        claimed[idx] = label
        return idx

    for i, item in enumerate(curation.confirm):
        provenance[claim(item, f"confirm[{i}]")] = {"status": "confirmed", **by}
    for i, item in enumerate(curation.correct):
        label = f"correct[{i}]"
        idx = claim(item["match"], label)
        old, changes = endpoints[idx], dict(item["set"])
        if "quote" in changes:
            changes["span"] = _span(text, changes["quote"], file, label)
        new = {k: changes.get(k, old.get(k)) for k in ENDPOINT_FIELDS}
        original = {k: old.get(k) for k in changes if old.get(k) != new[k]}
        if not original:  # the reviewer's values are the machine's: a confirmation
            provenance[idx] = {"status": "confirmed", **by, "note": "the correction agrees with the extracted values"}
            continue
        _valid_endpoint(record, new, file, label)
        _in_quote(new, file, label, check_p="p" in changes or "quote" in changes)
        endpoints[idx] = new
        entry = {"status": "corrected", **by, "original": original}
        if item.get("reason"):
            entry["reason"] = str(item["reason"])
        provenance[idx] = entry
    for i, item in enumerate(curation.reject):
        label = f"reject[{i}]"
        idx = claim({k: v for k, v in item.items() if k != "reason"}, label)
        provenance[idx] = {"status": "rejected", **by, "reason": str(item["reason"]).strip()}
    kept = []
    for ep, prov in zip(endpoints, provenance):
        if prov and prov["status"] == "rejected":
            rejected.append({**ep, "reason": prov["reason"]})
        else:
            kept.append({**ep, "provenance": prov or {"status": "extracted"}})
    for i, item in enumerate(curation.add):
        label = f"add[{i}]"
        new = {k: item.get(k) for k in ENDPOINT_FIELDS[:-1]}
        new["span"] = _span(text, item["quote"], file, label)
        _valid_endpoint(record, new, file, label)
        _in_quote(new, file, label)
        same = [ep for ep in kept if _fits(ep, {k: new[k] for k in MATCH_KEYS})]
        if same and status(same[0]) == "extracted":  # the extractor found it too: now checked
            same[0]["provenance"] = {"status": "confirmed", **by,
                                     "note": f"{label} adds it; the extractor had read it already"}
            continue
        if same:
            raise CurationError(file, label, f"{describe(new)} is already in the record, "
                                             f"{status(same[0])} by an entry above")
        kept.append({**new, "provenance": {"status": "added", **by}})

    curated = copy.deepcopy(record)
    changed_meta = {}
    for key, value in (curation.metadata or {}).items():
        if curated.get(key) != value:
            changed_meta[key] = {"was": curated.get(key)}
            curated[key] = copy.deepcopy(value)
    curated["endpoints"] = kept
    curated["flags"] = check_record(curated)  # the checks follow the numbers the reviewer kept
    curated["curation"] = {
        "file": file, **by,
        "checked": sum(1 for ep in kept if ep["provenance"]["status"] != "extracted") + len(rejected),
        "rejected": rejected,
        "metadata": changed_meta,
    }
    problems = _schema_errors(curated)
    if problems:
        where = problems[0].split(": ", 1)[0]
        raise CurationError(file, "metadata" if where.split("/")[0] in METADATA_KEYS else None,
                            "the curated record breaks the schema: " + problems[0])
    return curated


def status(endpoint: dict) -> str:
    """An endpoint's provenance status ("extracted" for a record no reviewer has curated)."""
    return (endpoint.get("provenance") or {}).get("status", "extracted")


def provenance_text(endpoint: dict) -> str:
    """What a reader is told of where a row's number comes from, e.g. "corrected by A. Reviewer,
    2026-12-01 (was: value 4.6)"; "extracted" for a number no reviewer has checked."""
    prov = endpoint.get("provenance") or {}
    kind = prov.get("status", "extracted")
    if kind == "extracted":
        return "extracted"
    who = f"{prov.get('reviewer')}, {prov.get('date')}"
    if kind == "added":
        return f"added by reviewer {who}"
    text = f"{kind} by {who}"
    if kind == "corrected":
        was = "; ".join(f"{k} {_shown(v, endpoint.get('quote'))}" for k, v in (prov.get("original") or {}).items()
                        if k != "span")
        text += f" (was: {was})" if was else ""
    return text


def _shown(value, quote) -> str:
    if value is None:
        return "none"
    if _is_number(value):
        return as_printed(value, quote)
    if isinstance(value, list):
        return "–".join(_shown(v, quote) for v in value)
    return str(value)


def template(record: dict) -> dict:
    """A curation to start from: every extracted endpoint under `confirm` (by endpoint, measure,
    arm, value and timepoint when it has one), the other lists empty."""
    confirm = []
    for ep in record.get("endpoints") or []:
        item = {"endpoint": ep["endpoint"], "measure": ep["measure"], "arm": ep.get("arm"), "value": ep["value"]}
        if ep.get("timepoint_months") is not None:
            item["timepoint_months"] = ep["timepoint_months"]
        confirm.append(item)
    return {"confirm": confirm, "correct": [], "reject": [], "add": [], "metadata": {}}
