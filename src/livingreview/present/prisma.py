"""The "Search and selection" page: the PRISMA 2020 flow diagram, the search log, the exclusions.

The diagram is an inline SVG drawn here (no graphviz, no script, no font from elsewhere), laid
out as PRISMA 2020's template for updated reviews: a column for the studies of previous versions,
then identification, screening and inclusion of new studies. Every count in it is also written
out in the text below it. Source and reviewer text is escaped for SVG and for Markdown. Pure.
"""
from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass

from livingreview.analysis.screening import FlowCounts, Row, Search
from livingreview.present.formatting import markdown_escape

WIDTH = 680  # fits the article column
FONT = 12
LINE = 15
PAD = 7
GAP = 26  # between rows: room for an arrow
CHAR = 7.0  # DejaVu Sans at 12 px is at most this wide on average: wrapping stays inside boxes
# Columns: phase bar | previous studies | new records | what leaves the flow.
BAR = (0, 22)
LEFT = (30, 154)
MAIN = (174, 424)
SIDE = (446, WIDTH)
MIN_PHASE = 112  # a phase is at least as tall as its rotated label
_STROKE = "#333333"


@dataclass(frozen=True)
class _Box:
    x0: int
    x1: int
    y: float
    lines: tuple[str, ...]
    fill: str = "#ffffff"
    bold: bool = False

    @property
    def height(self) -> float:
        return 2 * PAD + LINE * len(self.lines)

    @property
    def mid_y(self) -> float:
        return self.y + self.height / 2


def _wrap(parts: list[str], x0: int, x1: int) -> tuple[str, ...]:
    width = max(8, int((x1 - x0 - 2 * PAD) / CHAR))
    out: list[str] = []
    for part in parts:
        out += textwrap.wrap(part, width, break_long_words=True, break_on_hyphens=False) or [""]
    return tuple(out)


def n(k: int) -> str:
    """"(n = k)" held together by no-break spaces, so that wrapping never splits it."""
    return f"(n\u00a0=\u00a0{k})"


def _box_svg(box: _Box) -> str:
    parts = [f'<rect x="{box.x0}" y="{box.y:g}" width="{box.x1 - box.x0}" height="{box.height:g}" '
             f'fill="{box.fill}" stroke="{_STROKE}" stroke-width="1"/>']
    for i, line in enumerate(box.lines):
        y = box.y + PAD + LINE * i + FONT
        weight = ' font-weight="bold"' if box.bold else ""
        parts.append(f'<text x="{box.x0 + PAD}" y="{y:g}"{weight}>{html.escape(line)}</text>')
    return "\n".join(parts)


def _arrow(x0: float, y0: float, x1: float, y1: float) -> str:
    return (f'<line x1="{x0:g}" y1="{y0:g}" x2="{x1:g}" y2="{y1:g}" stroke="{_STROKE}" '
            f'stroke-width="1.2" marker-end="url(#lr-prisma-arrow)"/>')


def _phase(label: str, y0: float, y1: float) -> str:
    cx, cy = (BAR[0] + BAR[1]) / 2, (y0 + y1) / 2
    return (f'<rect x="{BAR[0]}" y="{y0:g}" width="{BAR[1] - BAR[0]}" height="{y1 - y0:g}" fill="#c9d9ef" '
            f'stroke="{_STROKE}" stroke-width="1"/>\n'
            f'<text x="{cx:g}" y="{cy:g}" font-weight="bold" text-anchor="middle" dominant-baseline="middle" '
            f'transform="rotate(-90 {cx:g} {cy:g})">{html.escape(label)}</text>')


def flow_svg(c: FlowCounts) -> str:
    """The flow diagram as one `<svg>` element (deterministic: the same counts, the same bytes)."""
    elements: list[str] = []
    y = 0.0
    head_left = _Box(LEFT[0], LEFT[1], y, _wrap(["Previous studies"], *LEFT), "#e8eef7", True)
    head_new = _Box(MAIN[0], SIDE[1], y, _wrap(["Identification of new studies via databases"], MAIN[0], SIDE[1]),
                    "#e8eef7", True)
    y += max(head_left.height, head_new.height) + 12
    row_top = y
    # Identification
    databases = [f"{db} {n(k)}" for db, k in c.per_database]
    identified = _Box(*MAIN, y, _wrap([f"Records identified from databases {n(c.identified)}", *databases], *MAIN))
    duplicates = _Box(*SIDE, y, _wrap(["Records removed before screening:",
                                       f"duplicate records {n(c.duplicates)}"], *SIDE))
    previous = _Box(*LEFT, y, _wrap([f"Studies included in previous versions of the review {n(c.previous_studies)}"],
                                    *LEFT))
    elements += [_box_svg(b) for b in (identified, duplicates, previous)]
    elements.append(_arrow(MAIN[1], identified.mid_y, SIDE[0], identified.mid_y))
    ident_end = y + max(identified.height, duplicates.height, previous.height, MIN_PHASE)
    y = ident_end + GAP
    # Screening
    awaiting = _Box(*SIDE, y, _wrap([f"Records awaiting screening {n(c.awaiting)}"], *SIDE))
    centre = (MAIN[0] + MAIN[1]) / 2
    y_screened = y + awaiting.height + GAP
    screened = _Box(*MAIN, y_screened, _wrap([f"Records screened {n(c.screened)}"], *MAIN))
    excluded = _Box(*SIDE, y_screened, _wrap([f"Records excluded {n(c.excluded_records)}"], *SIDE))
    elements.append(_arrow(centre, identified.y + identified.height, centre, screened.y))
    elements.append(_arrow(centre, awaiting.mid_y, SIDE[0], awaiting.mid_y))
    elements += [_box_svg(awaiting), _box_svg(screened), _box_svg(excluded)]
    elements.append(_arrow(MAIN[1], screened.mid_y, SIDE[0], screened.mid_y))
    y = y_screened + max(screened.height, excluded.height) + GAP
    reasons = [f"{reason} {n(k)}" for reason, k in c.exclusion_reasons]
    assessed = _Box(*MAIN, y, _wrap([f"Reports assessed for eligibility {n(c.reports_assessed)}"], *MAIN))
    reports_out = _Box(*SIDE, y, _wrap([f"Reports excluded {n(c.excluded_reports)}", *reasons], *SIDE))
    elements.append(_arrow(centre, screened.y + screened.height, centre, assessed.y))
    elements += [_box_svg(assessed), _box_svg(reports_out)]
    elements.append(_arrow(MAIN[1], assessed.mid_y, SIDE[0], assessed.mid_y))
    screening_end = y + max(assessed.height, reports_out.height)
    y = screening_end + GAP
    # Included (the phase is drawn at least MIN_PHASE tall)
    included_top = y
    new = _Box(*MAIN, y, _wrap([f"New studies included in this review {n(c.new_studies)}"], *MAIN))
    elements.append(_arrow(centre, assessed.y + assessed.height, centre, new.y))
    elements.append(_box_svg(new))
    y = max(y + new.height + GAP, included_top + MIN_PHASE - 2 * PAD - LINE)
    total = _Box(LEFT[0], MAIN[1], y, _wrap([f"Total studies included in the review {n(c.total_studies)}"],
                                             LEFT[0], MAIN[1]), "#ffffff", True)
    elements.append(_arrow(centre, new.y + new.height, centre, total.y))
    left_centre = (LEFT[0] + LEFT[1]) / 2
    elements.append(_arrow(left_centre, previous.y + previous.height, left_centre, total.y))
    elements.append(_box_svg(total))
    height = y + total.height + 1
    elements += [
        _phase("Identification", row_top, ident_end),
        _phase("Screening", ident_end + GAP / 2, screening_end),
        _phase("Included", included_top, y + total.height),
    ]
    return "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lr-prisma" width="{WIDTH}" height="{height:g}" '
        f'viewBox="-1 -1 {WIDTH + 2} {height + 2:g}" role="img" aria-labelledby="lr-prisma-title" '
        f'font-family="DejaVu Sans, sans-serif" font-size="{FONT}" fill="#111111" '
        'style="max-width: 100%; height: auto">',
        '<title id="lr-prisma-title">PRISMA 2020 flow diagram of the searches and the selection of studies</title>',
        '<defs><marker id="lr-prisma-arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" '
        f'markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="{_STROKE}"/></marker></defs>',
        _box_svg(head_left), _box_svg(head_new),
        *elements,
        "</svg>",
    ])


def flow_text(c: FlowCounts) -> list[str]:
    """Every count of the diagram as a Markdown list item, in the diagram's order."""
    per_db = "; ".join(f"{markdown_escape(db)}: {k}" for db, k in c.per_database)
    reasons = "; ".join(f"{markdown_escape(reason)}: {k}" for reason, k in c.exclusion_reasons)
    return [
        f"- Studies included in previous versions of the review: {c.previous_studies}",
        f"- Records identified from databases: {c.identified}" + (f" ({per_db})" if per_db else ""),
        f"- Duplicate records removed before screening: {c.duplicates}",
        f"- Records awaiting screening: {c.awaiting}",
        f"- Records screened: {c.screened}",
        f"- Records excluded on title and abstract: {c.excluded_records}",
        f"- Reports assessed for eligibility: {c.reports_assessed}",
        f"- Reports excluded: {c.excluded_reports}" + (f" ({reasons})" if reasons else ""),
        f"- New studies included in this review: {c.new_studies}",
        f"- Total studies included in the review: {c.total_studies}",
    ]


def _cell(text: str) -> str:
    return markdown_escape(text) if text.strip() else "not recorded"


def search_log(searches: list[Search]) -> list[str]:
    if not searches:
        return ["No search has been logged yet."]
    lines = ["| search | date | database | query | records found |", "| --- | --- | --- | --- | --- |"]
    lines += [f"| {s.number} | {s.date} | {_cell(s.database)} | {_cell(s.query)} | {s.records_found} |"
              for s in searches]
    return lines


def excluded_table(rows: list[Row]) -> list[str]:
    excluded = [r for r in rows if r.status == "excluded"]
    if not excluded:
        return ["No record has been excluded."]
    stage = {"title-abstract": "title and abstract", "full-text": "full report"}
    lines = ["| record | title | year | excluded on | reason |", "| --- | --- | --- | --- | --- |"]
    lines += [f"| {r.id} | {_cell(r.title)} | {r.year or 'n.d.'} | {stage.get(r.stage, r.stage)} | {_cell(r.reason)} |"
              for r in excluded]
    return lines


def search_page(counts: FlowCounts, searches: list[Search], rows: list[Row]) -> str:
    """The page's MyST Markdown: diagram (raw HTML), the counts in words, the log, the exclusions."""
    if searches:
        intro = (f"The review's searches ({counts.searches} logged) and what became of every record they "
                 "found, as a PRISMA 2020 flow diagram for an updated review. The diagram counts every "
                 "logged search; *previous versions* are the studies the review held that no screened "
                 "record stands for.")
    else:
        intro = ("No search has been logged yet: the diagram shows only the studies the review already "
                 "holds. Searches are logged with `python -m livingreview import EXPORT`.")
    return "\n".join([
        "# Search and selection",
        "",
        intro,
        "",
        "## Flow of records",
        "",
        "```{raw} html",
        '<figure class="lr-prisma-figure">',
        flow_svg(counts),
        "</figure>",
        "```",
        "",
        "The same counts in words:",
        "",
        *flow_text(counts),
        "",
        "## Searches",
        "",
        *search_log(searches),
        "",
        "## Excluded records",
        "",
        *excluded_table(rows),
        "",
    ])
