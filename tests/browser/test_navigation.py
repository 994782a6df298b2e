"""The sidebar drawn from the one navigation file: every page of the table of contents listed in
order, the page itself marked as the theme marks it, every link resolving, over HTTP and from
file://; without JavaScript a link to the contents page, which lists every page."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin, urlparse
from urllib.request import url2pathname

import pytest

from conftest import serve
from test_site import toc_pages

SIDEBAR = "nav#lr-navigation"


@pytest.fixture(scope="module")
def server(site_dir):
    with serve(site_dir) as url:
        yield url


def sidebar(browser, url: str, javascript: bool = True, lands_on: str | None = None) -> dict:
    """What the primary sidebar shows on the page at `url` (nothing off this machine allowed),
    or at the page `lands_on` it redirects to."""
    context = browser.new_context(java_script_enabled=javascript)
    context.route("**/*", lambda route: route.continue_() if urlparse(route.request.url).scheme == "file"
                  or urlparse(route.request.url).hostname == "127.0.0.1" else route.abort())
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url, wait_until="load")
    if lands_on:
        page.wait_for_url(f"**/{lands_on}", wait_until="load")
    shown = page.eval_on_selector(SIDEBAR, """nav => ({
        links: Array.from(nav.querySelectorAll("a[href]")).filter(a => a.offsetParent !== null)
            .map(a => ({href: a.href, text: a.textContent.trim()})),
        captions: Array.from(nav.querySelectorAll(".caption-text")).map(c => c.textContent),
        current: Array.from(nav.querySelectorAll("[aria-current=page]")).map(a => ({
            href: a.href, link: a.className, item: a.parentElement.className,
            list: a.closest("ul").className})),
        url: location.href.split("#")[0]})""")
    context.close()
    return {**shown, "errors": errors}


def local_path(site_dir: Path, href: str) -> Path:
    """The built file a sidebar link leads to (http://127.0.0.1:port/... or file://...)."""
    parsed = urlparse(href)
    if parsed.scheme == "file":
        return Path(url2pathname(parsed.path))
    return site_dir / (parsed.path.lstrip("/") or "index.html")


def check(shown: dict, site_dir: Path, page: str) -> None:
    assert shown["errors"] == []
    listed = [local_path(site_dir, link["href"]) for link in shown["links"]]
    assert listed == [site_dir / name for name in toc_pages()]  # every page, in the toc's order
    assert all(path.is_file() for path in listed)
    assert all(link["text"] for link in shown["links"])
    assert {"Studies", "Synthesis", "About the data"} <= set(shown["captions"])
    assert len(shown["current"]) == 1
    current = shown["current"][0]
    assert current["href"] == shown["url"] and local_path(site_dir, current["href"]) == site_dir / page
    assert "current" in current["link"].split()
    assert {"current", "active"} <= set(current["item"].split())
    classes = current["list"].split()
    # the part holding the page is marked open; the home link's own list, as the theme does, not
    assert ("current" in classes) != ("bd-sidenav__home-link" in classes)


def test_a_chapters_sidebar_lists_every_page_and_marks_the_chapter(browser, server, site_dir):
    chapter = next(p for p in toc_pages() if p.startswith("chapters/"))
    check(sidebar(browser, urljoin(server, chapter)), site_dir, chapter)


def test_the_root_pages_sidebar_lists_every_page_and_marks_the_home_link(browser, server, site_dir):
    root = toc_pages()[0]
    check(sidebar(browser, urljoin(server, root)), site_dir, root)
    check(sidebar(browser, server, lands_on=root), site_dir, root)  # the site's address redirects to the root page


def test_the_sidebar_is_drawn_from_a_file_url_too(browser, site_dir):
    page = [p for p in toc_pages() if p.startswith("pages/")][0]
    check(sidebar(browser, (site_dir / page).as_uri()), site_dir, page)


def test_without_javascript_the_sidebar_links_the_contents_page_which_lists_every_page(
        browser, server, site_dir):
    chapter = next(p for p in toc_pages() if p.startswith("chapters/"))
    shown = sidebar(browser, urljoin(server, chapter), javascript=False)
    assert [local_path(site_dir, link["href"]) for link in shown["links"]] == [site_dir / "contents.html"]
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(urljoin(server, "contents.html"), wait_until="load")
    links = page.eval_on_selector_all("#contents a[href]", "els => els.map(a => a.href)")
    context.close()
    assert [local_path(site_dir, href) for href in links] == [site_dir / name for name in toc_pages()]
