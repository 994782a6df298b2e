"""What the synthesis and patient pages show, cell by cell, computed from every record."""
from __future__ import annotations

from html import escape

import pandas as pd
from IPython.display import HTML, display
from myst_nb import glue

from livingreview.analysis import evidence
from livingreview.analysis import memo
from livingreview.analysis import rebuilt as rebuilt_km
from livingreview.analysis import risk_of_bias as rob
from livingreview.present import appraisal as appraisal_html
from livingreview.present import charts
from livingreview.present import render
from livingreview.analysis import survival
from livingreview.analysis import synthesis
from livingreview.present import tables
from livingreview.present.chapter import note
from livingreview.present.formatting import short_title

SUMMARY_SHOWN = [
    "study", "modality", "design", "n_patients", "arm", "arm_n", "ICI", "median OS", "median PFS",
    "OS 12 mo", "OS 24 mo", "OS 36 mo", "PFS 12 mo", "ORR", "grade ≥3 AE", "notes",
]
WITHIN_SHOWN = ["study", "endpoint", "comparison", "median_a", "median_b", "measure", "effect",
                "ci_low", "ci_high", "p"]


def html_table(df: pd.DataFrame) -> HTML:
    return HTML(tables.html_table(df))


class SynthesisPage:
    """All registered studies' records, for the cross-study pages."""

    def __init__(self, entries: list, records: list[dict], appraisals: dict | None = None,
                 rebuilt: dict | None = None):
        # `appraisals`: study id -> analysis.evidence.Appraisal (risk of bias, indirectness,
        # certainty overrides); `rebuilt`: study id -> that study's digitised Kaplan–Meier arms,
        # rebuilt (analysis.rebuilt.RebuiltArm), preferred to the summary-statistics models.
        # Both are read by `livingreview.book.loading`.
        self.entries = entries
        self.records = records
        self.appraisals = appraisals or {}
        self.rebuilt = dict(rebuilt or {})
        self._findings = None

    @property
    def findings(self) -> list:
        """The summary-of-findings rows (computed once per page)."""
        if self._findings is None:
            self._findings = evidence.summary_of_findings(self.records, self.appraisals)
        return self._findings

    def assessments(self) -> list:
        """Risk-of-bias assessments of the primary studies, in the page's study order."""
        return [a for r in self.primary for a in self.appraisals.get(r["id"], evidence.Appraisal(r["id"])).risk_of_bias]

    def risk_of_bias(self) -> None:
        """Per tool: the traffic-light plot and the summary weighted by participants, then every
        judgement's support; says which primary studies are not assessed yet."""
        found = self.assessments()
        weights = {r["id"]: r["n_patients"] for r in self.primary if r.get("n_patients")}
        for tool in (rob.ROB2, rob.ROBINS_I, rob.CHECKLIST):
            items = [a for a in found if a.tool == tool]
            if not items:
                continue
            display(render.cached_figure("traffic-light", (items, tool),
                                         lambda: charts.traffic_light_chart(items, tool)))
            if len(items) >= 2:
                shares = weights if len(weights) == len(self.primary) else None
                display(render.cached_figure("risk-summary", (items, tool, shares),
                                             lambda: charts.risk_summary_chart(items, tool, shares)))
        missing = [r["id"] for r in self.primary if not self.appraisals.get(r["id"]) or
                   not self.appraisals[r["id"]].risk_of_bias]
        if missing:
            display(note("No structured risk-of-bias judgement yet for: " + ", ".join(missing) + "."))
        if found:
            display(HTML(appraisal_html.supports_html(found)))
        elif not missing:
            display(note("No primary study to judge."))

    def pooled_analyses(self) -> None:
        """A forest plot for every group of two or more studies reporting a hazard ratio for the
        same endpoint and comparison, then why each other group or result was not pooled."""
        pooled = [f for f in self.findings if f.group is not None and f.group.pooled]
        for f in pooled:  # a group the newest study is not in keeps its stored plot
            parts = charts.pooled_forest_parts(f)
            display(render.cached_figure("pooled-forest", parts, lambda: charts.draw_pooled_forest(*parts)))
        if not pooled:
            display(note("Nothing is pooled: no two studies report a hazard ratio with its 95 % CI "
                         "for the same endpoint and comparison."))
        _, skipped = evidence.hazard_ratio_rows(self.records)
        reasons = appraisal_html.not_pooled_html(self.findings, skipped)
        if reasons:
            display(HTML("<p>Not pooled, and why:</p>" + reasons))

    def summary_of_findings(self) -> HTML:
        return HTML(appraisal_html.sof_table_html(self.findings))

    def plain_findings(self) -> HTML:
        return HTML(appraisal_html.plain_findings_html(self.findings))

    @property
    def primary(self) -> list[dict]:
        return synthesis.primary_studies(self.records)

    def numbers(self) -> dict:
        return synthesis.prose_numbers(self.records)

    def glue_numbers(self) -> None:
        """Glue every computed number under its name, for {glue:text} in the prose."""
        for name, value in sorted(self.numbers().items()):
            glue(name, "not available" if value is None else value, display=False)

    def summary_table(self) -> HTML:
        table = synthesis.summary_table(self.records)
        return html_table(table[[c for c in SUMMARY_SHOWN if c in table.columns]])

    def forest_chart(self):
        return render.figure(charts.forest_chart(self.records)) or note("No study reports a median OS or PFS.")

    def within_study(self) -> HTML:
        table = synthesis.within_study_comparisons(self.records)
        if table.empty:
            return note("No study compares arms within itself.")
        return html_table(table[[c for c in WITHIN_SHOWN if c in table.columns]])

    def modality_curves(self):
        return (render.figure(charts.modality_curves_chart(self.records, self.rebuilt))
                or note("No curve could be reconstructed."))

    def curve_basis(self) -> HTML:
        """Which curve the synthesis used for every study arm: the rebuilt figure, or which model."""
        # A study without a digitised figure: its rows depend on its record alone, so they are reused.
        frames = [rebuilt_km.basis_table(r, self.rebuilt[r["id"]]) if self.rebuilt.get(r["id"]) else
                  memo.cached("curve-basis", (r,), lambda r=r: rebuilt_km.basis_table(r, ()))
                  for r in self.primary]
        frames = [f for f in frames if not f.empty]
        if not frames:
            return note("No study has a curve to draw.")
        table = pd.concat(frames, ignore_index=True)
        n_rebuilt = int((table["curve"] == rebuilt_km.REBUILT_MODEL).sum())
        text = (f"{n_rebuilt} of {len(table)} study arms are drawn from curves rebuilt from the paper's "
                "digitised Kaplan–Meier figure (rebuilt KM); the others from an exponential or Weibull "
                "model through the reported medians and landmark rates.")
        return HTML(f"<p>{escape(text)}</p>{html_table(table).data}")

    def rmst_chart(self):
        return (render.figure(charts.rmst_chart(self.records, rebuilt=self.rebuilt))
                or note("No curve to compute an RMST from."))

    def rmst_table(self) -> HTML:
        """RMST of every study arm: of the rebuilt curve where a figure was digitised, else of each model."""
        frames = []
        for r in self.primary:
            arms = self.rebuilt.get(r["id"], ())
            fallback = memo.cached("rmst-table", (r,), lambda r=r: survival.rmst_table(r))
            if not arms:  # no digitised figure: the models' RMST is the whole of the study's rows
                frames.append(fallback)
                continue
            done = rebuilt_km.digitised_keys(a for a in arms if a.matched)
            fallback = fallback.loc[[(e, a) not in done for e, a in zip(fallback["endpoint"], fallback["arm"])]]
            own = rebuilt_km.preferred_rmst(r, arms)
            frames += [fallback, own[own["model"] == rebuilt_km.REBUILT_MODEL]]
        frames = [f for f in frames if not f.empty]
        if not frames:
            return HTML("")
        table = pd.concat(frames, ignore_index=True)
        return html_table(tables.rmst_wide(table, ["study", "endpoint", "arm", "model"]))

    def excluded(self) -> HTML:
        others = [r for r in self.records if not r["is_primary_study"]]
        if not others:
            return HTML("<p>Every document in the review is a primary study.</p>")
        items = "".join(
            f'<li><a href="{escape(r["id"])}.html">{escape(r["title"] or r["id"])}</a>: '
            "not a primary study, so no numbers are taken from it.</li>"
            for r in others
        )
        return HTML(f"<ul>{items}</ul>")

    def plain_language(self) -> None:
        """The patient page: short sentences, links to chapters, no number of its own."""
        by_modality: dict[str, list[dict]] = {}
        for record in self.primary:
            by_modality.setdefault(synthesis.modality(record), []).append(record)
        parts = [
            "<p>Doctors are testing whether treating tumours in the liver directly, with focused "
            "ultrasound (HIFU), heat (thermal ablation) or radiotherapy, helps immunotherapy drugs "
            "called immune checkpoint inhibitors work better.</p>",
            "<h2>What the studies so far say</h2>",
        ]
        for modality in synthesis.MODALITIES:
            studies = by_modality.get(modality)
            if not studies:
                continue
            with_ici = [r for r in studies if synthesis.has_ici(r)]
            compared = [r for r in studies if len(r["arms"]) > 1]
            sentences = [
                "Some of these studies gave immunotherapy with it." if with_ici and len(with_ici) < len(studies)
                else "These studies gave immunotherapy with it." if with_ici
                else "None of these studies gave immunotherapy with it.",
                "One or more compared patients who had it with patients who did not."
                if compared else "None compared patients who had it with patients who did not.",
                "No study was randomised, so differences may come from which patients were chosen."
                if not any(r["design"] == "randomized" for r in studies) else
                "At least one study was randomised.",
            ]
            links = ", ".join(
                f'<a href="{escape(r["id"])}.html">{escape(short_title(r))}</a>' for r in studies
            )
            parts.append(
                f"<h3>{escape(modality)}</h3><p>{escape(' '.join(sentences))}</p>"
                f"<p>Read the studies: {links}.</p>"
            )
        parts += [
            "<h2>What the evidence does not say</h2>",
            "<p>It does not show that any of these treatments makes immunotherapy work better. The "
            "studies are small, look back at past patients, and treat different cancers. The "
            "certainty of the evidence is rated on the synthesis page.</p>",
            "<p>Talk to your care team about whether a clinical trial is open to you.</p>",
        ]
        others = [r for r in self.records if not r["is_primary_study"]]
        if others:
            links = ", ".join(
                f'<a href="{escape(r["id"])}.html">{escape(r["title"] or r["id"])}</a>' for r in others
            )
            parts.append(f"<p>Background reading for patients: {links}.</p>")
        display(HTML("\n".join(parts)))
