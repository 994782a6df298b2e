"""The book's Sphinx extension: its hooks run inside `jupyter-book build`.

Kept apart from the pages `build` writes beforehand (book/pages.py): Sphinx imports this module
on every site build, so it imports only what its hooks need, never pandas or the extractor
(which cost about a second of every incremental build).
"""
from __future__ import annotations

from pathlib import Path

from livingreview.book import history
from livingreview.book import navigation
from livingreview.book import registry


def last_updated_hook(app, pagename, templatename, context, doctree) -> None:
    """Sphinx hook: a chapter's "last updated" is the last commit of its source, appraisal or curation."""
    if not pagename.startswith(f"{registry.CHAPTERS.as_posix()}/"):
        return
    root = Path(app.srcdir)
    study = pagename.split("/", 1)[1]
    if study in registry.SYNTHESIS_NAMES:
        context["last_updated"] = history.last_updated(root, "data") or "not yet committed"
        return
    paths = [p for p in (root / "data" / "sources").glob(f"{study}.*")]
    paths.append(root / "data" / "appraisals" / f"{study}.md")
    paths.append(registry.curation_path(root, study))
    found = [p.relative_to(root) for p in paths if p.exists()]
    date = history.last_updated(root, *found) if found else None
    context["last_updated"] = date or "not yet committed"


def setup(app):
    """Connect the hooks: "last updated" dates and the navigation written once per build."""
    app.connect("html-page-context", last_updated_hook)
    app.connect("html-page-context", navigation.page_uri)
    app.connect("env-updated", navigation.rewrite_neighbours)
    app.connect("html-collect-pages", navigation.write_navigation)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
