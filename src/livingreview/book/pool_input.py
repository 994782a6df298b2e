"""Read the `pool` command's CSV: one study a row, the columns of one measure.

``study,yi,vi`` (generic), ``study,estimate,ci_low,ci_high`` (ratio) or ``study,events,total``
(proportion). The measure is taken from ``--measure`` or, when not given, from the header. Any
bad row stops the read with one message naming the file, the row and the reason.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

from livingreview.analysis import meta

COLUMNS = {measure: ("study", *fields) for measure, fields in meta.ROW_FIELDS.items()}


class PoolInputError(ValueError):
    """A CSV the pool command cannot use; the message names file, row and reason."""


def infer_measure(header: list[str]) -> str | None:
    """The measure whose columns the header holds (the first that fits, most specific first)."""
    names = set(header)
    for measure in ("ratio", "proportion", "generic"):
        if set(COLUMNS[measure]) <= names:
            return measure
    return None


def _number(text: str, column: str, whole: bool = False) -> float:
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise ValueError(f"{column} {text!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{column} {text!r} is not a finite number")
    if whole and value != int(value):
        raise ValueError(f"{column} {text!r} is not a whole number")
    return value


def parse_effects(text: str, name: str, measure: str | None = None) -> tuple[str, list[meta.Effect]]:
    """Parse CSV text into (measure, effects); PoolInputError on the first bad row."""
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader, [])]
    if not header or header == [""]:
        raise PoolInputError(f"{name}: empty file (expected a header row)")
    if measure is None:
        measure = infer_measure(header)
        if measure is None:
            raise PoolInputError(
                f"{name}: row 1 (header): no measure's columns found; expected one of "
                + "; ".join(",".join(c) for c in COLUMNS.values()))
    missing = [c for c in COLUMNS[measure] if c not in header]
    if missing:
        raise PoolInputError(f"{name}: row 1 (header): missing column {', '.join(missing)} "
                             f"for measure {measure}")
    index = {c: header.index(c) for c in COLUMNS[measure]}
    effects, seen = [], {}
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        where = f"{name}: row {line}"
        if len(cells) < len(header):
            raise PoolInputError(f"{where}: {len(cells)} fields, the header has {len(header)}")
        values = {c: cells[i].strip() for c, i in index.items()}
        study = values["study"]
        if not study:
            raise PoolInputError(f"{where}: empty study name")
        if study in seen:
            raise PoolInputError(f"{where}: study {study!r} already given in row {seen[study]}")
        seen[study] = line
        try:
            if measure == "generic":
                yi, vi = _number(values["yi"], "yi"), _number(values["vi"], "vi")
                if vi < 0:
                    raise ValueError(f"negative variance vi {values['vi']}")
                effect = meta.generic_effect(study, yi, vi)
            elif measure == "ratio":
                est, lo, hi = (_number(values[c], c) for c in ("estimate", "ci_low", "ci_high"))
                effect = meta.ratio_effect(study, est, lo, hi)
            else:
                events = _number(values["events"], "events", whole=True)
                total = _number(values["total"], "total", whole=True)
                effect = meta.proportion_effect(study, events, total)
        except (ValueError, meta.MetaError) as err:
            reason = str(err)
            if reason.startswith(f"{study}: "):
                reason = reason[len(study) + 2:]
            raise PoolInputError(f"{where}: {reason}") from None
        effects.append(effect)
    if len(effects) < 2:
        raise PoolInputError(f"{name}: {len(effects)} data row(s): pooling needs two or more")
    return measure, effects


def read_effects(path: str | Path, measure: str | None = None) -> tuple[str, list[meta.Effect]]:
    """Read and parse a pool CSV from disk."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as err:
        raise PoolInputError(f"{path}: cannot read ({err.strerror or err})") from None
    except UnicodeDecodeError:
        raise PoolInputError(f"{path}: not UTF-8 text") from None
    return parse_effects(text, str(path), measure)
