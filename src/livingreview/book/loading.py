"""The page objects' one `load`: read the registry, sources and appraisals, hand them to `present`."""
from __future__ import annotations

from livingreview.book import cache, registry, toc
from livingreview.book.sources import extract
from livingreview.extract.document import SourceError
from livingreview.present import render
from livingreview.present.chapter import ChapterPage
from livingreview.present.synthesis_page import SynthesisPage


def chapter_page(source_id: str) -> ChapterPage:
    """The chapter of one registered study, its record extracted from the source as registered."""
    render.enable()
    root = registry.project_root()
    cache.install(root)
    entry = registry.find(registry.load(root), source_id)
    record = extract(entry.source_path(root), entry.shown)
    appraisal = entry.appraisal_path(root)
    text = appraisal.read_text(encoding="utf-8") if appraisal.is_file() else None
    return ChapterPage(entry, record, text)


def synthesis_page() -> SynthesisPage:
    """Every registered study's record, for the synthesis and patient pages."""
    render.enable()
    root = registry.project_root()
    cache.install(root)
    entries = registry.load(root)
    found = toc.records_for(root, entries)
    return SynthesisPage(entries, [r for r in found.values() if not isinstance(r, SourceError)])
