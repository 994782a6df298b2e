"""Altair chart builders for a study chapter and for the cross-study synthesis.

Builders return chart objects and never render them. Every chart inlines its data as
``{"values": [...]}`` (no URLs, no generated dataset names), carries a title of our own words, and
has a tooltip that includes the source ``quote``. Source text (quotes, arm names) enters only as
data: Vega draws axis labels as SVG/canvas text, and the vega-tooltip handler used by vega-embed
HTML-escapes tooltip values by default (its ``sanitize`` option defaults to ``escapeHTML``, which
replaces ``&`` and ``<``); a renderer must not override ``sanitize`` or ``formatTooltip``.
No selections or params are used, so the specs hold no auto-numbered names. A builder returns
None when there is nothing to draw.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import altair as alt
import pandas as pd

from livingreview.analysis import memo

from livingreview.analysis.survival import (
    SOURCE_LABEL, arm_label, arm_order, fit_models, preferred_models, reconstruct, reported_points,
    rmst_table,
)
from livingreview.analysis.synthesis import MODALITIES, across_study, arm_role, modality, primary_studies
from livingreview.present.tables import as_printed, endpoint_label, format_ci

# Altair checks every object against the Vega-Lite schema as it is built and again when the
# chart is turned into a spec. The second check is kept; the first, on every inline data row,
# cost seconds per synthesis chart and catches nothing the second does not.
alt.utils.schemapi.disable_debug_mode()

#: Widest a chart may be, in CSS pixels, labels and legends included: the book's article column
#: is 688 px wide in a 1280-px window. Single and layered charts are fitted to it (autosize
#: "fit-x"); faceted ones get panels narrow enough that labels, panels and legend add up to it.
COLUMN_WIDTH = 640
FIT = alt.AutoSizeParams(type="fit-x", contains="padding")
LABEL_LIMIT = 170  # longest y-axis label of a faceted chart (longer ones end in an ellipsis)
LABEL_CHARS = 30  # such a label is first cut to this many characters (about LABEL_LIMIT px)
LEGEND_ALLOWANCE = 150  # a right-hand legend: symbol, padding and labelLimit below
FACET_SPACING = 16
BAND = 20  # px per row of a chart with a discrete y axis (Vega-Lite's default step)
PANEL_WIDTH = (COLUMN_WIDTH - LABEL_LIMIT - LEGEND_ALLOWANCE - FACET_SPACING - 24) // 2
ENDPOINTS = ["OS", "PFS"]
RESPONSE_ENDPOINTS = ("ORR", "DCR", "technical_success", "technical_efficacy", "local_control",
                      "AE_grade3plus", "AE_any")
MODALITY_GRID = tuple(float(t) for t in range(0, 61))
# Two subtitle lines: Vega never wraps a title, and one long line would widen the chart.
RECONSTRUCTED_NOTE = ("Curves are exponential/Weibull models through reported medians and landmark",
                      "rates (reconstructed from summary statistics), not patient-level data.")
QUOTE_TIP = alt.Tooltip("quote:N", title="Source quote")


def _values(rows) -> alt.Data:
    """Inline data, JSON-safe (NaN -> null) with floats at a fixed precision."""
    df = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    return alt.Data(values=json.loads(df.to_json(orient="records", double_precision=10)))


def _with_lookup(chart: alt.Chart, df: pd.DataFrame, keys: list[str], fields: list[str]) -> alt.Chart:
    """Long per-series text (quotes) kept once per series and joined in by a lookup transform, so a
    curve's many rows do not repeat it; both datasets stay inline."""
    meta = df[keys + fields].drop_duplicates(keys).reset_index(drop=True)
    meta["key"] = [f"s{i}" for i in range(len(meta))]
    rows = df.drop(columns=fields).merge(meta[[*keys, "key"]], on=keys, how="left")
    chart.data = _values(rows)
    return chart.transform_lookup(lookup="key", from_=alt.LookupData(
        data=_values(meta[["key", *fields]]), key="key", fields=fields))


def _label_axis() -> alt.Axis:
    """A y axis whose long labels are cut to LABEL_CHARS characters and an ellipsis before Vega
    lays them out: Vega's own cut at LABEL_LIMIT px measures a long label again and again, which
    was most of the static SVG time of the synthesis's charts (a 60-study chart: 12 s -> 3 s).
    LABEL_LIMIT still cuts a label of wide characters that is longer than the column allows."""
    cut = f"slice(datum.label, 0, {LABEL_CHARS - 1}) + '\u2026'"
    return alt.Axis(labelLimit=LABEL_LIMIT, labelExpr=f"length(datum.label) > {LABEL_CHARS} ? {cut} : datum.label")


def _band_height(*counts: int) -> int:
    """A discrete-y chart's height as a number: rows x offsets x BAND. Vega-Lite's "fit-x"
    autosize drops (with a console warning) when the height is a discrete step instead."""
    rows = 1
    for n in counts:
        rows *= max(1, n)
    return BAND * rows


def _has_ci(row: dict, positive: bool = False) -> bool:
    low, high = row.get("ci_low"), row.get("ci_high")
    ok = all(isinstance(v, (int, float)) and v == v for v in (low, high))
    return ok and (not positive or low > 0)


def _with_ci(rows, layer, positive: bool = False) -> list:
    """[layer] when some row has both CI bounds, else []: a CI layer with no rows gives Vega an
    empty (infinite) extent for ci_low and ci_high, and a console warning."""
    return [layer] if any(_has_ci(r, positive) for r in rows) else []


def _title(text: str, *subtitle: str) -> alt.TitleParams:
    return alt.TitleParams(text=text, subtitle=list(subtitle), anchor="start")


def _study_sub(record: dict) -> str:
    return f"Study {record.get('id')}; values as reported"


def _ep_row(record: dict, ep: dict, **extra) -> dict:
    ci = ep.get("ci") or [None, None]
    return {"study": record.get("id"), "endpoint": ep.get("endpoint"),
            "arm": arm_label(record, ep.get("arm")) if ep.get("measure") not in ("HR", "ratio")
            else (ep.get("arm") or ""),
            "measure": ep.get("measure"), "value": float(ep["value"]), "ci_low": ci[0], "ci_high": ci[1],
            "value_text": as_printed(ep["value"], ep.get("quote")),
            "ci_text": format_ci(ep.get("ci"), ep.get("quote")), "p": ep.get("p") or "",
            "quote": ep.get("quote", ""), **extra}


def median_chart(record: dict) -> alt.LayerChart | None:
    """Reported median OS and PFS per arm, with 95% CI bars where printed."""
    rows = [_ep_row(record, ep) for ep in record.get("endpoints") or []
            if ep.get("endpoint") in ENDPOINTS and ep.get("measure") == "median"]
    if not rows:
        return None
    arms = arm_order(record, (r["arm"] for r in rows))
    tooltip = [alt.Tooltip("endpoint:N", title="Endpoint"), alt.Tooltip("arm:N", title="Arm"),
               alt.Tooltip("value_text:N", title="Median (months)"),
               alt.Tooltip("ci_text:N", title="95% CI"), QUOTE_TIP]
    base = alt.Chart(_values(rows)).encode(
        y=alt.Y("arm:N", sort=arms, title=None),
        yOffset=alt.YOffset("endpoint:N", sort=ENDPOINTS),
        color=alt.Color("endpoint:N", sort=ENDPOINTS, title="Endpoint"),
        tooltip=tooltip)
    x_title = "Median (months)"
    bars = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("ci_low:Q", title=x_title), x2="ci_high:Q",
    ).transform_filter("isValid(datum.ci_low) && isValid(datum.ci_high)")
    points = base.mark_point(filled=True, size=80).encode(x=alt.X("value:Q", title=x_title))
    height = _band_height(len({r["arm"] for r in rows}), len({r["endpoint"] for r in rows}))
    return alt.layer(*_with_ci(rows, bars), points).properties(
        width=COLUMN_WIDTH, height=height, autosize=FIT, title=_title("Median overall and progression-free survival by arm",
                                  _study_sub(record), "Bars: 95% CI where reported."))


def landmark_chart(record: dict) -> alt.LayerChart | None:
    """Reported landmark rates (e.g. 1-, 2-, 3-year OS) over time, per endpoint and arm."""
    rows = [_ep_row(record, ep, endpoint_label=endpoint_label(ep["endpoint"]),
                    timepoint_months=float(ep["timepoint_months"]))
            for ep in record.get("endpoints") or []
            if ep.get("measure") == "rate" and ep.get("unit") == "%" and ep.get("timepoint_months")]
    if not rows:
        return None
    tooltip = [alt.Tooltip("endpoint_label:N", title="Endpoint"), alt.Tooltip("arm:N", title="Arm"),
               alt.Tooltip("timepoint_months:Q", title="Months"),
               alt.Tooltip("value_text:N", title="Rate (%)"), QUOTE_TIP]
    base = alt.Chart(_values(rows)).encode(
        x=alt.X("timepoint_months:Q", title="Months since treatment", scale=alt.Scale(domainMin=0)),
        y=alt.Y("value:Q", title="Rate (%)", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("endpoint_label:N", title="Endpoint"),
        detail="arm:N", tooltip=tooltip)
    lines = base.mark_line()
    points = base.mark_point(filled=True, size=70).encode(shape=alt.Shape("arm:N", title="Arm"))
    return alt.layer(lines, points).properties(
        width=COLUMN_WIDTH, autosize=FIT, title=_title("Reported landmark rates over time", _study_sub(record)))


def response_chart(record: dict) -> alt.Chart | None:
    """Response, technical success, local control and adverse-event rates as bars (0–100%)."""
    rows = []
    for ep in record.get("endpoints") or []:
        if ep.get("endpoint") in RESPONSE_ENDPOINTS and ep.get("measure") == "rate" and ep.get("unit") == "%":
            label = endpoint_label(ep["endpoint"])
            if ep.get("timepoint_months"):
                label += f" at {as_printed(ep['timepoint_months'])} months"
            group = "safety" if ep["endpoint"].startswith("AE_") else "efficacy"
            rows.append(_ep_row(record, ep, label=label, group=group,
                                order=RESPONSE_ENDPOINTS.index(ep["endpoint"])))
    if not rows:
        return None
    labels = list(dict.fromkeys(r["label"] for r in sorted(rows, key=lambda r: r["order"])))
    return alt.Chart(_values(rows)).mark_bar().encode(
        y=alt.Y("label:N", sort=labels, title=None),
        yOffset=alt.YOffset("arm:N"),
        x=alt.X("value:Q", title="Rate (%)", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("arm:N", title="Arm"),
        opacity=alt.Opacity("group:N", sort=["efficacy", "safety"], title="Kind",
                            scale=alt.Scale(domain=["efficacy", "safety"], range=[1.0, 0.6])),
        tooltip=[alt.Tooltip("label:N", title="Outcome"), alt.Tooltip("arm:N", title="Arm"),
                 alt.Tooltip("value_text:N", title="Rate (%)"), alt.Tooltip("ci_text:N", title="95% CI"),
                 QUOTE_TIP],
    ).properties(width=COLUMN_WIDTH, height=_band_height(len(labels), len({r["arm"] for r in rows})),
                 autosize=FIT, title=_title("Response, technical and safety rates", _study_sub(record)))


def hr_chart(record: dict) -> alt.LayerChart | None:
    """Reported hazard ratios and other ratios on a log axis, CI bars, and a reference rule at 1."""
    rows = [_ep_row(record, ep, label=f"{endpoint_label(ep['endpoint'])} {ep['measure']}")
            for ep in record.get("endpoints") or []
            if ep.get("measure") in ("HR", "ratio") and isinstance(ep.get("value"), (int, float))
            and ep["value"] > 0]
    if not rows:
        return None
    x_title = "Reported ratio (log scale)"
    bounds = [v for r in rows for v in (r["value"], r["ci_low"], r["ci_high"]) if v and v > 0]
    log = alt.Scale(type="log", domain=[round(min(bounds + [1.0]) / 1.25, 3),
                                        round(max(bounds + [1.0]) * 1.25, 3)])
    tooltip = [alt.Tooltip("label:N", title="Measure"), alt.Tooltip("arm:N", title="Comparison"),
               alt.Tooltip("value_text:N", title="Value"), alt.Tooltip("ci_text:N", title="95% CI"),
               alt.Tooltip("p:N", title="P"), QUOTE_TIP]
    base = alt.Chart().encode(
        y=alt.Y("label:N", title=None), color=alt.Color("measure:N", title="Measure"), tooltip=tooltip)
    bars = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("ci_low:Q", scale=log, title=x_title), x2="ci_high:Q",
    ).transform_filter("isValid(datum.ci_low) && isValid(datum.ci_high) && datum.ci_low > 0")
    points = base.mark_point(filled=True, size=80).encode(x=alt.X("value:Q", scale=log, title=x_title))
    reference = alt.Chart(alt.Data(values=[{"reference": 1}])).mark_rule(
        strokeDash=[4, 4], color="gray").encode(x=alt.X("reference:Q", scale=log, title=x_title))
    return alt.layer(reference, *_with_ci(rows, bars, positive=True), points, data=_values(rows)).properties(
        width=COLUMN_WIDTH, height=_band_height(len({r["label"] for r in rows})), autosize=FIT,
        title=_title("Hazard ratios and ratios between arms", _study_sub(record),
                                  "Log scale; dashed rule at 1 (no difference)."))


def survival_chart(curves: pd.DataFrame, landmarks) -> alt.LayerChart | None:
    """Reconstructed curves (``survival.reconstruct``) with the reported points
    (``survival.reported_points``: medians at S = 0.5, landmark rates) drawn on top."""
    curves = pd.DataFrame(curves)
    points = pd.DataFrame(landmarks)
    if curves.empty and points.empty:
        return None
    study_ids = sorted({*curves.get("study", []), *points.get("study", [])})
    layers = []
    scale_x = alt.X("time_months:Q", title="Months", scale=alt.Scale(domain=[0, 60]))
    scale_y = alt.Y("survival:Q", title="Survival probability", scale=alt.Scale(domain=[0, 1]))
    if not curves.empty:
        curves = curves.assign(series=curves["endpoint"] + " · " + curves["arm"])[
            ["series", "model", "time_months", "survival", "quote", "source"]]
        lines = _with_lookup(alt.Chart(), curves, ["series", "model"], ["quote", "source"])
        layers.append(lines.mark_line().encode(
            x=scale_x, y=scale_y, color=alt.Color("series:N", title="Endpoint · arm"),
            strokeDash=alt.StrokeDash("model:N", title="Model", sort=["exponential", "Weibull"]),
            tooltip=[alt.Tooltip("series:N", title="Endpoint · arm"), alt.Tooltip("model:N", title="Model"),
                     alt.Tooltip("time_months:Q", title="Months"),
                     alt.Tooltip("survival:Q", title="S(t)", format=".3f"),
                     alt.Tooltip("source:N", title="Basis"), QUOTE_TIP]))
    if not points.empty:
        points = points.assign(series=points["endpoint"] + " · " + points["arm"],
                               reported=points.apply(
                                   lambda r: f"median {as_printed(r['value'], r['quote'])} months"
                                   if r["kind"] == "median"
                                   else f"{as_printed(r['value'], r['quote'])}% at "
                                        f"{as_printed(r['time_months'])} months", axis=1))
        layers.append(alt.Chart(_values(points)).mark_point(filled=True, size=70, color="black").encode(
            x=scale_x, y=scale_y, shape=alt.Shape("kind:N", title="Reported", sort=["median", "rate"]),
            tooltip=[alt.Tooltip("series:N", title="Endpoint · arm"),
                     alt.Tooltip("reported:N", title="Reported"), QUOTE_TIP]))
    study = (study_ids[0] if study_ids else "")
    return alt.layer(*layers).properties(
        width=COLUMN_WIDTH, autosize=FIT, title=_title("Survival curves reconstructed from summary statistics",
                                  f"Study {study}", *RECONSTRUCTED_NOTE))


def _study_arm_label(row) -> str:
    return f"{row['study']} · {row['arm']}"


def forest_chart(records: Iterable[dict]) -> alt.FacetChart | None:
    """Median OS and PFS with 95% CI per study (local-therapy arms), coloured by modality."""
    df = across_study(list(records))
    df = df[df["measure"] == "median"]
    if df.empty:
        return None
    df = df.assign(label=df.apply(_study_arm_label, axis=1))
    order = list(dict.fromkeys(df["label"]))
    tooltip = [alt.Tooltip("study:N", title="Study"), alt.Tooltip("arm:N", title="Arm"),
               alt.Tooltip("modality:N", title="Modality"), alt.Tooltip("ICI:N", title="ICI"),
               alt.Tooltip("value_text:N", title="Median (months)"),
               alt.Tooltip("ci_text:N", title="95% CI"), QUOTE_TIP]
    x_title = "Median (months)"
    base = alt.Chart().encode(
        y=alt.Y("label:N", sort=order, title=None, axis=_label_axis()),
        color=alt.Color("modality:N", title="Modality", scale=alt.Scale(domain=list(MODALITIES))),
        tooltip=tooltip)
    bars = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("ci_low:Q", title=x_title), x2="ci_high:Q",
    ).transform_filter("isValid(datum.ci_low) && isValid(datum.ci_high)")
    points = base.mark_point(filled=True, size=80).encode(
        x=alt.X("value:Q", title=x_title), shape=alt.Shape("ICI:N", title="With ICI", sort=["yes", "no"]))
    ci_layer = _with_ci(df.to_dict("records"), bars)
    return alt.layer(*ci_layer, points, data=_values(df)).properties(width=PANEL_WIDTH).facet(
        column=alt.Column("endpoint:N", sort=ENDPOINTS, title=None), spacing=FACET_SPACING,
    ).properties(title=_title("Median survival by study and modality",
                              "Arms that received the local therapy; values as reported.",
                              "Different populations and designs: not a pooled estimate."))


def _study_rmst_rows(rec: dict, include_controls: bool) -> pd.DataFrame:
    """One study's bars on the RMST chart: its preferred models' RMST at each horizon."""
    best = preferred_models(fit_models(rec))[["study", "endpoint", "arm", "model"]]
    rmst = rmst_table(rec).merge(best, on=["study", "endpoint", "arm", "model"])
    if not include_controls:
        rmst = rmst[[arm_role(rec, a) != "control" for a in rmst["arm"]]]
    return rmst.assign(modality=modality(rec))


def _rmst_rows(records: Sequence[dict], include_controls: bool) -> pd.DataFrame:
    frames = [memo.cached("rmst-rows", (rec, include_controls),
                          lambda rec=rec: _study_rmst_rows(rec, include_controls))
              for rec in primary_studies(records)]
    if not frames:
        return pd.DataFrame()
    df = pd.concat(frames, ignore_index=True)
    if df.empty:
        return df
    return df.assign(label=df.apply(_study_arm_label, axis=1), tau=df["tau_months"].map(lambda t: f"{t} months"))


def _opacities(n: int) -> list[float]:
    return [round(0.55 + 0.45 * i / max(1, n - 1), 2) for i in range(n)] if n > 1 else [1.0]


def rmst_chart(records: Iterable[dict], include_controls: bool = False) -> alt.Chart | None:
    """RMST at 12 and 24 months side by side per study arm, coloured by modality, one panel per
    endpoint. Weibull where fitted, else exponential; reconstructed, not reported."""
    df = _rmst_rows(list(records), include_controls)
    if df.empty:
        return None
    order = list(dict.fromkeys(df["label"]))
    taus = list(dict.fromkeys(df["tau"]))
    return alt.Chart(_values(df)).mark_bar().encode(
        y=alt.Y("label:N", sort=order, title=None, axis=_label_axis()),
        yOffset=alt.YOffset("tau:N", sort=taus),
        x=alt.X("rmst_months:Q", title="RMST (months)"),
        color=alt.Color("modality:N", title="Modality", scale=alt.Scale(domain=list(MODALITIES))),
        opacity=alt.Opacity("tau:N", sort=taus, title="Horizon",
                            scale=alt.Scale(domain=taus, range=_opacities(len(taus)))),
        column=alt.Column("endpoint:N", sort=ENDPOINTS, title=None, spacing=FACET_SPACING),
        tooltip=[alt.Tooltip("study:N", title="Study"), alt.Tooltip("arm:N", title="Arm"),
                 alt.Tooltip("endpoint:N", title="Endpoint"), alt.Tooltip("tau:N", title="Horizon"),
                 alt.Tooltip("rmst_months:Q", title="RMST (months)", format=".2f"),
                 alt.Tooltip("model:N", title="Model"), alt.Tooltip("source:N", title="Basis"), QUOTE_TIP],
    ).properties(width=PANEL_WIDTH, title=_title(
        "Restricted mean survival time at 12 and 24 months",
        "Area under the reconstructed curve (Weibull where fitted, else exponential).",
        SOURCE_LABEL.capitalize() + "; not reported by the studies."))


def _modality_rows(rec: dict) -> pd.DataFrame:
    """One study's curves on the modality chart: its local-therapy arms' preferred models."""
    best = preferred_models(fit_models(rec))[["study", "endpoint", "arm", "model"]]
    curves = reconstruct(rec, grid=MODALITY_GRID).merge(best, on=["study", "endpoint", "arm", "model"])
    curves = curves[[arm_role(rec, a) != "control" for a in curves["arm"]]]
    return curves.assign(modality=modality(rec))


def modality_curves_chart(records: Iterable[dict]) -> alt.Chart | None:
    """Reconstructed OS and PFS curves of every study's local-therapy arm(s), coloured by modality."""
    frames = [memo.cached("modality-curves", (rec, MODALITY_GRID), lambda rec=rec: _modality_rows(rec))
              for rec in primary_studies(list(records))]
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if df.empty:
        return None
    df = df.assign(series=df.apply(_study_arm_label, axis=1))[
        ["series", "endpoint", "model", "time_months", "survival", "modality", "quote", "source"]]
    chart = _with_lookup(alt.Chart(), df, ["series", "endpoint", "model"], ["modality", "quote", "source"])
    return chart.mark_line().encode(
        x=alt.X("time_months:Q", title="Months", scale=alt.Scale(domain=[0, 60])),
        y=alt.Y("survival:Q", title="Survival probability", scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("modality:N", title="Modality", scale=alt.Scale(domain=list(MODALITIES))),
        detail="series:N",
        strokeDash=alt.StrokeDash("model:N", title="Model", sort=["exponential", "Weibull"]),
        column=alt.Column("endpoint:N", sort=ENDPOINTS, title=None, spacing=FACET_SPACING),
        tooltip=[alt.Tooltip("series:N", title="Study · arm"), alt.Tooltip("modality:N", title="Modality"),
                 alt.Tooltip("model:N", title="Model"), alt.Tooltip("time_months:Q", title="Months"),
                 alt.Tooltip("survival:Q", title="S(t)", format=".3f"), QUOTE_TIP],
    ).properties(width=PANEL_WIDTH, title=_title(
        "Reconstructed survival by modality", *RECONSTRUCTED_NOTE,
        "Different populations and designs: compare with care."))


CHAPTER_CHARTS = ("medians", "ratios", "landmarks", "survival", "rmst", "responses")


def charts_for(record: dict) -> list[tuple[str, alt.TopLevelMixin]]:
    """The chapter's charts in the fixed order of CHAPTER_CHARTS, leaving out those with no data."""
    if not record.get("is_primary_study"):
        return []
    built = {
        "medians": median_chart(record),
        "ratios": hr_chart(record),
        "landmarks": landmark_chart(record),
        "survival": survival_chart(reconstruct(record), reported_points(record)),
        "rmst": rmst_chart([record], include_controls=True),
        "responses": response_chart(record),
    }
    return [(name, built[name]) for name in CHAPTER_CHARTS if built[name] is not None]
