"""Read a study's structured appraisal, ``data/appraisals/<id>.yaml``, beside its prose ``.md``.

The file holds ``risk_of_bias`` (one entry, or a list with one per outcome; see
``analysis.risk_of_bias``) and, optionally, ``indirectness`` (population / intervention /
comparator / outcome, each with a one-line reason) for GRADE. A missing file means "not
assessed"; a malformed one is an error naming the file.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from livingreview.analysis import grade
from livingreview.analysis import risk_of_bias as rob

APPRAISALS = Path("data") / "appraisals"


@dataclass(frozen=True)
class StructuredAppraisal:
    study: str
    risk_of_bias: tuple[rob.Assessment, ...] = ()
    indirectness: dict = field(default_factory=dict)


def appraisal_yaml(root: Path, study: str) -> Path:
    return root / APPRAISALS / f"{study}.yaml"


def parse_appraisal(study: str, data, name: str) -> StructuredAppraisal:
    """Check the parsed YAML of one appraisal file; errors are prefixed with the file's name."""
    if data is None:
        return StructuredAppraisal(study)
    if not isinstance(data, dict):
        raise rob.AppraisalError(f"{name}: expected a mapping at the top level")
    unknown = sorted(set(data) - {"risk_of_bias", "indirectness"})
    if unknown:
        raise rob.AppraisalError(f"{name}: unknown key {', '.join(unknown)} "
                                 "(expected risk_of_bias, indirectness)")
    try:
        assessments = rob.read_assessments(study, data.get("risk_of_bias"))
    except rob.AppraisalError as err:
        raise rob.AppraisalError(f"{name}: {err}") from None
    flags = data.get("indirectness") or {}
    if not isinstance(flags, dict):
        raise rob.AppraisalError(f"{name}: indirectness must map a kind to its reason")
    bad = sorted(set(flags) - set(grade.INDIRECTNESS_KINDS))
    if bad:
        raise rob.AppraisalError(f"{name}: unknown indirectness kind {', '.join(map(str, bad))} "
                                 f"(use {', '.join(grade.INDIRECTNESS_KINDS)})")
    empty = sorted(k for k, v in flags.items() if not str(v or "").strip())
    if empty:
        raise rob.AppraisalError(f"{name}: indirectness {', '.join(empty)} has no reason")
    return StructuredAppraisal(study, tuple(assessments), {k: str(v).strip() for k, v in flags.items()})


def read_appraisal(root: Path, study: str) -> StructuredAppraisal:
    """The structured appraisal of a study; empty (not assessed) when it has no YAML file."""
    path = appraisal_yaml(root, study)
    if not path.is_file():
        return StructuredAppraisal(study)
    name = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise rob.AppraisalError(f"{name}: not valid YAML ({err})") from None
    return parse_appraisal(study, data, name)
