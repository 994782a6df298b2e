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
from livingreview.analysis import rebuilt as rebuilt_km
from livingreview.analysis.survival import (
    SOURCE_LABEL, arm_label, arm_order, reconstruct, reported_points,
)
from livingreview.analysis.synthesis import MODALITIES, across_study, arm_role, modality, primary_studies
from livingreview.present.render import Rows
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
REBUILT_MIXED_NOTE = ("Kaplan–Meier curves rebuilt from a paper's digitised figure where a reviewer digitised one;",
                      "elsewhere exponential/Weibull models through reported medians and landmark rates.")
FALLBACK_NOTE = "Fallback: drawn only where no Kaplan–Meier figure of the paper was digitised."
QUOTE_TIP = alt.Tooltip("quote:N", title="Source quote")
CENSOR_TICK = "M0,-1L0,1"  # a vertical tick, the usual censoring mark of a KM plot


def _values(rows) -> alt.Data:
    """Inline data, JSON-safe (NaN -> null) with floats at a fixed precision, held as
    `render.Rows` so Altair neither copies nor converts them row by row (see `render.figure`)."""
    df = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    return alt.Data(values=Rows(json.loads(df.to_json(orient="records", double_precision=10))))


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
                                  f"Study {study}", *RECONSTRUCTED_NOTE, FALLBACK_NOTE))


def _study_arm_labels(df: pd.DataFrame) -> list[str]:
    """"study · arm" for every row (a list comprehension: a row-wise `apply` over a 60-study
    curve frame took a tenth of a second)."""
    return [f"{study} · {arm}" for study, arm in zip(df["study"], df["arm"])]


def forest_chart(records: Iterable[dict]) -> alt.FacetChart | None:
    """Median OS and PFS with 95% CI per study (local-therapy arms), coloured by modality."""
    df = across_study(list(records))
    df = df[df["measure"] == "median"]
    if df.empty:
        return None
    df = df.assign(label=_study_arm_labels(df))
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


def _study_rmst_rows(rec: dict, include_controls: bool, arms: tuple = (),
                     fallback_only: bool = False) -> pd.DataFrame:
    """One study's bars on the RMST chart: the rebuilt curve's RMST where a figure was digitised
    (`arms`), else its preferred model's, at each horizon."""
    rmst = rebuilt_km.preferred_rmst(rec, arms)
    if fallback_only:
        rmst = rmst[rmst["model"] != rebuilt_km.REBUILT_MODEL]
    if not include_controls:
        rmst = rmst.loc[[arm_role(rec, a) != "control" for a in rmst["arm"]]]
    return rmst.assign(modality=modality(rec))


def _rmst_rows(records: Sequence[dict], include_controls: bool, rebuilt: dict | None = None,
               fallback_only: bool = False) -> pd.DataFrame:
    # Rows of a study without a digitised figure depend on its record alone, so they are reused.
    frames = []
    for rec in primary_studies(records):
        arms = tuple((rebuilt or {}).get(rec.get("id"), ()))
        compute = lambda rec=rec, arms=arms: _study_rmst_rows(rec, include_controls, arms, fallback_only)
        frames.append(compute() if arms else
                      memo.cached("rmst-rows", (rec, include_controls, fallback_only), compute))
    frames = [f for f in frames if not f.empty]  # a study with no survival numbers adds no bars
    if not frames:
        return pd.DataFrame()
    df = pd.concat(frames, ignore_index=True)
    if df.empty:
        return df
    return df.assign(label=_study_arm_labels(df), tau=df["tau_months"].map(lambda t: f"{t} months"))


def _opacities(n: int) -> list[float]:
    return [round(0.55 + 0.45 * i / max(1, n - 1), 2) for i in range(n)] if n > 1 else [1.0]


def rmst_chart(records: Iterable[dict], include_controls: bool = False, rebuilt: dict | None = None,
               fallback_only: bool = False) -> alt.Chart | None:
    """RMST at 12 and 24 months side by side per study arm, coloured by modality, one panel per
    endpoint: of the rebuilt KM curve where a figure was digitised (``rebuilt``: study id -> rebuilt
    arms), else of the Weibull where fitted, else the exponential; computed, not reported.
    ``fallback_only`` leaves out the digitised arms (a chapter shows those apart)."""
    df = _rmst_rows(list(records), include_controls, rebuilt, fallback_only)
    mixed = not df.empty and (df["model"] == rebuilt_km.REBUILT_MODEL).any()
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
        *(("Area under the rebuilt Kaplan–Meier curve where a figure was digitised,",
           "else under the model curve (Weibull where fitted, else exponential); not reported.") if mixed else
          ("Area under the reconstructed curve (Weibull where fitted, else exponential).",
           SOURCE_LABEL.capitalize() + "; not reported by the studies."))))


def _modality_rows(rec: dict, arms: tuple = ()) -> pd.DataFrame:
    """One study's curves on the modality chart: its local-therapy arms' rebuilt KM curve where a
    figure was digitised (`arms`), else their preferred model."""
    curves = rebuilt_km.preferred_curves(rec, arms, MODALITY_GRID)
    curves = curves.loc[[arm_role(rec, a) != "control" for a in curves["arm"]]]
    return curves.assign(modality=modality(rec))


def modality_curves_chart(records: Iterable[dict], rebuilt: dict | None = None) -> alt.Chart | None:
    """OS and PFS curves of every study's local-therapy arm(s), coloured by modality: the rebuilt
    KM curve where a figure was digitised (``rebuilt``: study id -> rebuilt arms), else a model."""
    frames = []
    for rec in primary_studies(list(records)):
        arms = tuple((rebuilt or {}).get(rec.get("id"), ()))
        compute = lambda rec=rec, arms=arms: _modality_rows(rec, arms)
        frames.append(compute() if arms else memo.cached("modality-curves", (rec, MODALITY_GRID), compute))
    frames = [f for f in frames if not f.empty]  # a study with no survival numbers adds no curve
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if df.empty:
        return None
    df = df.assign(series=_study_arm_labels(df))[
        ["series", "endpoint", "model", "time_months", "survival", "modality", "quote", "source"]]
    mixed = bool((df["model"] == rebuilt_km.REBUILT_MODEL).any())
    chart = _with_lookup(alt.Chart(), df, ["series", "endpoint", "model"], ["modality", "quote", "source"])
    return chart.mark_line().encode(
        x=alt.X("time_months:Q", title="Months", scale=alt.Scale(domain=[0, 60])),
        y=alt.Y("survival:Q", title="Survival probability", scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("modality:N", title="Modality", scale=alt.Scale(domain=list(MODALITIES))),
        detail="series:N",
        strokeDash=alt.StrokeDash("model:N", title="Model",
                                  sort=[rebuilt_km.REBUILT_MODEL, "exponential", "Weibull"]),
        column=alt.Column("endpoint:N", sort=ENDPOINTS, title=None, spacing=FACET_SPACING),
        tooltip=[alt.Tooltip("series:N", title="Study · arm"), alt.Tooltip("modality:N", title="Modality"),
                 alt.Tooltip("model:N", title="Model"), alt.Tooltip("time_months:Q", title="Months"),
                 alt.Tooltip("survival:Q", title="S(t)", format=".3f"),
                 alt.Tooltip("source:N", title="Basis"), QUOTE_TIP],
    ).properties(width=PANEL_WIDTH, title=_title(
        "Reconstructed survival by modality", *(REBUILT_MIXED_NOTE if mixed else RECONSTRUCTED_NOTE),
        "Different populations and designs: compare with care."))


def km_chart(frames: dict[str, pd.DataFrame], endpoint: str, medians: pd.DataFrame, study: str,
             arms: Sequence[str]) -> alt.LayerChart | None:
    """One endpoint's rebuilt Kaplan–Meier curves (``rebuilt.plot_frames``) as steps with censoring
    ticks, over the digitised points, with the reported medians at S = 0.5; each legend entry holds
    its curve's RMSE and largest gap against the points."""
    parts = {name: df[df["endpoint"] == endpoint] for name, df in frames.items() if not df.empty}
    curve = parts.get("curve")
    if curve is None or curve.empty:
        return None
    series = list(dict.fromkeys(curve.sort_values(
        "arm", key=lambda a: a.map({n: i for i, n in enumerate(arms)}), kind="mergesort")["series"]))
    end = float(max(curve["time"].max(), parts["points"]["time"].max() if "points" in parts else 0.0))
    x = alt.X("time:Q", title="Months", scale=alt.Scale(domain=[0, round(end, 1)], nice=False))
    y = alt.Y("survival:Q", title="Survival probability", scale=alt.Scale(domain=[0, 1]))
    color = alt.Color("series:N", sort=series, title="Arm (fit to the digitised points)",
                      legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=COLUMN_WIDTH - 40,
                                         titleLimit=COLUMN_WIDTH - 40))
    tip = [alt.Tooltip("arm:N", title="Arm"), alt.Tooltip("time:Q", title="Months", format=".2f"),
           alt.Tooltip("survival:Q", title="S(t)", format=".3f")]
    layers = [
        alt.Chart(_values(parts["points"][["series", "arm", "time", "survival"]])).mark_point(
            shape="circle", size=14, opacity=0.5, filled=False).encode(x=x, y=y, color=color, tooltip=[
                alt.Tooltip("arm:N", title="Digitised point of"), *tip[1:]]),
        alt.Chart(_values(curve[["series", "arm", "time", "survival"]])).mark_line(
            interpolate="step-after").encode(x=x, y=y, color=color, tooltip=tip),
    ]
    censored = parts.get("censored")
    if censored is not None and not censored.empty:
        layers.append(alt.Chart(_values(censored[["series", "arm", "time", "survival"]])).mark_point(
            shape=CENSOR_TICK, size=40, strokeWidth=1.2).encode(x=x, y=y, color=color, tooltip=[
                alt.Tooltip("arm:N", title="Censored in"), *tip[1:]]))
    reported = medians[(medians["endpoint"] == endpoint) & (medians["median_reported"] != "")]
    if not reported.empty:
        rows = [{"time": float(r.median_reported), "survival": 0.5, "arm": r.arm,
                 "reported": f"median {r.median_reported} months", "quote": r.median_quote}
                for r in reported.itertuples()]
        layers.append(alt.Chart(_values(rows)).mark_point(shape="diamond", filled=True, size=70,
                                                          color="black").encode(
            x=x, y=y, tooltip=[alt.Tooltip("arm:N", title="Arm"), alt.Tooltip("reported:N", title="Reported"),
                               QUOTE_TIP]))
    return alt.layer(*layers).properties(width=COLUMN_WIDTH, autosize=FIT, title=_title(
        f"{endpoint}: Kaplan–Meier curves rebuilt from the paper's figure", f"Study {study}",
        "Steps: rebuilt patient data (Guyot method); ticks: censored; circles: digitised points;",
        "black diamonds: the medians the paper reports."))


CHAPTER_CHARTS = ("medians", "ratios", "landmarks", "survival", "rmst", "responses")


def _without(df: pd.DataFrame, keys: frozenset) -> pd.DataFrame:
    if df.empty or not keys:
        return df
    return df.loc[[(e, a) not in keys for e, a in zip(df["endpoint"], df["arm"])]].reset_index(drop=True)


def charts_for(record: dict, rebuilt: Sequence = ()) -> list[tuple[str, alt.TopLevelMixin]]:
    """The chapter's charts in the fixed order of CHAPTER_CHARTS, leaving out those with no data.
    The summary-statistics curves and RMST are the fallback: (endpoint, arm) pairs with a ``rebuilt``
    curve are left out of them."""
    if not record.get("is_primary_study"):
        return []
    done = rebuilt_km.digitised_keys(rebuilt)
    built = {
        "medians": median_chart(record),
        "ratios": hr_chart(record),
        "landmarks": landmark_chart(record),
        "survival": survival_chart(_without(reconstruct(record), done), _without(reported_points(record), done)),
        "rmst": rmst_chart([record], include_controls=True, rebuilt={record.get("id"): tuple(rebuilt)},
                           fallback_only=True),
        "responses": response_chart(record),
    }
    return [(name, built[name]) for name in CHAPTER_CHARTS if built[name] is not None]


# --- risk of bias (robvis-style) and the pooled forest plot -----------------------------------

#: robvis's colour-blind palette (one hue, ordered by lightness, so judgements stay apart in
#: grey scale and for every common colour-vision deficiency); each judgement also has a symbol.
RISK_COLOURS = {
    "low": "#fed98e", "yes": "#fed98e",
    "some concerns": "#fe9929", "moderate": "#fe9929", "unclear": "#fe9929",
    "high": "#d95f0e", "serious": "#d95f0e", "no": "#d95f0e",
    "critical": "#993404",
    "no information": "#e0e0e0",
}
RISK_SYMBOLS = {
    "low": "+", "yes": "+", "some concerns": "−", "moderate": "−", "unclear": "?",
    "high": "×", "serious": "×", "no": "×", "critical": "!", "no information": "?",
}
LIGHT_TEXT = ("high", "serious", "no", "critical")  # symbols drawn white on the dark circles
TRAFFIC_CELL = 34  # px per study row and per domain column
TRAFFIC_LABEL_LIMIT = 240  # px of a study's name (ids run to about 30 characters)


def _judgements(tool: str) -> list[str]:
    """Every judgement a tool's chart may show, domains' scale first, then the overall's."""
    from livingreview.analysis import risk_of_bias as rob

    return list(dict.fromkeys([*rob.SCALES[tool], *rob.OVERALL_SCALES[tool]]))


def _risk_colour(tool: str, title: str = "Judgement") -> alt.Color:
    names = _judgements(tool)
    return alt.Color("judgement:N", title=title, sort=names,
                     scale=alt.Scale(domain=names, range=[RISK_COLOURS[n] for n in names]))


def _domain_lines(tool: str) -> list[str]:
    from livingreview.analysis import risk_of_bias as rob

    return [f"{key}: {name}" for key, name in rob.DOMAINS[tool].items()]


def traffic_light_chart(assessments, tool: str, title: str | None = None) -> alt.LayerChart | None:
    """robvis traffic-light plot: one row per study, one column per domain of ``tool`` plus the
    overall, a coloured circle with a symbol per judgement; the support line in the tooltip."""
    from livingreview.analysis import risk_of_bias as rob

    items = [a for a in assessments if a.tool == tool]
    if not items:
        return None
    rows = rob.traffic_light_rows(items)
    for r in rows:
        r["row"] = r["study"] + (f" ({r['outcome']})" if r["outcome"] else "")
        r["symbol"] = RISK_SYMBOLS[r["judgement"]]
        r["ink"] = "light" if r["judgement"] in LIGHT_TEXT else "dark"
    columns = [*rob.DOMAINS[tool], "Overall"]
    studies = list(dict.fromkeys(r["row"] for r in rows))
    base = alt.Chart().encode(
        x=alt.X("domain:N", sort=columns, title=None, axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("row:N", sort=studies, title=None, axis=alt.Axis(labelLimit=TRAFFIC_LABEL_LIMIT)),
        tooltip=[alt.Tooltip("row:N", title="Study"), alt.Tooltip("domain_name:N", title="Domain"),
                 alt.Tooltip("judgement:N", title="Judgement"),
                 alt.Tooltip("support:N", title="Support")])
    circles = base.mark_circle(size=560, opacity=1, stroke="#4d4d4d", strokeWidth=0.6).encode(
        color=_risk_colour(tool))
    symbols = base.mark_text(fontSize=15, fontWeight="bold").encode(
        text="symbol:N",
        color=alt.Color("ink:N", legend=None,
                        scale=alt.Scale(domain=["dark", "light"], range=["#1a1a1a", "#ffffff"])))
    return alt.layer(circles, symbols, data=_values(rows)).resolve_scale(color="independent").properties(
        width=TRAFFIC_CELL * len(columns), height=TRAFFIC_CELL * len(studies),
        title=_title(title or f"Risk of bias by domain ({tool})", *_domain_lines(tool)))


def risk_summary_chart(assessments, tool: str, weights=None) -> alt.Chart | None:
    """robvis weighted summary: per domain of ``tool`` and overall, the share of the weight
    (participants when given) at each judgement, as one stacked bar per domain."""
    from livingreview.analysis import risk_of_bias as rob

    items = [a for a in assessments if a.tool == tool]
    if not items:
        return None
    rows = rob.summary_rows(items, weights)
    names = {**rob.DOMAINS[tool], "Overall": "Overall risk of bias"}
    for r in rows:
        r["domain_label"] = f"{r['domain']} {names[r['domain']]}" if r["domain"] != "Overall" else names["Overall"]
        r["order"] = _judgements(tool).index(r["judgement"])
    labels = list(dict.fromkeys(r["domain_label"] for r in rows))
    weighted = "participants" if weights else "studies, equally"
    return alt.Chart(_values(rows)).mark_bar(stroke="#4d4d4d", strokeWidth=0.5).encode(
        y=alt.Y("domain_label:N", sort=labels, title=None, axis=alt.Axis(labelLimit=280)),
        x=alt.X("share:Q", title=f"Share of {('participants' if weights else 'studies')}",
                stack="zero", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        color=_risk_colour(tool), order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("domain_label:N", title="Domain"),
                 alt.Tooltip("judgement:N", title="Judgement"),
                 alt.Tooltip("share:Q", title="Share", format=".0%")],
    ).properties(width=COLUMN_WIDTH, height=_band_height(len(labels)), autosize=FIT,
                 title=_title(f"Risk of bias summary ({tool}, {len(items)} "
                              f"stud{'y' if len(items) == 1 else 'ies'})",
                              f"Weighted by {weighted}."))


CI_NAMES = {"hksj": "Hartung–Knapp–Sidik–Jonkman", "knha": "Knapp–Hartung (no guard)", "wald": "Wald"}
FOREST_ROW = 22  # px per row of the pooled forest plot
FOREST_LABELS = 400  # px of the text panel (study, weight, effect) left of the plot
FOREST_PLOT = 205
HR_TICKS = (0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20)


def _f2(x: float) -> str:
    return f"{x:.2f}"


def pooled_forest_rows(finding) -> tuple[list[dict], list[dict]]:
    """(rows, diamond points) of a pooled finding's forest plot: studies with weights, the pooled
    estimate, its prediction interval and the sensitivity analyses, top to bottom."""
    group, r = finding.group, finding.group.result
    weights = dict(zip(r.studies, r.weights))
    rows = [{"row": 0, "kind": "header", "label": "Study", "weight_text": "Weight",
             "effect_text": "HR (95% CI)", "quote": ""}]
    for i, row in enumerate(group.rows, start=1):
        inverted = bool(row.get("note"))
        quote = row.get("quote") or ""
        est, lo, hi = row["estimate"], row["ci_low"], row["ci_high"]
        text = (f"{_f2(est)} ({_f2(lo)}–{_f2(hi)})" if inverted else
                f"{as_printed(est, quote)} ({as_printed(lo, quote)}–{as_printed(hi, quote)})")
        rows.append({"row": i, "kind": "study", "label": str(row["study"]), "estimate": est,
                     "ci_low": lo, "ci_high": hi, "weight": weights[str(row["study"])],
                     "weight_text": f"{weights[str(row['study'])]:.1f}%",
                     "effect_text": text + (" *" if inverted else ""),
                     "quote": quote + (f" [{row['note']}]" if inverted else "")})
    n = len(rows)
    est, lo, hi = r.back(r.estimate), r.back(r.ci[0]), r.back(r.ci[1])
    rows.append({"row": n, "kind": "pooled", "label": "Pooled (random effects)",
                 "estimate": est, "ci_low": lo, "ci_high": hi, "weight_text": "100%",
                 "effect_text": f"{_f2(est)} ({_f2(lo)}–{_f2(hi)})", "quote": ""})
    diamond = [{"x": lo, "y_lo": n, "y_hi": n}, {"x": est, "y_lo": n - 0.38, "y_hi": n + 0.38},
               {"x": hi, "y_lo": n, "y_hi": n}]
    pi = r.prediction_interval
    if pi is None:
        rows.append({"row": n + 1, "kind": "note", "label": "Prediction interval",
                     "weight_text": "", "effect_text": f"not given (k = {r.k} < 3)", "quote": ""})
    else:
        rows.append({"row": n + 1, "kind": "interval", "label": "Prediction interval",
                     "ci_low": r.back(pi[0]), "ci_high": r.back(pi[1]), "weight_text": "",
                     "effect_text": f"{_f2(r.back(pi[0]))}–{_f2(r.back(pi[1]))}", "quote": ""})
    if finding.sensitivity:
        rows.append({"row": n + 2, "kind": "header", "label": "Sensitivity analyses",
                     "weight_text": "", "effect_text": "", "quote": ""})
    for j, s in enumerate(finding.sensitivity, start=n + 3):
        res = s["result"]
        label = s["analysis"][0].upper() + s["analysis"][1:]
        if res is None:
            rows.append({"row": j, "kind": "note", "label": label,
                         "weight_text": "", "effect_text": s["reason"], "quote": ""})
            continue
        e, (a, b) = res.back(res.estimate), (res.back(res.ci[0]), res.back(res.ci[1]))
        rows.append({"row": j, "kind": "sensitivity", "label": label,
                     "estimate": e, "ci_low": a, "ci_high": b, "weight_text": "",
                     "effect_text": f"{_f2(e)} ({_f2(a)}–{_f2(b)})", "quote": ""})
    return rows, diamond


def pooled_forest_parts(finding) -> tuple[list[dict], list[dict], list[str]] | None:
    """What a pooled finding's forest plot is drawn from: (rows, diamond points, title lines),
    or None when the finding is not pooled. The plot depends on these alone."""
    if finding.group is None or not finding.group.pooled:
        return None
    r = finding.group.result
    rows, diamond = pooled_forest_rows(finding)
    mod, comparison, endpoint = finding.group.key
    stats_line = (f"τ² = {r.tau2:.3f}, I² = {r.I2:.0f}%, Q = {r.Q:.2f} (df {r.Q_df}, "
                  f"p = {r.Q_p:.2f}); k = {r.k}")
    printed = finding.group.rows[0].get("arms") or comparison
    title = [f"{endpoint}, {mod}: {printed}",
             f"Random effects: {r.method.upper()} τ², {CI_NAMES[r.ci_method]} 95% CI.",
             "Squares sized by weight; dotted line: prediction interval.",
             stats_line + ("; * inverted to put the local therapy + ICI arm first"
                           if any(row.get("note") for row in finding.group.rows) else "")]
    return rows, diamond, title


def pooled_forest_chart(finding) -> alt.HConcatChart | None:
    """Forest plot of one pooled hazard-ratio group: squares sized by weight with 95 % CIs, the
    pooled diamond, the prediction interval and the sensitivity rows, on a log axis."""
    parts = pooled_forest_parts(finding)
    return None if parts is None else draw_pooled_forest(*parts)


def draw_pooled_forest(rows: list[dict], diamond: list[dict], title: list[str]) -> alt.HConcatChart:
    """The forest plot of `pooled_forest_parts`."""
    n = len(rows)
    bounds = [v for row in rows for v in (row.get("ci_low"), row.get("ci_high")) if v] + [1.0]
    lo, hi = round(min(bounds) / 1.15, 3), round(max(bounds) * 1.15, 3)
    log = alt.Scale(type="log", domain=[lo, hi])
    ticks = [t for t in HR_TICKS if lo <= t <= hi]
    y = alt.Y("row:Q", axis=None, scale=alt.Scale(domain=[-0.5, n - 0.5], reverse=True, nice=False,
                                                    zero=False))
    tip = [alt.Tooltip("label:N", title="Row"), alt.Tooltip("effect_text:N", title="HR (95% CI)"),
           alt.Tooltip("weight_text:N", title="Weight"), QUOTE_TIP]
    text = alt.Chart().encode(y=y, tooltip=tip)
    strong = "datum.kind == 'header' || datum.kind == 'pooled'"
    columns = []
    for test, weight in ((strong, "bold"), (f"!({strong})", "normal")):
        columns += [
            text.mark_text(align="left", limit=206, fontWeight=weight).encode(
                x=alt.value(0), text="label:N").transform_filter(test),
            text.mark_text(align="right", fontWeight=weight).encode(
                x=alt.value(256), text="weight_text:N").transform_filter(test),
            text.mark_text(align="left", limit=FOREST_LABELS - 264, fontWeight=weight).encode(
                x=alt.value(264), text="effect_text:N").transform_filter(test),
        ]
    labels = alt.layer(
        *columns,
        data=_values(rows)).properties(width=FOREST_LABELS, height=FOREST_ROW * n)
    x = alt.X("ci_low:Q", scale=log, title="Hazard ratio (log scale)", axis=alt.Axis(values=ticks))
    plot = alt.Chart().encode(y=y, tooltip=tip)
    layers = [
        alt.Chart(alt.Data(values=[{"reference": 1}])).mark_rule(strokeDash=[4, 4], color="gray")
        .encode(x=alt.X("reference:Q", scale=log, title="Hazard ratio (log scale)",
                        axis=alt.Axis(values=ticks))),
        plot.mark_rule(color="#1a1a1a").encode(x=x, x2="ci_high:Q")
        .transform_filter("datum.kind == 'study' || datum.kind == 'sensitivity'"),
        plot.mark_rule(color="#1a1a1a", strokeDash=[2, 2], strokeWidth=1.5).encode(x=x, x2="ci_high:Q")
        .transform_filter("datum.kind == 'interval'"),
        plot.mark_square(color="#1a1a1a").encode(
            x=alt.X("estimate:Q", scale=log, title="Hazard ratio (log scale)"),
            size=alt.Size("weight:Q", legend=None, scale=alt.Scale(domain=[0, 100], range=[20, 260])))
        .transform_filter("datum.kind == 'study'"),
        plot.mark_point(shape="diamond", filled=False, color="#1a1a1a", size=70).encode(
            x=alt.X("estimate:Q", scale=log, title="Hazard ratio (log scale)"))
        .transform_filter("datum.kind == 'sensitivity'"),
        alt.Chart(_values(diamond)).mark_area(color="#4d4d4d", opacity=1).encode(
            x=alt.X("x:Q", scale=log, title="Hazard ratio (log scale)"),
            y=alt.Y("y_lo:Q", axis=None, scale=alt.Scale(domain=[-0.5, n - 0.5], reverse=True,
                                                         nice=False, zero=False)), y2="y_hi:Q"),
    ]
    chart = alt.layer(*layers, data=_values(rows)).properties(width=FOREST_PLOT, height=FOREST_ROW * n)
    return alt.hconcat(labels, chart, spacing=4).configure_view(stroke=None).properties(
        title=_title(*title))
