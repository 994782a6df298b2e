"""Read a study's structured appraisal, ``data/appraisals/<id>.yaml``, beside its prose ``.md``.

The file holds ``risk_of_bias`` (one entry, or a list with one per outcome; see
``analysis.risk_of_bias``), optionally ``indirectness`` (population / intervention /
comparator / outcome, each with a one-line reason) for GRADE, and optionally ``certainty``: a
reviewer's override of a GRADE rating (``outcome``, ``level``, ``reason``, and ``modality`` or
``comparison`` to narrow it), shown as such beside the computed rating. A missing file means "not
assessed"; a malformed one is an error naming the file.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from livingreview.analysis import grade
from livingreview.analysis import risk_of_bias as rob
from livingreview.analysis.evidence import Appraisal, read_overrides

APPRAISALS = Path("data") / "appraisals"
KEYS = ("risk_of_bias", "indirectness", "certainty")
StructuredAppraisal = Appraisal  # the name this module used first


def appraisal_yaml(root: Path, study: str) -> Path:
    return root / APPRAISALS / f"{study}.yaml"


def parse_appraisal(study: str, data, name: str) -> Appraisal:
    """Check the parsed YAML of one appraisal file; errors are prefixed with the file's name."""
    if data is None:
        return Appraisal(study)
    if not isinstance(data, dict):
        raise rob.AppraisalError(f"{name}: expected a mapping at the top level")
    unknown = sorted(set(map(str, data)) - set(KEYS))
    if unknown:
        raise rob.AppraisalError(f"{name}: unknown key {', '.join(unknown)} "
                                 f"(expected {', '.join(KEYS)})")
    try:
        assessments = rob.read_assessments(study, data.get("risk_of_bias"))
        overrides = read_overrides(study, data.get("certainty"))
    except rob.AppraisalError as err:
        raise rob.AppraisalError(f"{name}: {err}") from None
    flags = data.get("indirectness") or {}
    if not isinstance(flags, dict):
        raise rob.AppraisalError(f"{name}: indirectness must map a kind to its reason")
    bad = sorted(set(map(str, flags)) - set(grade.INDIRECTNESS_KINDS))
    if bad:
        raise rob.AppraisalError(f"{name}: unknown indirectness kind {', '.join(bad)} "
                                 f"(use {', '.join(grade.INDIRECTNESS_KINDS)})")
    empty = sorted(k for k, v in flags.items() if not str(v or "").strip())
    if empty:
        raise rob.AppraisalError(f"{name}: indirectness {', '.join(empty)} has no reason")
    return Appraisal(study, tuple(assessments), {k: str(v).strip() for k, v in flags.items()},
                     overrides)


def read_appraisal(root: Path, study: str) -> Appraisal:
    """The structured appraisal of a study; empty (not assessed) when it has no YAML file."""
    path = appraisal_yaml(root, study)
    if not path.is_file():
        return Appraisal(study)
    name = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise rob.AppraisalError(f"{name}: not UTF-8 text") from None
    except yaml.YAMLError as err:
        raise rob.AppraisalError(f"{name}: not valid YAML ({' '.join(str(err).split())})") from None
    return parse_appraisal(study, data, name)


def read_all(root: Path, ids) -> dict[str, Appraisal]:
    """Every listed study's structured appraisal (the first bad file raises its one-line error)."""
    return {study: read_appraisal(root, study) for study in ids}


def problems(root: Path, ids) -> list[str]:
    """One line per appraisal file that cannot be used (empty when all can)."""
    out = []
    for study in ids:
        try:
            read_appraisal(root, study)
        except rob.AppraisalError as err:
            out.append(str(err))
    return out
