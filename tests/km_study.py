"""The invented TACE + camrelizumab trial with a digitised OS figure (tests/fixtures/km_study/)."""
from __future__ import annotations

import sys
from pathlib import Path

from livingreview.analysis import rebuilt
from livingreview.book import curves
from livingreview.book.sources import extract

FIXTURE = Path(__file__).parent / "fixtures" / "km_study"
DOCUMENT = FIXTURE / "tace_camrelizumab_trial.txt"
CURVES = FIXTURE / "curves"
STUDY_ID = "transarterial_nd_tace_ici"  # what the extractor names it, so `add` would register it so


def record() -> dict:
    """The document's study record, as a chapter sees it once registered."""
    return extract(DOCUMENT, f"data/sources/{STUDY_ID}.txt")


def arms(record_: dict | None = None, folder: Path = CURVES) -> tuple[rebuilt.RebuiltArm, ...]:
    """The figure's arms rebuilt from the fixture's files, matched to the record."""
    record_ = record_ or record()
    out = []
    for curve in sorted(folder.glob("*.csv")):
        if curve.name.endswith(curves.RISK_SUFFIX):
            continue
        endpoint, arm = curve.stem.split("--", 1)
        meta = curves.meta_beside(curve)
        rec = curves.rebuild(curve, curves.sibling(curve, curves.RISK_SUFFIX),
                             total_events=meta.get("total_events"), n=meta.get("n"))
        out.append(rebuilt.rebuilt_arm(record_, endpoint, arm, rec,
                                       f"data/curves/{STUDY_ID}/{curve.name}", meta))
    return tuple(rebuilt.ordered(record_, out))


def generator():
    """The fixture's generator module (it rewrites the figure's files from the fixed seed)."""
    sys.path.insert(0, str(FIXTURE))
    try:
        import generate
    finally:
        sys.path.remove(str(FIXTURE))
    return generate
