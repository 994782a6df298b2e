"""Per-study tables: reported endpoints as printed, an HTML-escaped styled table, and a study card.

All source text (quotes, arm names, titles, flag messages) is treated as untrusted: it reaches
HTML only through escaping, never as markup.
"""

from __future__ import annotations

import html
import re

import pandas as pd

from livingreview.analysis.survival import arm_label
from livingreview.curate.apply import describe, provenance_text
from livingreview.extract.printed import as_printed, format_ci

ENDPOINT_LABELS = {
    "OS": "OS",
    "PFS": "PFS",
    "ORR": "ORR",
    "DCR": "DCR",
    "technical_success": "technical success",
    "technical_efficacy": "technical efficacy",
    "AE_grade3plus": "grade ≥3 AE",
    "AE_any": "any-grade AE",
    "local_control": "local control",
}
ENDPOINT_COLUMNS = ["endpoint", "measure", "arm", "value", "CI", "p", "timepoint", "quote", "provenance"]
SEVERITY_ORDER = ("error", "warning", "info")
SEVERITY_STYLE = {
    "error": "background-color: #fde2e1;",
    "warning": "background-color: #fff4d6;",
    "info": "background-color: #eef4fb;",
}
NOT_STATED = "not stated"
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def endpoint_label(endpoint: str) -> str:
    """Reader-facing name of a contract endpoint code ("AE_grade3plus" -> "grade ≥3 AE")."""
    if endpoint.startswith("other:"):
        return "other: " + endpoint[len("other:"):]
    return ENDPOINT_LABELS.get(endpoint, endpoint)


def format_value(endpoint: dict) -> str:
    """Value as printed with its unit: "10.95 months", "75.0%", "2.38"."""
    text = as_printed(endpoint.get("value"), endpoint.get("quote"))
    unit = endpoint.get("unit")
    if unit == "%":
        return text + "%"
    if unit == "months":
        return text + " months"
    return text


def _timepoint(endpoint: dict) -> str:
    t = endpoint.get("timepoint_months")
    return "" if t is None else f"{as_printed(t)} months"


def endpoint_table(record: dict) -> pd.DataFrame:
    """One row per reported endpoint, in the record's order, every number as the source prints it."""
    rows = []
    for ep in record.get("endpoints") or []:
        measure = ep.get("measure")
        arm = ep.get("arm") if measure in ("HR", "ratio") else arm_label(record, ep.get("arm"))
        rows.append({
            "endpoint": endpoint_label(ep.get("endpoint", "")),
            "measure": measure,
            "arm": arm or "",
            "value": format_value(ep),
            "CI": format_ci(ep.get("ci"), ep.get("quote")),
            "p": ep.get("p") or "",
            "timepoint": _timepoint(ep),
            "quote": ep.get("quote", ""),
            "provenance": provenance_text(ep),
        })
    return pd.DataFrame(rows, columns=ENDPOINT_COLUMNS)


def rejected_html(record: dict) -> str:
    """The rows a reviewer rejected, each with the reason and its quote, as an escaped list."""
    curation = record.get("curation") or {}
    rejected = curation.get("rejected") or []
    if not rejected:
        return ""
    who = f"{curation.get('reviewer')}, {curation.get('date')}"
    items = "".join(
        f"<li>{html.escape(describe(ep))}: {html.escape(ep.get('reason', ''))}"
        + (f" — <q>{html.escape(ep['quote'])}</q>" if ep.get("quote") else "") + "</li>"
        for ep in rejected)
    return (f'<p class="lr-rejected-head">Rejected by the reviewer ({html.escape(who)}); '
            f'these numbers are not used anywhere on the site:</p><ul class="lr-rejected">{items}</ul>\n')


def _quotes_overlap(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and (a in b or b in a)


_ENDPOINT_WORD = re.compile(r"\b(OS|PFS|ORR|DCR|technical_success|technical_efficacy|AE_grade3plus|AE_any|"
                            r"local_control|other:\w+)\b")


def _flag_concerns(flag: dict, ep: dict) -> bool:
    """Whether a flag is about this endpoint row: same source text, its numbers named in the
    message, and its endpoint named there too when the message names endpoints at all."""
    if not _quotes_overlap(flag.get("quote"), ep.get("quote")):
        return False
    message = flag.get("message") or ""
    named = set(_ENDPOINT_WORD.findall(message))
    if named and ep.get("endpoint") not in named:
        return False
    mentioned = {float(m) for m in _NUMBER.findall(message)}
    own = [ep.get("value"), *(ep.get("ci") or [])]
    return any(v is not None and float(v) in mentioned for v in own)


def flags_by_row(record: dict) -> tuple[list[list[dict]], list[dict]]:
    """Flags beside the endpoint rows they concern (see `_flag_concerns`), and the flags that
    concern no single row (kept, shown apart)."""
    endpoints = record.get("endpoints") or []
    per_row: list[list[dict]] = [[] for _ in endpoints]
    unmatched = []
    for flag in record.get("flags") or []:
        hits = [i for i, ep in enumerate(endpoints) if _flag_concerns(flag, ep)]
        for i in hits:
            per_row[i].append(flag)
        if not hits:
            unmatched.append(flag)
    return per_row, unmatched


def _flag_label(flag: dict) -> str:
    return f"{flag.get('severity', 'info')}: {flag.get('check', '')}"


def _flag_text(flag: dict) -> str:
    return f"{flag.get('severity', 'info')}: {flag.get('message', '')}"


def _worst(flags: list[dict]) -> str | None:
    for severity in SEVERITY_ORDER:
        if any(f.get("severity") == severity for f in flags):
            return severity
    return None


def _safe_id(record: dict, prefix: str) -> str:
    return prefix + "_" + re.sub(r"[^a-z0-9_]", "_", str(record.get("id") or "record").lower())


def styled_endpoint_table(record: dict) -> str:
    """HTML table of the endpoints with consistency flags beside the rows they concern.

    Every cell is HTML-escaped; the table's id derives from the record id so the markup is
    identical across runs. The markup is the one pandas' Styler gave this table (same ids, classes
    and style block), written here directly: the Styler's import pulls in matplotlib's pyplot, most
    of a chapter kernel's start. Flags that match no row follow in an escaped list.
    """
    table = endpoint_table(record)
    per_row, unmatched = flags_by_row(record)
    columns = [*ENDPOINT_COLUMNS, "flags"]
    uuid = "T_" + _safe_id(record, "endpoints")
    style = "".join(f"#{uuid} td.lr-flag-{sev} {{\n  {css}\n}}\n" for sev, css in SEVERITY_STYLE.items() if css)
    head = "".join(f'      <th class="col_heading level0 col{j}" >{_cell(name)}</th>\n'
                   for j, name in enumerate(columns))
    body = []
    for i, (row, flags) in enumerate(zip(table.itertuples(index=False), per_row)):
        worst = _worst(flags)
        extra = f" lr-flag-{worst}" if worst else ""
        cells = [*row, "; ".join(_flag_label(f) for f in flags)]
        body.append("    <tr>\n" + "".join(
            f'      <td class="data row{i} col{j}{extra}" >{_cell(value)}</td>\n'
            for j, value in enumerate(cells)) + "    </tr>\n")
    out = (f'<style type="text/css">\n{style}</style>\n<table id="{uuid}" class="lr-endpoints">\n'
           f"  <thead>\n    <tr>\n{head}    </tr>\n  </thead>\n  <tbody>\n{''.join(body)}  </tbody>\n</table>\n")
    if unmatched:
        items = "".join(f"<li>{html.escape(_flag_text(f))}"
                        + (f" — <q>{html.escape(f['quote'])}</q>" if f.get("quote") else "")
                        + "</li>" for f in unmatched)
        out += f'<ul class="lr-flags">{items}</ul>\n'
    return out


_STYLER_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"})


def _cell(value) -> str:
    """A table cell's text, escaped as the Styler escaped it (&#34; and &#39; for quotes); a
    missing value is an empty cell."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).translate(_STYLER_ESCAPES)


def _arms_text(record: dict) -> str:
    arms = record.get("arms") or []
    if not arms:
        return NOT_STATED
    parts = []
    for arm in arms:
        n = arm.get("n")
        parts.append(f"{arm.get('name')} (n={n})" if n is not None else f"{arm.get('name')} (n not stated)")
    return "; ".join(parts)


def study_card(record: dict) -> dict[str, str]:
    """Design, size, population, arms and therapies of one record as HTML-escaped display strings."""
    def text(value, empty=NOT_STATED) -> str:
        if value is None or value == "" or value == []:
            return html.escape(empty)
        if isinstance(value, list):
            return html.escape(", ".join(str(v) for v in value))
        return html.escape(str(value))

    return {
        "id": text(record.get("id")),
        "title": text(record.get("title")),
        "authors": text(record.get("authors"), "not listed"),
        "journal": text(record.get("journal")),
        "year": text(record.get("year")),
        "doi": text(record.get("doi")),
        "source format": text(record.get("source_format")),
        "primary study": "yes" if record.get("is_primary_study") else "no",
        "design": text(record.get("design")),
        "patients": text(record.get("n_patients")),
        "population": text(record.get("population")),
        "arms": html.escape(_arms_text(record)),
        "local therapy": text(record.get("local_therapy"), "none"),
        "systemic therapy": text(record.get("systemic_therapy"), "none"),
    }


def study_card_html(record: dict) -> str:
    """The study card as a definition list; every value is escaped by ``study_card``."""
    card = study_card(record)
    rows = "".join(f"<dt>{html.escape(k)}</dt><dd>{v}</dd>" for k, v in card.items())
    return f'<dl class="lr-study-card" id="{_safe_id(record, "card")}">{rows}</dl>\n'


def html_table(df: pd.DataFrame) -> str:
    """A plain table with every cell HTML-escaped (cells hold source text); blanks show as –."""
    shown = df.astype(object).where(df.notna(), "–")
    return shown.to_html(index=False, escape=True, border=0, classes="lr-table")


def rmst_wide(rmst: pd.DataFrame, index: list[str]) -> pd.DataFrame:
    """RMST rows (one per horizon) turned into one row per `index` with a column per horizon."""
    wide = rmst.pivot_table(index=index, columns="tau_months", values="rmst_months", aggfunc="first")
    wide.columns = [f"RMST to {tau:g} months" for tau in wide.columns]
    return wide.reset_index()
