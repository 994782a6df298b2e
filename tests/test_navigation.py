"""The book's navigation, written once per build: which pages a toc change makes stale, the
navigation file's content and the contents page for readers without JavaScript."""
from __future__ import annotations

import json

import pytest
from docutils import nodes
from sphinx import addnodes

from livingreview.book import navigation

ORDER = ["intro", "chapters/a", "chapters/b", "chapters/synthesis", "references"]


def relations(order: list[str]) -> dict[str, list]:
    """Sphinx's `collect_relations()` for a book whose root page lists `order[1:]`."""
    out = {}
    for i, doc in enumerate(order):
        parent = None if i == 0 else order[0]
        out[doc] = [parent, order[i - 1] if i else None, order[i + 1] if i + 1 < len(order) else None]
    return out


def titles(order: list[str], **changed) -> dict[str, str]:
    return {doc: changed.get(doc.split("/")[-1], doc.upper()) for doc in order}


def stale(before_order, after_order, before_titles=None, after_titles=None):
    before = navigation.page_links(relations(before_order), before_titles or titles(before_order))
    after = navigation.page_links(relations(after_order), after_titles or titles(after_order))
    return navigation.links_changed(before, after, after_order)


def test_adding_a_chapter_makes_only_its_two_neighbours_stale():
    added = ORDER[:3] + ["chapters/new"] + ORDER[3:]
    # the new page itself is read (and so written) anyway; nobody else's neighbours moved
    assert stale(ORDER, added) == ["chapters/b", "chapters/synthesis"]


def test_removing_a_chapter_makes_only_its_former_neighbours_stale():
    removed = [doc for doc in ORDER if doc != "chapters/b"]
    assert stale(ORDER, removed) == ["chapters/a", "chapters/synthesis"]


def test_a_retitled_page_makes_the_pages_showing_its_title_stale():
    # "previous"/"next" show the neighbour's title; the root page's title is every page's parent
    assert stale(ORDER, ORDER, titles(ORDER), titles(ORDER, b="Renamed")) == ["chapters/a", "chapters/synthesis"]
    assert stale(ORDER, ORDER, titles(ORDER), titles(ORDER, intro="New book title")) == ORDER[1:]


def test_an_unchanged_book_makes_no_page_stale_and_an_unrecorded_one_every_page():
    assert stale(ORDER, ORDER) == []
    links = navigation.page_links(relations(ORDER), titles(ORDER))
    assert navigation.links_changed(None, links, ORDER) == sorted(ORDER)


def test_page_links_name_parents_and_neighbours_with_their_titles():
    links = navigation.page_links(relations(ORDER), titles(ORDER))
    assert links["chapters/a"] == [[["intro", "INTRO"]], ["intro", "INTRO"], ["chapters/b", "CHAPTERS/B"]]
    assert links["intro"] == [[], None, ["chapters/a", "CHAPTERS/A"]]
    cyclic = {"x": ["y", None, None], "y": ["x", None, None]}  # a broken toc must not loop
    assert navigation.page_links(cyclic, {})["x"][0] == [["y", None], ["x", None]]


@pytest.mark.parametrize("base, href, expected", [
    ("intro.html", "chapters/a.html", "chapters/a.html"),
    ("pages/data.html", "../chapters/a.html", "chapters/a.html"),
    ("pages/data.html", "whatsnew.html#top", "pages/whatsnew.html#top"),
    ("intro.html", "https://example.org/x", "https://example.org/x"),
    ("intro.html", "", "intro.html"),
])
def test_links_are_rewritten_from_the_site_root(base, href, expected):
    assert navigation.from_root(base, href) == expected


def _item(href: str, text: str, *children) -> nodes.list_item:
    paragraph = addnodes.compact_paragraph("", "", nodes.reference("", text, refuri=href, internal=True))
    return nodes.list_item("", paragraph, *children)


def test_parts_follow_the_resolved_toctree_captions_lists_and_nesting():
    toctree = addnodes.compact_paragraph(
        "", "",
        nodes.title("", "Studies"),
        nodes.bullet_list("", _item("chapters/a.html", "A"),
                          _item("chapters/b.html", "B", nodes.bullet_list("", _item("chapters/b2.html", "B two")))),
        nodes.bullet_list("", _item("references.html", "References")),  # a toctree without caption
    )
    assert navigation.parts(toctree, "intro.html") == [
        {"caption": "Studies", "entries": [
            {"href": "chapters/a.html", "title": "A", "children": []},
            {"href": "chapters/b.html", "title": "B",
             "children": [{"href": "chapters/b2.html", "title": "B two", "children": []}]}]},
        {"caption": None, "entries": [{"href": "references.html", "title": "References", "children": []}]},
    ]
    assert navigation.parts(None, "intro.html") == []


NAV = {"home": {"href": "intro.html", "title": "The review"},
       "parts": [{"caption": "Studies <b>", "entries": [
           {"href": "chapters/a.html", "title": "Smith 2025 · <script>alert(1)</script>", "children": []}]}]}


def test_navigation_script_sets_one_variable_in_plain_ascii():
    text = navigation.script(NAV)
    assert text.isascii()
    data = text.split("window.livingreviewNavigation = ", 1)[1].split(";\n", 1)[0]
    assert json.loads(data) == NAV
    assert "fetch(" not in text and "XMLHttpRequest" not in text  # works from file:// too


def test_contents_page_lists_every_page_with_titles_escaped():
    body = navigation.contents_body(NAV, prefix="../")
    assert '<a class="reference internal" href="../chapters/a.html">' in body
    assert '<a class="reference internal" href="../intro.html">The review</a>' in body
    assert "<script>" not in body and "&lt;script&gt;" in body and "<h2>Studies &lt;b&gt;</h2>" in body


def test_the_navigation_file_is_written_only_when_it_changes(tmp_path):
    path = tmp_path / "_static" / "navigation.js"
    assert navigation.write_if_changed(path, "a") is True
    stamp = path.stat().st_mtime_ns
    assert navigation.write_if_changed(path, "a") is False and path.stat().st_mtime_ns == stamp
    assert navigation.write_if_changed(path, "b") is True and path.read_text() == "b"
    assert [p.name for p in path.parent.iterdir()] == ["navigation.js"]


def test_asset_digests_follow_the_static_folders_as_sphinx_copies_them(tmp_path):
    for folder, text in (("theme", "old"), ("_static", "new")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "site.js").write_text(text)
    digests = navigation.asset_digests(tmp_path, ["theme", "_static"], ["site.js", ("missing.css", {})])
    only_ours = navigation.asset_digests(tmp_path, ["_static"], ["site.js"])
    assert digests["site.js"] == only_ours["site.js"] and digests["missing.css"] is None
    (tmp_path / "_static" / "site.js").write_text("changed")  # every page links it: all to be written
    assert navigation.asset_digests(tmp_path, ["_static"], ["site.js"]) != only_ours
