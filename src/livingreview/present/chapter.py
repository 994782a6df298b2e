"""What a paper's chapter shows, cell by cell: each method is one short notebook cell.

Every piece of source text is HTML-escaped before it reaches the page, so a
title or quote holding markup shows as text and never runs.
"""
from __future__ import annotations

from html import escape

from IPython.display import HTML, Markdown, display

from livingreview.present import charts
from livingreview.present import render
from livingreview.analysis import survival
from livingreview.curate.apply import STATUSES, status
from livingreview.present import tables

MISSING_CHART = {
    "medians": "no median OS or PFS is reported",
    "ratios": "no hazard ratio or ratio of medians is reported",
    "landmarks": "no landmark survival rate is reported",
    "responses": "no response, local-control, technical or adverse-event rate is reported",
    "survival": "no median or landmark rate to reconstruct a survival curve from",
    "rmst": "no reconstructed curve to compute a restricted mean survival time from",
}

FORMAT_WORDS = {
    "pubmed_page": "a PubMed abstract page",
    "semantic_scholar_json": "a Semantic Scholar JSON record",
    "json_record": "a JSON metadata record",
    "catalogue_record": "a library catalogue record",
    "markdown_summary": "a Markdown summary of a paper",
    "journal_page": "a publisher's article page",
    "plain_text": "a plain-text page",
}


def _was(value) -> str:
    if value is None or value == "" or value == []:
        return "not stated"
    if isinstance(value, list):
        return "; ".join((f"{v.get('name')} (n={v['n']})" if v.get("n") is not None else f"{v.get('name')} (n not stated)")
                         if isinstance(v, dict) else str(v) for v in value)
    return str(value)


def note(text: str, kind: str = "info") -> HTML:
    """A short visible remark, such as what a chart cannot show for this paper."""
    return HTML(f'<p class="lr-flag lr-{escape(kind)}">{escape(text)}</p>')


class ChapterPage:
    """One registered source document, extracted, ready to be shown cell by cell."""

    def __init__(self, entry, record: dict, appraisal_text: str | None):
        # `entry` is the registry row (id, file, sha256); `livingreview.book.loading` reads
        # the files and hands everything in, so this class never touches the disk.
        self.entry = entry
        self.record = record
        self.appraisal_text = appraisal_text

    @property
    def primary(self) -> bool:
        return bool(self.record["is_primary_study"])

    def citation(self) -> HTML:
        r = self.record
        authors = ", ".join(r["authors"]) if r["authors"] else "authors not listed in the source"
        parts = [f"{escape(authors)} ({escape(str(r['year'] or 'n.d.'))})."]
        if r["title"]:
            parts.append(f"<em>{escape(r['title'])}</em>.")
        if r["journal"]:
            parts.append(f"{escape(r['journal'])}.")
        if r["doi"]:
            doi = escape(r["doi"], quote=True)
            parts.append(f'<a href="https://doi.org/{doi}">doi:{doi}</a>')
        source = escape(f"data/{self.entry.file}")
        return HTML(
            f'<p class="lr-citation">{" ".join(parts)}</p>'
            f'<p class="lr-quote">Source document: <code>{source}</code> '
            f"(sha256 <code>{escape(self.entry.sha256[:12])}</code>…)</p>"
        )

    def document_kind(self) -> HTML:
        r = self.record
        kind = FORMAT_WORDS.get(r["source_format"], r["source_format"])
        if self.primary:
            text = (
                f"The source is {kind}. It reports a primary study "
                f"(design: {r['design'] or 'not stated'}), so its results enter the synthesis."
            )
            return HTML(f"<p>{escape(text)}</p>")
        text = (
            f"The source is {kind}. It is not a primary study: it reports no patients of its own "
            "and no results of its own, so the review takes no numbers from it and leaves it out "
            "of the synthesis. It is kept because readers may meet it and should know what it is."
        )
        return note(text, "info")

    def study_card(self) -> HTML:
        return HTML(tables.study_card_html(self.record))

    def appraisal(self) -> Markdown | HTML:
        if self.appraisal_text is None:
            return note("No reviewer has written an appraisal of this document yet.", "warning")
        return Markdown(self.appraisal_text)

    def flags(self) -> HTML:
        flags = self.record["flags"]
        if not flags:
            if self.primary:
                return HTML("<p>The consistency checks found nothing to report.</p>")
            return HTML("")
        items = []
        for flag in flags:
            quote = f'<br><span class="lr-quote">“{escape(flag["quote"])}”</span>' if flag["quote"] else ""
            items.append(
                f'<div class="lr-flag lr-{escape(flag["severity"])}"><strong>'
                f'{escape(flag["severity"]).capitalize()} ({escape(flag["check"])}):</strong> '
                f'{escape(flag["message"])}{quote}</div>'
            )
        return HTML("\n".join(items))

    def endpoint_table(self) -> HTML:
        rejected = tables.rejected_html(self.record)
        if not self.record["endpoints"]:
            why = (
                "No results were taken from this document: it is not a primary study."
                if not self.primary
                else "No result in this document was stated clearly enough to take."
            )
            return HTML(note(why, "info").data + rejected)
        return HTML(tables.styled_endpoint_table(self.record) + rejected)

    def review_status(self) -> HTML:
        """How many of the chapter's numbers a named reviewer has checked, and what they changed."""
        curation = self.record.get("curation")
        endpoints = self.record["endpoints"]
        if not curation:
            if not endpoints:
                return HTML("")
            count = "the one number" if len(endpoints) == 1 else f"the {len(endpoints)} numbers"
            return note(f"No reviewer has checked {count} in the table yet (0 of {len(endpoints)}): every row is "
                        "as the extractor read it from the source.", "info")
        counts = {s: sum(1 for ep in endpoints if status(ep) == s) for s in STATUSES}
        rejected = len(curation.get("rejected") or [])
        checked = counts["confirmed"] + counts["corrected"] + counts["added"]
        parts = [f"{counts[s]} {s}" for s in ("confirmed", "corrected", "added") if counts[s]]
        text = (f"{curation['reviewer']} checked this record on {curation['date']}: {checked} of the "
                f"{len(endpoints)} numbers in the table are checked by a reviewer"
                + (f" ({', '.join(parts)})" if parts else "") + ".")
        if counts["extracted"]:
            text += f" {counts['extracted']} are as extracted, not yet checked."
        if rejected:
            text += f" {rejected} extracted {'number was' if rejected == 1 else 'numbers were'} rejected (listed below the table)."
        for key, change in (curation.get("metadata") or {}).items():
            text += f" The reviewer corrected the record's {key.replace('_', ' ')} (was: {_was(change.get('was'))})."
        return HTML(f'<p class="lr-review">{escape(text)}</p>')

    def charts(self, names: tuple[str, ...]) -> None:
        """Display this paper's charts among `names`, or say which have no data to draw."""
        drawn = dict(charts.charts_for(self.record))
        missing = [MISSING_CHART[n] for n in names if n not in drawn]
        for name in names:
            if name in drawn:
                display(drawn[name])
        if missing and self.primary:
            display(note("Not drawn: " + "; ".join(missing) + ".", "info"))
        elif not self.primary:
            display(note("No charts: this document reports no results of its own.", "info"))

    def rmst_table(self) -> HTML:
        """RMST at 12 and 24 months per endpoint, arm and model, as a plain escaped table."""
        table = survival.rmst_table(self.record)
        if table.empty:
            return HTML("")
        html = tables.html_table(tables.rmst_wide(table, ["endpoint", "arm", "model"]))
        caption = "Restricted mean survival time (months) from the reconstructed curves."
        return HTML(f"<p>{escape(caption)}</p>{html}")

    def caveats(self) -> HTML:
        items = []
        r = self.record
        if not self.primary:
            items.append("This document is background reading; nothing from it is counted.")
        else:
            if r["design"] in ("retrospective", "other", None):
                items.append("A non-randomised design cannot separate the treatment's effect from who was chosen for it.")
            if len(r["arms"]) < 2:
                items.append("With a single arm there is no comparison group; results describe, they do not compare.")
            if r["flags"]:
                items.append("The consistency checks raised flags: read the flagged numbers with care.")
            items.append("Only numbers stated plainly in the source are shown; anything ambiguous was left out.")
        return HTML("<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>")
