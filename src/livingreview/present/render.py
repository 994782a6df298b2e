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
import importlib.util
import json
from collections.abc import Callable
from pathlib import Path

import altair as alt
import vl_convert

from livingreview.analysis import memo

#: The Vega-Lite release Altair writes specs for ("v6.4.1" -> "6.4").
VEGALITE_VERSION = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
RENDERER_NAME = "livingreview"
THEME_NAME = "livingreview"

#: The one font every chart names. Its files come from the pinned matplotlib package (a
#: dependency of lifelines), so the static SVG measures its text the same on every machine,
#: whatever fonts the system has; the site serves the same files (see `font_files`).
FONT_FAMILY = "DejaVu Sans"
FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
LEGEND_LABEL_LIMIT = 110  # px: a legend's width stays bounded, so charts can be sized to fit
FONT_CONFIG = {
    "font": FONT_FAMILY,
    "title": {"font": FONT_FAMILY, "subtitleFont": FONT_FAMILY},
    "axis": {"labelFont": FONT_FAMILY, "titleFont": FONT_FAMILY},
    "legend": {"labelFont": FONT_FAMILY, "titleFont": FONT_FAMILY, "labelLimit": LEGEND_LABEL_LIMIT},
    "header": {"labelFont": FONT_FAMILY, "titleFont": FONT_FAMILY},
    "text": {"font": FONT_FAMILY},
    "mark": {"font": FONT_FAMILY},
}
_fonts_registered = False


def font_directory() -> Path:
    """matplotlib's folder of bundled TrueType fonts, found without importing matplotlib."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("matplotlib (pinned in constraints.txt) is needed for the chart font")
    return Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"


def font_files() -> list[Path]:
    """The font files the site serves from _static/fonts/ (the ones the SVGs were measured with)."""
    return [font_directory() / name for name in FONT_FILES]


def register_fonts() -> None:
    """Give vl-convert the shipped font (once per process) before any chart is drawn."""
    global _fonts_registered
    if not _fonts_registered:
        vl_convert.register_font_directory(str(font_directory()))
        _fonts_registered = True


def theme() -> alt.theme.ThemeConfig:
    """Altair theme: every text of every chart in FONT_FAMILY, legends of bounded width."""
    return {"config": FONT_CONFIG}


def with_font(spec: dict) -> dict:
    """The spec with FONT_FAMILY named in its config (a copy; keys the spec sets win)."""
    config = dict(spec.get("config") or {})
    for key, value in FONT_CONFIG.items():
        if isinstance(value, dict):
            config[key] = {**value, **(config.get(key) or {})}
        else:
            config.setdefault(key, value)
    return {**spec, "config": config}


def _canonical_json(spec: dict) -> str:
    return json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _script_safe(text: str) -> str:
    """JSON text that cannot close or open a tag inside a <script> element."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def chart_id(spec: dict) -> str:
    """A stable element id: the same spec always gets the same id."""
    return "lr-chart-" + hashlib.sha256(_canonical_json(spec).encode()).hexdigest()[:16]


def _draw_svg(spec: dict) -> str:
    register_fonts()
    svg = vl_convert.vegalite_to_svg(spec, vl_version=VEGALITE_VERSION, allowed_base_urls=[])
    return svg.strip()


def spec_svg(spec: dict) -> str:
    """The chart drawn as SVG, for readers without JavaScript and for nbval; a spec drawn before
    (same spec, Vega-Lite and vl-convert versions) is not drawn again when a store is installed."""
    return memo.cached("svg", (spec, VEGALITE_VERSION, vl_convert.__version__), lambda: _draw_svg(spec))


def spec_html(spec: dict) -> str:
    """HTML for one chart: a container holding the SVG fallback, queued for Vega."""
    spec = with_font(spec)
    element = chart_id(spec)
    payload = _script_safe(_canonical_json({"id": element, "spec": spec}))
    return (
        f'<div class="lr-chart" id="{element}" data-rendered="svg">'
        f"{spec_svg(spec)}</div>\n"
        f'<script type="application/json" class="lr-chart-spec">{payload}</script>\n'
        "<script>window.livingreview && window.livingreview.render();</script>"
    )


class Rows:
    """A chart's inline data rows (JSON objects), carried by Altair by reference.

    Altair deep-copies, converts and validates every row of a list it holds, at every layer,
    facet and `to_dict` (seconds for a 60-study synthesis chart); it hands an object with
    `_schema` and `to_dict` (its `SchemaLike`) through untouched, and the spec gets the list."""

    _schema = {"type": "array"}

    def __init__(self, rows: list[dict]):
        self.rows = rows

    def to_dict(self, *_args, **_kwargs) -> list[dict]:
        return self.rows

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def __getitem__(self, index):
        return self.rows[index]


def _rows_left_out(node):
    """A spec with every inline dataset's rows left out (`"values": []`), for validation: the
    Vega-Lite schema asks of inline rows only that they be objects, which `Rows` always are."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "data" and isinstance(value, dict) and isinstance(value.get("values"), list):
                value = {**value, "values": []}
            out[key] = _rows_left_out(value)
        return out
    if isinstance(node, list):
        return [_rows_left_out(v) for v in node]
    return node


def chart_spec(chart: alt.TopLevelMixin) -> dict:
    """The chart's Vega-Lite spec as `chart.to_dict()` gives it, checked against the schema with
    its data rows left out (Altair's own check walks every row; that was most of the time)."""
    spec = chart.to_dict(validate=False, context={"pre_transform": False})
    type(chart).validate(_rows_left_out(spec))
    return spec


class Figure:
    """A chart ready for a notebook output: its (checked) spec, shown by this module's renderer."""

    def __init__(self, spec: dict):
        self.spec = spec

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return render_mimebundle(self.spec)


def figure(chart):
    """`chart` as a `Figure` (anything else, e.g. a note saying there is nothing to draw, as is)."""
    return Figure(chart_spec(chart)) if isinstance(chart, alt.TopLevelMixin) else chart


def cached_figure(kind: str, inputs: tuple, build: Callable[[], alt.TopLevelMixin | None]):
    """`figure(build())`, its spec reused from the store when the same `kind` of chart was built
    from the same `inputs` (everything `build` reads): building a chart through Altair's objects
    costs far more than drawing it again from a stored spec. None when `build` draws nothing."""
    def spec():
        chart = build()
        return None if chart is None else chart_spec(chart)

    found = memo.cached("chart-spec:" + kind, (*inputs, VEGALITE_VERSION), spec)
    return None if found is None else Figure(found)


def render_mimebundle(spec: dict, **_ignored) -> dict:
    """Altair renderer entry point: HTML for the site, a short plain-text stand-in."""
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    return {"text/html": spec_html(spec), "text/plain": f"<chart: {title or chart_id(spec)}>"}


def enable() -> None:
    """Make this the active Altair renderer and theme (called once in each notebook's preamble)."""
    if RENDERER_NAME not in alt.renderers.names():
        alt.renderers.register(RENDERER_NAME, render_mimebundle)
    alt.renderers.enable(RENDERER_NAME)
    if THEME_NAME not in alt.theme.names():
        alt.theme.register(THEME_NAME, enable=False)(theme)
    alt.theme.enable(THEME_NAME)


def vega_bundle() -> str:
    """The Vega, Vega-Lite and Vega-Embed JavaScript, from the pinned vl-convert package.

    Wrapped in a function so its top-level names stay out of the page's shared
    global scope (the theme's own scripts declare some of the same names).
    """
    bundle = vl_convert.javascript_bundle(vl_version=VEGALITE_VERSION)
    return f"{vega_bundle_header()}\n(function () {{\n{bundle}\n}})();\n"


def vega_bundle_header() -> str:
    """The bundle's first line, naming what it was made from: the same line, the same bundle
    (making it takes seconds, so a build keeps a bundle whose first line matches)."""
    return (f"/* Vega, Vega-Lite {VEGALITE_VERSION}, Vega-Embed via vl-convert-python "
            f"{vl_convert.__version__} */")
