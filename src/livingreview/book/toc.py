"""The book's structure, derived from the registry: chapter jobs and the table of contents."""
from __future__ import annotations

from pathlib import Path

import yaml

from livingreview.book import curation, registry
from livingreview.extract.document import SourceError
from livingreview.book.execute import Job
from livingreview.present.formatting import markdown_escape, short_title
from livingreview.book.registry import CHAPTER_TEMPLATE, CHAPTERS, SYNTHESIS_PAGES

def records_for(root: Path, entries: list[registry.Entry]) -> dict[str, dict | SourceError]:
    """Each entry's curated record, or the SourceError that stopped it (the build reports those).

    A curation file that does not apply raises CurationFileError: the build stops before writing.
    """
    curation.check_folder(root, entries)
    out: dict[str, dict | SourceError] = {}
    for entry in entries:
        try:
            out[entry.id] = curation.curated_record(root, entry)
        except SourceError as err:
            out[entry.id] = err
    return out


def chapter_jobs(root: Path, entries: list[registry.Entry], records: dict) -> list[Job]:
    jobs = []
    for entry in entries:
        record = records.get(entry.id)
        title = record["title"] if isinstance(record, dict) and record.get("title") else entry.id
        jobs.append(
            Job(
                template=root / CHAPTER_TEMPLATE,
                output=entry.chapter_path(root),
                parameters={"source_id": entry.id},
                heading=f"{markdown_escape(title)}\n\nCited as {{cite:p}}`{entry.id}`.",
            )
        )
    for template in SYNTHESIS_PAGES:
        if (root / template).is_file():
            jobs.append(Job(root / template, root / CHAPTERS / template.name, {}, None))
    return jobs


def toc(entries: list[registry.Entry], records: dict, root: Path | None = None) -> dict:
    """The `_toc.yml` content: intro, studies, other documents, synthesis pages.

    A source that no longer extracts keeps its page only while its last good
    chapter notebook exists under `root`.
    """
    studies, others = [], []
    for entry in entries:
        record = records.get(entry.id)
        item = {"file": f"chapters/{entry.id}"}
        if isinstance(record, dict):
            item["title"] = short_title(record)
            (studies if record["is_primary_study"] else others).append(item)
        elif root is not None and (root / CHAPTERS / f"{entry.id}.ipynb").is_file():
            studies.append(item)
    parts = [{"caption": "Studies", "chapters": studies}]
    if others:
        parts.append({"caption": "Other documents", "chapters": others})
    for page in registry.FIXED_PAGES[1:]:
        if parts[-1]["caption"] != page.part:
            parts.append({"caption": page.part, "chapters": []})
        parts[-1]["chapters"].append({"file": page.docname})
    return {"format": "jb-book", "root": registry.ROOT_PAGE, "parts": parts}


def toc_text(entries: list[registry.Entry], records: dict, root: Path | None = None) -> str:
    header = "# Generated from data/registry.yaml by `python -m livingreview toc`; do not edit.\n"
    return header + yaml.safe_dump(toc(entries, records, root), sort_keys=False, allow_unicode=True)
