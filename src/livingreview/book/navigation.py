"""The book's navigation, written once per build instead of into every page.

Every page's sidebar lists the whole book, so with the theme's own sidebar a new chapter meant
writing every page again. Instead the Sphinx extension (book/sphinx_extension.py) writes the table of
contents once per build to `_static/navigation.js`, our sidebar template
(`_templates/livingreview-navigation.html`) holds an empty nav that `_static/livingreview.js` fills
from it, and a page is written again only when its own previous/next links changed. Readers
without JavaScript get a link to `contents.html`, the same list as plain HTML.
"""
from __future__ import annotations

import hashlib
import html
import json
import posixpath
from pathlib import Path

from livingreview.book.transaction import write_atomically

SCRIPT = Path("_static") / "navigation.js"  # under the HTML output folder
CONTENTS_PAGE = "contents"  # the plain-HTML list for readers without JavaScript
LINKS_ATTR = "livingreview_page_links"  # each page's neighbours, kept in Sphinx's pickled environment
PAGE_URI = "livingreview_page_uri"  # template variable: the page's address from the site root


def _absolute(href: str) -> bool:
    return "://" in href or href.startswith(("mailto:", "//"))


def from_root(base: str, href: str) -> str:
    """`href` written relative to the page at `base` (both from the site root), as an address from
    the site root; absolute addresses and a fragment are kept."""
    if _absolute(href):
        return href
    target, hash_, fragment = href.partition("#")
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(base), target)) if target else base
    return joined + hash_ + fragment


def entries(bullet_list, base: str) -> list[dict]:
    """The links of a resolved toctree's bullet list (docutils nodes), nested as the toctree is:
    each `{"href", "title", "children"}`, `href` from the site root."""
    from docutils import nodes

    out = []
    for item in bullet_list.children:
        if not isinstance(item, nodes.list_item):
            continue
        reference = next(iter(item.findall(nodes.reference)), None)
        if reference is None:
            continue
        children = [c for c in item.children if isinstance(c, nodes.bullet_list)]
        out.append({
            "href": from_root(base, reference.get("refuri", "")),
            "title": reference.astext(),
            "children": [e for child in children for e in entries(child, base)],
        })
    return out


def parts(toctree, base: str) -> list[dict]:
    """The book's parts from Sphinx's global toctree (captions followed by their bullet lists):
    each `{"caption", "entries"}`, the caption None for a toctree without one."""
    from docutils import nodes

    out, caption = [], None
    for child in toctree.children if toctree is not None else []:
        if isinstance(child, (nodes.title, nodes.caption)):
            caption = child.astext()
        elif isinstance(child, nodes.bullet_list):
            out.append({"caption": caption, "entries": entries(child, base)})
            caption = None
    return out


def script(navigation: dict) -> str:
    """`_static/navigation.js`: the navigation as one variable (a script, not JSON fetched at run
    time, so it also loads from file://), then a call to draw it if livingreview.js is in."""
    data = json.dumps(navigation, ensure_ascii=True, sort_keys=True, indent=1)
    return ("// The book's table of contents, written by the build (livingreview.book.navigation).\n"
            f"window.livingreviewNavigation = {data};\n"
            "if (window.livingreview && window.livingreview.navigation) { window.livingreview.navigation(); }\n")


def _list_html(items: list[dict], prefix: str) -> str:
    rows = []
    for entry in items:
        href = entry["href"] if _absolute(entry["href"]) else prefix + entry["href"]
        nested = _list_html(entry["children"], prefix) if entry["children"] else ""
        rows.append(f'<li><a class="reference internal" href="{html.escape(href)}">'
                    f'{html.escape(entry["title"])}</a>{nested}</li>')
    return "<ul>\n" + "\n".join(rows) + "\n</ul>\n"


def contents_body(navigation: dict, prefix: str = "") -> str:
    """The contents page's body: every part and page as plain links (`prefix` leads from that page
    to the site root)."""
    out = ['<section id="contents">\n<h1>Contents</h1>\n']
    home = navigation.get("home")
    if home:
        out.append(_list_html([{**home, "children": []}], prefix))
    for part in navigation["parts"]:
        if part["caption"]:
            out.append(f"<h2>{html.escape(part['caption'])}</h2>\n")
        out.append(_list_html(part["entries"], prefix))
    out.append("</section>\n")
    return "".join(out)


def page_links(relations: dict[str, list], titles: dict[str, str]) -> dict[str, list]:
    """What each page shows of other pages, besides the sidebar: its parents and its previous and
    next pages (Sphinx's `collect_relations()`), each with its title."""
    def named(doc):
        return [doc, titles.get(doc)] if doc else None

    out = {}
    for doc, (parent, previous, following) in relations.items():
        parents, seen = [], set()
        while parent and parent not in seen:
            seen.add(parent)
            parents.append(named(parent))
            parent = relations.get(parent, [None])[0]
        out[doc] = [parents, named(previous), named(following)]
    return out


def links_changed(before: dict[str, list] | None, after: dict[str, list], docs) -> list[str]:
    """The pages (of `docs`) to write again though not read again: those whose parents,
    previous or next page (or their titles) changed; every page when nothing was recorded."""
    if before is None:
        return sorted(docs)
    return sorted(d for d in docs if d in before and before[d] != after.get(d))


def write_if_changed(path: Path, text: str) -> bool:
    """Write `text` to `path` (a build output) unless it already holds it; True if written. The
    rename makes a reader see the old file or the new one, never half of it."""
    if path.is_file() and path.read_bytes() == text.encode("utf-8"):
        return False
    write_atomically(path, text)
    return True


# --- Sphinx hooks (connected in book/sphinx_extension.py) --------------------------------------


def book_navigation(app) -> dict:
    """The whole book's navigation as the sidebar lists it (Sphinx's global toctree of the root
    page, hidden toctrees included, page titles only), links from the site root."""
    from sphinx.environment.adapters.toctree import global_toctree_for_doc

    env, builder = app.env, app.builder
    root = app.config.root_doc
    base = builder.get_target_uri(root)
    toctree = global_toctree_for_doc(env, root, builder, collapse=False, includehidden=True,
                                     maxdepth=0, titles_only=True)
    title = env.titles.get(root)
    return {"home": {"href": base, "title": title.astext() if title is not None else root},
            "parts": parts(toctree, base)}


def asset_digests(srcdir: Path, static_paths: list[str], names: list) -> dict[str, str | None]:
    """A hash of each script and style sheet every page links with a checksum (`?v=`), looked up
    in the static folders as Sphinx copies them (a later folder wins); None where not found."""
    out = {}
    for entry in names:
        name = entry[0] if isinstance(entry, (tuple, list)) else str(entry)
        found = None
        for folder in static_paths:
            candidate = srcdir / folder / name
            if candidate.is_file():
                found = hashlib.sha256(candidate.read_bytes()).hexdigest()
        out[name] = found
    return out


def rewrite_neighbours(app, env) -> list[str]:
    """Sphinx `env-updated` hook: the pages to write again though not read again, those whose
    previous/next links changed (the neighbours of an added or removed page), or every page when
    a script or style sheet they link with a checksum changed. The sidebar is no reason: it is
    drawn from `_static/navigation.js`, written once per build."""
    relations = env.collect_relations()
    titles = {name: str(node) for name, node in env.titles.items()}
    config = app.config
    state = {"links": page_links(relations, titles),
             "assets": asset_digests(Path(app.srcdir), list(config.html_static_path),
                                     list(config.html_js_files) + list(config.html_css_files))}
    previous = getattr(env, LINKS_ATTR, None)
    setattr(env, LINKS_ATTR, state)
    if not isinstance(previous, dict) or previous.get("assets") != state["assets"]:
        return sorted(env.found_docs)
    return links_changed(previous.get("links"), state["links"], env.found_docs)


def page_uri(app, pagename, templatename, context, doctree) -> None:
    """Sphinx `html-page-context` hook: the page's own address from the site root, for the sidebar
    template, so the script can mark the current page."""
    context[PAGE_URI] = app.builder.get_target_uri(pagename)


def write_navigation(app):
    """Sphinx `html-collect-pages` hook: writes `_static/navigation.js` and yields the contents
    page for readers without JavaScript (unless the book has a page of that name itself)."""
    if app.builder.format != "html":
        return []
    navigation = book_navigation(app)
    write_if_changed(Path(app.outdir) / SCRIPT, script(navigation))
    if CONTENTS_PAGE in app.env.found_docs:
        return []
    uri = app.builder.get_target_uri(CONTENTS_PAGE)
    prefix = "../" * uri.count("/")
    return [(CONTENTS_PAGE, {"title": "Contents", "body": contents_body(navigation, prefix)}, "page.html")]
