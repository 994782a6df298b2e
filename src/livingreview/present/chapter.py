"""What a paper's chapter shows, cell by cell: each method is one short notebook cell.

Every piece of source text is HTML-escaped before it reaches the page, so a
title or quote holding markup shows as text and never runs.
"""
from __future__ import annotations

from html import escape

from IPython.display import HTML, Markdown, display

import pandas as pd

from livingreview.analysis import km
from livingreview.analysis import rebuilt as rebuilt_km
from livingreview.analysis.synthesis import study_arms
from livingreview.present import appraisal as appraisal_html
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
ALL_REBUILT = {
    "survival": "every survival curve with reported numbers has its rebuilt Kaplan–Meier curve above",
    "rmst": "the restricted mean survival time of the rebuilt curves is given above",
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

    def __init__(self, entry, record: dict, appraisal_text: str | None, structured=None, rebuilt=()):
        # `entry` is the registry row (id, file, sha256); `livingreview.book.loading` reads
        # the files and hands everything in, so this class never touches the disk. `rebuilt`:
        # the study's digitised Kaplan–Meier arms (analysis.rebuilt.RebuiltArm), rebuilt.
        self.entry = entry
        self.record = record
        self.appraisal_text = appraisal_text
        self.structured = structured  # analysis.evidence.Appraisal, or None when not assessed
        self.rebuilt = tuple(rebuilt_km.ordered(record, rebuilt))

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

    def risk_of_bias(self) -> None:
        """This study's row of the synthesis's traffic-light plot, with each domain's support."""
        if not self.primary:
            display(HTML(""))
            return
        found = tuple(self.structured.risk_of_bias) if self.structured else ()
        if not found:
            display(note("No structured risk-of-bias judgement has been written for this study yet.",
                         "warning"))
            return
        for tool in dict.fromkeys(a.tool for a in found):
            display(render.figure(charts.traffic_light_chart(found, tool, f"Risk of bias of this study ({tool})")))
        display(HTML(appraisal_html.supports_html(found)))

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
        drawn = dict(charts.charts_for(self.record, self.rebuilt))
        missing = [(ALL_REBUILT[n] if n in ALL_REBUILT and self._all_rebuilt(n) else MISSING_CHART[n])
                   for n in names if n not in drawn]
        for name in names:
            if name in drawn:
                display(render.figure(drawn[name]))
        if missing and self.primary:
            display(note("Not drawn: " + "; ".join(missing) + ".", "info"))
        elif not self.primary:
            display(note("No charts: this document reports no results of its own.", "info"))

    def _all_rebuilt(self, name: str) -> bool:
        """Whether the fallback chart `name` is empty only because every curve it would draw is rebuilt."""
        if not self.rebuilt:
            return False
        source = survival.reconstruct(self.record) if name == "survival" else survival.rmst_table(self.record)
        return not source.empty

    def rmst_table(self) -> HTML:
        """RMST at 12 and 24 months per endpoint, arm and model of the fallback curves, as a plain escaped table."""
        table = survival.rmst_table(self.record)
        done = rebuilt_km.digitised_keys(self.rebuilt)
        if not table.empty and done:
            table = table.loc[[(e, a) not in done for e, a in zip(table["endpoint"], table["arm"])]]
        if table.empty:
            return HTML("")
        html = tables.html_table(tables.rmst_wide(table, ["endpoint", "arm", "model"]))
        caption = ("Restricted mean survival time (months) from the reconstructed curves (the fallback: "
                   "no Kaplan–Meier figure digitised for these).")
        return HTML(f"<p>{escape(caption)}</p>{html}")

    # -- curves rebuilt from the paper's own Kaplan–Meier figures -----------------------------------

    def rebuilt_curves(self) -> None:
        """The rebuilt KM curves per endpoint with their fit, then medians, HRs, landmarks and RMST."""
        if not self.primary:
            display(note("No curves: this document reports no results of its own.", "info"))
            return
        if not self.rebuilt:
            display(note("No Kaplan–Meier figure of this paper has been digitised yet, so no patient-level "
                         "curve could be rebuilt; any curves below are the fallback, drawn from the "
                         "summary numbers alone.", "info"))
            return
        arms = self.rebuilt
        table = rebuilt_km.arm_table(self.record, arms)
        frames = rebuilt_km.plot_frames(arms)
        names = survival.arm_order(self.record, [a.arm for a in arms])
        for a in arms:
            if not a.matched:
                display(note(f"{a.curve_file}: the file's arm ({a.file_arm}) names no arm of this study's "
                             f"record ({', '.join(study_arms(self.record))}), so its curve is drawn "
                             "but not compared with reported numbers.", "warning"))
        for endpoint in dict.fromkeys(a.endpoint for a in arms):
            chart = charts.km_chart(frames, endpoint, table, str(self.record.get("id")), names)
            if chart is not None:
                display(render.figure(chart))
            display(HTML(self._fit_table(table[table["endpoint"] == endpoint])))
        display(self._median_table(table))
        display(self._hr_table(rebuilt_km.hr_table(self.record, arms)))
        display(self._rmst_rebuilt(table))

    @staticmethod
    def _fit_table(rows: pd.DataFrame) -> str:
        shown = pd.DataFrame({
            "arm": rows["arm"], "digitised points": rows["points"], "patients": rows["n"],
            "events (rebuilt)": rows["events"], "RMSE": rows["rmse"].map(lambda v: f"{v:.3f}"),
            "largest gap": rows["max_gap"].map(lambda v: f"{v:.3f}"),
            "figure": rows["figure"], "digitised by": rows["digitised_by"], "file": rows["curve_file"]})
        caption = ("Fit of each rebuilt curve to the points digitised from the figure: root-mean-square and "
                   "largest vertical distance, in survival probability (0–1).")
        return f'<p class="lr-caption">{escape(caption)}</p>{tables.html_table(shown)}'

    def _median_table(self, table: pd.DataFrame) -> HTML:
        shown = pd.DataFrame({
            "endpoint": table["endpoint"], "arm": table["arm"],
            "reported median (months)": [
                "conflicting values reported" if c else (t or "not reported")
                for t, c in zip(table["median_reported"], table["median_conflict"])],
            "rebuilt median (95% CI)": [_median_text(m, lo, hi) for m, lo, hi in zip(
                table["median_rebuilt"], table["median_ci_low"], table["median_ci_high"])],
            "check": [{"differs": "differs beyond rounding", "agrees": "agrees"}.get(d, "–")
                      for d in table["median_check"]],
            "quote": table["median_quote"]})
        flags = [note(f"Flag: the rebuilt median {r.endpoint} of {r.arm} "
                      f"({_median_text(r.median_rebuilt, None, None)}) differs from the reported "
                      f"{r.median_reported} months by more than rounding and digitising allow "
                      f"(half a unit of the printed last decimal, or {km.MEDIAN_REL_TOLERANCE:.0%}).",
                      "warning").data
                 for r in table.itertuples() if r.median_check == "differs"]
        caption = "Medians of the rebuilt data (lifelines Kaplan–Meier) beside the medians the paper reports."
        return HTML("".join(flags) + f'<p class="lr-caption">{escape(caption)}</p>{tables.html_table(shown)}')

    def _hr_table(self, hr: pd.DataFrame) -> HTML:
        if hr.empty:
            return note("No hazard ratio from the rebuilt data: fewer than two arms of one endpoint were "
                        "digitised.", "info")
        shown = pd.DataFrame({
            "endpoint": hr["endpoint"], "comparison": hr["comparison"],
            "reported HR (95% CI)": [f"{h} ({c})" if c else (h or "not reported")
                                     for h, c in zip(hr["hr_reported"], hr["ci_reported"])],
            "rebuilt HR (95% CI)": [f"{h:.2f} ({lo:.2f}–{hi:.2f})"
                                    for h, lo, hi in zip(hr["hr_rebuilt"], hr["ci_low"], hr["ci_high"])],
            "log-rank p (rebuilt)": [_p_text(p) for p in hr["logrank_p"]],
            "quote": hr["quote"]})
        flags = [note(f"Flag: the reported {r.endpoint} HR {r.hr_reported} lies outside the 95% CI of the "
                      f"HR of the rebuilt data ({r.ci_low:.2f}–{r.ci_high:.2f}).", "warning").data
                 for r in hr.itertuples() if r.outside == "outside"]
        caption = ("Cox proportional-hazards HR of the rebuilt data (lifelines), in the direction the paper "
                   "reports it, beside the reported HR.")
        return HTML("".join(flags) + f'<p class="lr-caption">{escape(caption)}</p>{tables.html_table(shown)}')

    @staticmethod
    def _rmst_rebuilt(table: pd.DataFrame) -> HTML:
        shown = pd.DataFrame({"endpoint": table["endpoint"], "arm": table["arm"]})
        for t in rebuilt_km.LANDMARKS:
            shown[f"S({t} months)"] = table[f"survival_{t}"].map(_or_dash(".3f"))
        for t in rebuilt_km.HORIZONS:
            shown[f"RMST to {t} months"] = table[f"rmst_{t}"].map(_or_dash(".2f"))
        caption = ("Survival probability at 12, 24 and 36 months and restricted mean survival time (months "
                   "alive, or free of progression, within the horizon) of the rebuilt data; – where the "
                   "figure's follow-up ends before the horizon.")
        return HTML(f'<p class="lr-caption">{escape(caption)}</p>{tables.html_table(shown)}')

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


def _median_text(median, low, high) -> str:
    """A rebuilt median (2 decimals) with its CI; a bound the data do not reach says so."""
    if median is None or median != median:
        return "not reached"
    text = f"{median:.2f}"
    if low is None and high is None:
        return text
    lo = "not reached" if low is None or low != low else f"{low:.2f}"
    hi = "not reached" if high is None or high != high else f"{high:.2f}"
    return f"{text} ({lo}–{hi})"


def _p_text(p) -> str:
    return "<0.0001" if p is not None and p < 0.0001 else f"{p:.4f}"


def _or_dash(fmt: str):
    return lambda v: "–" if v is None or v != v else format(v, fmt)
