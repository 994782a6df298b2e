"""The page objects' one `load`: read the registry, sources and appraisals, hand them to `present`."""
from __future__ import annotations

from livingreview.book import curation, registry, toc
from livingreview.extract.document import SourceError
from livingreview.present import render
from livingreview.present.chapter import ChapterPage
from livingreview.present.synthesis_page import SynthesisPage


def chapter_page(source_id: str) -> ChapterPage:
    """The chapter of one registered study: its record extracted from the source as registered,
    then curated by its reviewer's file (data/curation/<id>.yaml) when there is one."""
    render.enable()
    root = registry.project_root()
    entry = registry.find(registry.load(root), source_id)
    record = curation.curated_record(root, entry)
    appraisal = entry.appraisal_path(root)
    text = appraisal.read_text(encoding="utf-8") if appraisal.is_file() else None
    return ChapterPage(entry, record, text)


def synthesis_page() -> SynthesisPage:
    """Every registered study's record, for the synthesis and patient pages."""
    render.enable()
    root = registry.project_root()
    entries = registry.load(root)
    found = toc.records_for(root, entries)
    return SynthesisPage(entries, [r for r in found.values() if not isinstance(r, SourceError)])
