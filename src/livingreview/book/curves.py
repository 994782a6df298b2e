"""Digitised Kaplan–Meier figures on disk: reading, finding, rebuilding and writing pseudo patient data.

Layout (one figure's arm): ``data/curves/<id>/<endpoint>--<arm>.csv`` with a header naming
``time,survival`` (a fraction or a percentage, as WebPlotDigitizer exports it once the columns
are named; extra columns are ignored), the figure's numbers-at-risk table beside it as
``<endpoint>--<arm>.risk.csv`` with ``time,at_risk``, and optionally ``<endpoint>--<arm>.yml``
with ``total_events`` and/or ``n`` (whole numbers) and ``figure`` and ``digitised_by`` (text the
chapter shows: which figure of the paper, and who digitised it). ``<arm>`` is the arm's name as the
study record gives it, in lower case with every run of other characters one hyphen
("TACE plus camrelizumab" -> ``tace-plus-camrelizumab``). Every input error is one ``CurveFileError`` line naming the
file and its line number.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import yaml

from livingreview.analysis import guyot

CURVES_DIR = Path("data") / "curves"
RISK_SUFFIX = ".risk.csv"
META_SUFFIX = ".yml"


class CurveFileError(ValueError):
    """A digitised-curve file that cannot be used; the message is ``path: line N: reason``."""


@dataclass(frozen=True)
class Table:
    """Rows of a two-column table as read, with each row's line number in its file."""

    path: Path
    rows: tuple[tuple[float, float], ...]
    lines: tuple[int, ...]


@dataclass(frozen=True)
class CurveFiles:
    """One digitised arm of one study's figure: the curve, its risk table and its YAML (if present)."""

    study: str
    endpoint: str
    arm: str
    curve: Path
    risk: Path | None
    meta: Path | None


def read_table(path: Path | str, columns: tuple[str, str]) -> Table:
    """Read a CSV with (at least) the two named columns into floats, refusing the first bad row."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise CurveFileError(f"{path}: cannot read ({err})") from None
    reader = csv.reader(io.StringIO(text))
    header = None
    rows, lines = [], []
    for record in reader:
        if not any(cell.strip() for cell in record):
            continue
        if header is None:
            header = [cell.strip().lower() for cell in record]
            missing = [c for c in columns if c not in header]
            if missing:
                raise CurveFileError(
                    f"{path}: line {reader.line_num}: missing column {', '.join(missing)} "
                    f"(the header must name {','.join(columns)})")
            idx = [header.index(c) for c in columns]
            continue
        values = []
        for name, j in zip(columns, idx):
            cell = record[j].strip() if j < len(record) else ""
            try:
                values.append(float(cell))
            except ValueError:
                raise CurveFileError(f"{path}: line {reader.line_num}: {name} {cell!r} is not a number") from None
        rows.append(tuple(values))
        lines.append(reader.line_num)
    if header is None:
        raise CurveFileError(f"{path}: line 1: empty file (the header must name {','.join(columns)})")
    if not rows:
        raise CurveFileError(f"{path}: line {reader.line_num + 1}: no data rows")
    return Table(path, tuple(rows), tuple(lines))


def read_meta(path: Path | str) -> dict:
    """The optional YAML beside a curve: ``total_events`` and ``n`` as whole numbers, ``figure`` and
    ``digitised_by`` as one line of text each (other keys ignored)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as err:
        raise CurveFileError(f"{path}: line 1: cannot read YAML ({err})".replace("\n", " ")) from None
    if not isinstance(data, dict):
        raise CurveFileError(f"{path}: line 1: expected a mapping with total_events and/or n")
    out = {}
    for key in ("total_events", "n"):
        value = data.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise CurveFileError(f"{path}: {key}: {value!r} is not a whole number")
        out[key] = value
    for key in ("figure", "digitised_by"):
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip() or "\n" in value.strip():
            raise CurveFileError(f"{path}: {key}: {value!r} is not one line of text")
        out[key] = value.strip()
    return out


def sibling(curve: Path | str, suffix: str) -> Path:
    """The risk table or YAML path beside a curve CSV (``x.csv`` -> ``x.risk.csv`` / ``x.yml``)."""
    curve = Path(curve)
    return curve.with_name(curve.name[: -len(".csv")] + suffix if curve.name.endswith(".csv") else curve.name + suffix)


def meta_beside(curve: Path | str) -> dict:
    """The YAML beside a curve (``total_events``, ``n``), or nothing when there is none."""
    meta = sibling(curve, META_SUFFIX)
    return read_meta(meta) if meta.is_file() else {}


def rebuild(curve: Path | str, risk: Path | str | None = None, *, total_events: int | None = None,
            n: int | None = None) -> guyot.Reconstruction:
    """Read the files and run the Guyot reconstruction; input errors become one file-and-line message."""
    points = read_table(curve, ("time", "survival"))
    table = read_table(risk, ("time", "at_risk")) if risk is not None else None
    try:
        return guyot.reconstruct(points.rows, table.rows if table else None, total_events=total_events, n=n)
    except guyot.CurveInputError as err:
        source = {"curve": points, "risk": table}.get(err.which)
        if source is None:
            raise CurveFileError(f"{Path(curve)}: {err}") from None
        reason = str(err).split(": ", 1)[1] if str(err).startswith("row ") else str(err)
        line = source.lines[err.index] if err.index is not None else source.lines[0]
        raise CurveFileError(f"{source.path}: line {line}: {reason}") from None


def find_curves(root: Path) -> list[CurveFiles]:
    """Every digitised arm under ``data/curves/<id>/``, sorted by study, endpoint and arm."""
    found = []
    base = Path(root) / CURVES_DIR
    for path in sorted(base.glob("*/*.csv")):
        if path.name.endswith(RISK_SUFFIX) or "--" not in path.stem:
            continue
        endpoint, arm = path.stem.split("--", 1)
        risk, meta = sibling(path, RISK_SUFFIX), sibling(path, META_SUFFIX)
        found.append(CurveFiles(path.parent.name, endpoint, arm, path,
                                risk if risk.is_file() else None, meta if meta.is_file() else None))
    return sorted(found, key=lambda c: (c.study, c.endpoint, c.arm))


def rebuild_all(root: Path, study: str | None = None) -> list[tuple[CurveFiles, guyot.Reconstruction]]:
    """Rebuild every digitised arm (of one study when given), with its risk table and YAML totals."""
    out = []
    for files in find_curves(root):
        if study is not None and files.study != study:
            continue
        meta = read_meta(files.meta) if files.meta else {}
        out.append((files, rebuild(files.curve, files.risk, total_events=meta.get("total_events"),
                                   n=meta.get("n"))))
    return out


def study_curves(root: Path, study: str) -> list[tuple[CurveFiles, guyot.Reconstruction, dict]]:
    """One study's digitised arms, rebuilt, with their YAML; errors name files relative to ``root``."""
    root = Path(root)
    found = []
    for files in find_curves(root):
        if files.study != study:
            continue
        try:
            meta = read_meta(files.meta) if files.meta else {}
            rec = rebuild(files.curve, files.risk, total_events=meta.get("total_events"), n=meta.get("n"))
        except CurveFileError as err:
            text = str(err)
            prefix = f"{root}/"
            raise CurveFileError(text[len(prefix):] if text.startswith(prefix) else text) from None
        found.append((files, rec, meta))
    return found


def study_files(root: Path, study: str) -> list[Path]:
    """Every file in ``data/curves/<study>/`` (the chapter's curve inputs), sorted by name."""
    folder = Path(root) / CURVES_DIR / study
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


def ipd_csv(ipd) -> str:
    """The ``time,event`` CSV text of pseudo patient data (times to 6 significant digits)."""
    return "time,event\n" + "".join(f"{t:.6g},{e}\n" for t, e in ipd)


def write_ipd(path: Path | str, ipd) -> None:
    """Write pseudo patient data as ``time,event`` CSV; a failed write is one CurveFileError line."""
    try:
        Path(path).write_text(ipd_csv(ipd), encoding="utf-8")
    except OSError as err:
        raise CurveFileError(f"{path}: cannot write ({err.strerror})") from None
