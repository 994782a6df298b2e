"""The built site in headless Chromium with every request off this machine refused.

Each page of the table of contents must load without a console error, draw
every chart with the locally shipped Vega (not just its SVG stand-in), and
link only to pages that exist.
"""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
import yaml

from conftest import serve
from livingreview.book import registry

ROOT = Path(__file__).resolve().parents[2]

def toc_pages() -> list[str]:
    """Every page the table of contents names, as site-relative .html paths."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    pages = [f"{toc.get('root', registry.ROOT_PAGE)}.html"]
    for part in toc.get("parts", []):
        pages += [f"{item['file']}.html" for item in part["chapters"]]
    return pages


@pytest.fixture(scope="module")
def server(site_dir):
    with serve(site_dir) as url:
        yield url


def visit(browser, server: str, page_path: str) -> dict:
    """Open one page offline; report console errors, refused requests and chart states."""
    context = browser.new_context()
    page = context.new_page()
    errors, warnings, refused, missing = [], [], [], []
    origin = urlparse(server).netloc

    def guard(route):
        if urlparse(route.request.url).netloc == origin:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else
            warnings.append(msg.text) if msg.type == "warning" else None)
    page.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    response = page.goto(urljoin(server, page_path), wait_until="load")
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.lr-chart'))"
        ".every(el => el.dataset.rendered !== 'svg')",
        timeout=15000,
    )
    charts = page.eval_on_selector_all(
        ".lr-chart",
        "els => els.map(el => ({id: el.id, state: el.dataset.rendered,"
        " drawn: !!el.querySelector('svg, canvas')}))",
    )
    specs = page.eval_on_selector_all(
        "script.lr-chart-spec", "els => els.map(el => JSON.parse(el.textContent))"
    )
    page.evaluate("() => document.fonts.ready")
    too_wide = page.eval_on_selector_all(
        ".lr-chart",
        "els => els.map(el => ({id: el.id, width: Math.ceil(el.querySelector('svg, canvas')"
        ".getBoundingClientRect().width), column: el.parentElement.clientWidth}))"
        ".filter(c => c.width > c.column)",
    )
    fonts = page.evaluate(
        "() => Array.from(document.fonts).filter(f => f.status === 'loaded').map(f => f.family)"
    )
    links = page.eval_on_selector_all(
        "nav.bd-docs-nav a[href], .bd-sidebar-primary a.reference.internal[href]",
        "els => els.map(el => el.href)",
    )
    context.close()
    return {
        "status": response.status if response else None,
        "errors": errors,
        "warnings": warnings,
        "missing": missing,
        "too_wide": too_wide,
        "fonts": fonts,
        "refused": refused,
        "charts": charts,
        "specs": specs,
        "links": links,
    }


@pytest.fixture(scope="module")
def visits(browser, server) -> dict:
    return {path: visit(browser, server, path) for path in toc_pages()}


def test_every_toc_page_loads(visits):
    assert {p: v["status"] for p, v in visits.items()} == {p: 200 for p in visits}


def test_no_page_logs_a_console_error(visits):
    assert {p: v["errors"] for p, v in visits.items() if v["errors"]} == {}


def test_no_page_logs_a_console_warning(visits):
    # Vega logs its warnings (e.g. "Infinite extent for field") as console warnings.
    assert {p: v["warnings"] for p, v in visits.items() if v["warnings"]} == {}


def test_every_request_is_answered(visits):
    assert {p: v["missing"] for p, v in visits.items() if v["missing"]} == {}


def test_no_chart_is_wider_than_its_column(visits):
    assert {p: v["too_wide"] for p, v in visits.items() if v["too_wide"]} == {}


def test_charts_use_the_font_served_from_static(visits):
    with_charts = [v for v in visits.values() if v["charts"]]
    assert with_charts
    assert all('"DejaVu Sans"' in v["fonts"] or "DejaVu Sans" in v["fonts"] for v in with_charts)


def test_no_page_asks_for_anything_off_this_machine(visits):
    assert {p: v["refused"] for p, v in visits.items() if v["refused"]} == {}


def test_every_chart_is_drawn_by_vega(visits):
    not_drawn = {
        p: [c for c in v["charts"] if c["state"] != "vega" or not c["drawn"]]
        for p, v in visits.items()
    }
    assert {p: c for p, c in not_drawn.items() if c} == {}
    assert sum(len(v["charts"]) for v in visits.values()) > 0


def test_every_chart_has_a_tooltip(visits):
    def has_tooltip(spec) -> bool:
        return '"tooltip"' in json.dumps(spec)

    lacking = {p: [s["id"] for s in v["specs"] if not has_tooltip(s["spec"])] for p, v in visits.items()}
    assert {p: ids for p, ids in lacking.items() if ids} == {}


def test_navigation_links_resolve(visits, site_dir):
    broken = set()
    for v in visits.values():
        for href in v["links"]:
            path = urlparse(href).path.lstrip("/") or "index.html"
            if not (site_dir / path).is_file():
                broken.add(path)
    assert broken == set()
    assert all(v["links"] for v in visits.values())
