"""Markup inside a source document shows as text on the built site and never runs.

The fixture's title, authors, journal and one quoted result carry <script>,
<img onerror> and Markdown links; the whole pipeline (extract, papermill,
Jupyter Book) runs on it, and the pages are opened in Chromium.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import serve
from livingreview.book import registry
from projects import make_project
from test_site import visit

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "untrusted" / "markup_in_source.md"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    project = make_project(tmp_path_factory.mktemp("untrusted") / "book", [FIXTURE])
    done = subprocess.run(
        [sys.executable, "-m", "livingreview", "build"], cwd=project,
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return project / "_build" / "html"


@pytest.fixture(scope="module")
def chapter(hostile_site) -> str:
    (page,) = [p for p in (hostile_site / "chapters").glob("*.html") if p.stem not in registry.SYNTHESIS_NAMES]
    return f"chapters/{page.name}"


@pytest.fixture(scope="module")
def hostile_server(hostile_site):
    with serve(hostile_site) as url:
        yield url


def test_no_source_markup_runs_on_any_page(browser, hostile_server, chapter):
    for path in (chapter, "chapters/synthesis.html", "chapters/patients.html"):
        page = browser.new_page()
        page.goto(hostile_server + path, wait_until="load")
        page.wait_for_timeout(500)
        for mark in page.query_selector_all(".lr-chart svg [role='graphics-symbol']")[:20]:
            mark.hover(force=True)
        assert page.evaluate("() => window.__pwned") is None, path
        assert page.query_selector("img[src='x'], img[src='y']") is None, path
        assert page.query_selector("a[href^='javascript:']") is None, path
        page.close()


def test_title_and_quote_show_their_markup_as_text(browser, hostile_server, chapter):
    page = browser.new_page()
    page.goto(hostile_server + chapter, wait_until="load")
    heading = page.inner_text("h1")
    assert '<script>window.__pwned = "title";</script>' in heading
    table = page.inner_text("table.lr-endpoints, .lr-endpoints")
    assert '<script>window.__pwned = "quote"' in table
    page.close()


def test_tooltips_show_the_quote_escaped(browser, hostile_server, chapter):
    result = visit(browser, hostile_server, chapter)
    assert result["errors"] == [] and result["refused"] == []
    page = browser.new_page()
    page.goto(hostile_server + chapter, wait_until="load")
    page.wait_for_function("() => document.querySelector('.lr-chart[data-rendered=vega]')")
    shown = []
    for mark in page.query_selector_all(".lr-chart[data-rendered=vega] svg [role='graphics-symbol']"):
        mark.hover(force=True)
        tip = page.query_selector("#vg-tooltip-element")
        if tip and "<script>" in (tip.inner_text() or ""):
            shown.append(tip.inner_html())
            break
    page.close()
    assert shown, "no tooltip showed the quote with markup"
    assert "&lt;script&gt;" in shown[0] and "<script" not in shown[0]
