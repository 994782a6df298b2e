"""The page objects' one `load`: read the registry, sources, curations, appraisals (prose and
structured) and digitised curves, hand them to `present`; a bad file raises its one line."""
from __future__ import annotations

from pathlib import Path

from livingreview.analysis import rebuilt
from livingreview.book import appraisals, cache, curation, curves, registry, toc
from livingreview.extract.document import SourceError
from livingreview.present import render
from livingreview.present.chapter import ChapterPage
from livingreview.present.synthesis_page import SynthesisPage


def rebuilt_arms(root: Path, record: dict, study_id: str) -> tuple[rebuilt.RebuiltArm, ...]:
    """The study's digitised Kaplan–Meier arms (data/curves/<study_id>/, the registry id), rebuilt
    and matched to its record.

    A bad curve file raises `curves.CurveFileError`, one line naming the file (relative to the
    project) and its line."""
    found = curves.study_curves(root, study_id)
    return tuple(rebuilt.rebuilt_arm(record, files.endpoint, files.arm, rec,
                                     files.curve.relative_to(root).as_posix(), meta)
                 for files, rec, meta in found)


def chapter_page(source_id: str) -> ChapterPage:
    """The chapter of one registered study: its record extracted from the source as registered,
    then curated by its reviewer's file (data/curation/<id>.yaml) when there is one."""
    render.enable()
    root = registry.project_root()
    cache.install(root)
    entry = registry.find(registry.load(root), source_id)
    record = curation.curated_record(root, entry)
    appraisal = entry.appraisal_path(root)
    text = appraisal.read_text(encoding="utf-8") if appraisal.is_file() else None
    arms = rebuilt_arms(root, record, entry.id) if record["is_primary_study"] else ()
    return ChapterPage(entry, record, text, appraisals.read_appraisal(root, entry.id), arms)


def synthesis_page() -> SynthesisPage:
    """Every registered study's (curated) record, appraisal and rebuilt curves, for the synthesis
    and patient pages."""
    render.enable()
    root = registry.project_root()
    cache.install(root)
    entries = registry.load(root)
    found = toc.records_for(root, entries)
    good = {i: r for i, r in found.items() if not isinstance(r, SourceError)}
    # Appraisal and curve files are named by registry id; the pages know each study by its record's id.
    by_record = {r["id"]: appraisals.read_appraisal(root, i) for i, r in good.items()}
    arms = {r["id"]: rebuilt_arms(root, r, i) for i, r in good.items() if r["is_primary_study"]}
    return SynthesisPage(entries, list(good.values()), by_record, {k: v for k, v in arms.items() if v})
