"""Deterministic, offline rendering of Altair charts into notebook outputs.

Stock Altair output gives every chart a random element id and loads Vega
from a CDN; both break a strict, offline, rebuildable book. Here a chart's
element id is a hash of its spec, the interactive view is drawn by the
locally shipped bundle (`_static/vega-bundle.js` + `_static/livingreview.js`),
and a static SVG drawn at execution time stands in until (or unless)
JavaScript runs.
"""
from __future__ import annotations

import hashlib
import json

import altair as alt
import vl_convert

#: The Vega-Lite release Altair writes specs for ("v6.4.1" -> "6.4").
VEGALITE_VERSION = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
RENDERER_NAME = "livingreview"


def _canonical_json(spec: dict) -> str:
    return json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _script_safe(text: str) -> str:
    """JSON text that cannot close or open a tag inside a <script> element."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def chart_id(spec: dict) -> str:
    """A stable element id: the same spec always gets the same id."""
    return "lr-chart-" + hashlib.sha256(_canonical_json(spec).encode()).hexdigest()[:16]


def spec_svg(spec: dict) -> str:
    """The chart drawn as SVG, for readers without JavaScript and for nbval."""
    svg = vl_convert.vegalite_to_svg(spec, vl_version=VEGALITE_VERSION, allowed_base_urls=[])
    return svg.strip()


def spec_html(spec: dict) -> str:
    """HTML for one chart: a container holding the SVG fallback, queued for Vega."""
    element = chart_id(spec)
    payload = _script_safe(_canonical_json({"id": element, "spec": spec}))
    return (
        f'<div class="lr-chart" id="{element}" data-rendered="svg">'
        f"{spec_svg(spec)}</div>\n"
        f'<script type="application/json" class="lr-chart-spec">{payload}</script>\n'
        "<script>window.livingreview && window.livingreview.render();</script>"
    )


def render_mimebundle(spec: dict, **_ignored) -> dict:
    """Altair renderer entry point: HTML for the site, a short plain-text stand-in."""
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    return {"text/html": spec_html(spec), "text/plain": f"<chart: {title or chart_id(spec)}>"}


def enable() -> None:
    """Make this the active Altair renderer (called once in each notebook's preamble)."""
    if RENDERER_NAME not in alt.renderers.names():
        alt.renderers.register(RENDERER_NAME, render_mimebundle)
    alt.renderers.enable(RENDERER_NAME)


def vega_bundle() -> str:
    """The Vega, Vega-Lite and Vega-Embed JavaScript, from the pinned vl-convert package.

    Wrapped in a function so its top-level names stay out of the page's shared
    global scope (the theme's own scripts declare some of the same names).
    """
    bundle = vl_convert.javascript_bundle(vl_version=VEGALITE_VERSION)
    return f"/* Vega, Vega-Lite, Vega-Embed via vl-convert-python {vl_convert.__version__} */\n(function () {{\n{bundle}\n}})();\n"
