"""The page objects' one `load`: read the registry, sources and appraisals (prose and structured),
hand them to `present`; a bad appraisal file raises its one-line AppraisalError."""
from __future__ import annotations

from livingreview.book import appraisals, registry, toc
from livingreview.book.sources import extract
from livingreview.extract.document import SourceError
from livingreview.present import render
from livingreview.present.chapter import ChapterPage
from livingreview.present.synthesis_page import SynthesisPage


def chapter_page(source_id: str) -> ChapterPage:
    """The chapter of one registered study, its record extracted from the source as registered."""
    render.enable()
    root = registry.project_root()
    entry = registry.find(registry.load(root), source_id)
    record = extract(entry.source_path(root), entry.shown)
    appraisal = entry.appraisal_path(root)
    text = appraisal.read_text(encoding="utf-8") if appraisal.is_file() else None
    return ChapterPage(entry, record, text, appraisals.read_appraisal(root, entry.id))


def synthesis_page() -> SynthesisPage:
    """Every registered study's record, for the synthesis and patient pages."""
    render.enable()
    root = registry.project_root()
    entries = registry.load(root)
    found = toc.records_for(root, entries)
    good = {i: r for i, r in found.items() if not isinstance(r, SourceError)}
    # Appraisal files are named by registry id; the pages know each study by its record's id.
    by_record = {r["id"]: appraisals.read_appraisal(root, i) for i, r in good.items()}
    return SynthesisPage(entries, list(good.values()), by_record)
