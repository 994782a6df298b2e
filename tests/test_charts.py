import json
import re

import altair as alt
import pytest
import vl_convert as vlc

from livingreview.present import charts as Ch
from livingreview.present import render
from livingreview.analysis.survival import reconstruct, reported_points
from livingreview.analysis.rebuilt import arm_table, plot_frames as rebuilt_frames
import km_study
from records import all_records, hou, liao, qa_page, radiotherapy, wang


def _views(spec: dict):
    """Every unit view (a dict with a mark) in a spec, with layers and facets unwrapped."""
    if "mark" in spec:
        yield spec
    for layer in spec.get("layer", []):
        yield from _views(layer)
    if "spec" in spec:
        yield from _views(spec["spec"])
    for key in ("hconcat", "vconcat", "concat"):
        for sub in spec.get(key, []):
            yield from _views(sub)


def _datas(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("data", "from") and isinstance(value, dict):
                yield value.get("data", value) if key == "from" else value
            yield from _datas(value)
    elif isinstance(node, list):
        for item in node:
            yield from _datas(item)


def _tooltip_fields(view: dict) -> list[str]:
    tip = view.get("encoding", {}).get("tooltip", [])
    return [t["field"] for t in (tip if isinstance(tip, list) else [tip])]


def _rows(spec: dict) -> list[dict]:
    return spec["data"]["values"]


def _all_charts():
    out = []
    for rec in all_records():
        out += [(f"{rec['id']}:{name}", chart) for name, chart in Ch.charts_for(rec)]
    recs = all_records()
    out += [("forest", Ch.forest_chart(recs)), ("rmst", Ch.rmst_chart(recs)),
            ("modality_curves", Ch.modality_curves_chart(recs))]
    trial = km_study.record()  # the invented trial with a digitised OS figure
    arms = km_study.arms(trial)
    rebuilt_by_id = {trial["id"]: arms}
    out += [("km:OS", Ch.km_chart(rebuilt_frames(arms), "OS", arm_table(trial, arms), trial["id"],
                                  [a.arm for a in arms])),
            ("km:survival fallback", dict(Ch.charts_for(trial, arms))["survival"]),
            ("km:rmst", Ch.rmst_chart([*recs, trial], rebuilt=rebuilt_by_id)),
            ("km:modality_curves", Ch.modality_curves_chart([*recs, trial], rebuilt_by_id))]
    return out


ALL = _all_charts()


def test_altair_targets_vega_lite_6():
    assert alt.SCHEMA_VERSION.startswith("v6")
    assert "vega-lite/v6" in ALL[0][1].to_dict()["$schema"]


@pytest.mark.parametrize("name,chart", ALL, ids=[n for n, _ in ALL])
def test_every_chart_inlines_data_has_a_title_and_quotes_in_tooltips(name, chart):
    spec = chart.to_dict()
    text = json.dumps(spec)
    assert '"url"' not in text and "datasets" not in spec
    datas = list(_datas(spec))
    assert datas and all(set(d) == {"values"} for d in datas)
    assert spec["title"]["text"]
    with_quote = [v for v in _views(spec) if "quote" in _tooltip_fields(v)]
    assert with_quote, "no view shows the source quote in its tooltip"
    assert "params" not in text  # no selections, so no auto-numbered names


@pytest.mark.parametrize("name,chart", ALL, ids=[n for n, _ in ALL])
def test_every_chart_compiles_to_vega(name, chart):
    vega = vlc.vegalite_to_vega(chart.to_dict())
    assert vega["marks"]


def test_chart_specs_are_identical_across_builds():
    first = [json.dumps(c.to_dict(), sort_keys=True) for _, c in _all_charts()]
    second = [json.dumps(c.to_dict(), sort_keys=True) for _, c in _all_charts()]
    assert first == second


def test_charts_for_lists_charts_in_fixed_order_and_skips_empty_ones():
    assert [n for n, _ in Ch.charts_for(liao())] == ["medians", "ratios", "survival", "rmst"]
    assert [n for n, _ in Ch.charts_for(hou())] == ["medians", "landmarks", "survival", "rmst", "responses"]
    assert [n for n, _ in Ch.charts_for(radiotherapy())] == ["medians", "survival", "rmst", "responses"]
    assert Ch.charts_for(qa_page()) == []


def test_builders_return_none_when_there_is_nothing_to_draw():
    page = qa_page()
    assert Ch.median_chart(page) is None and Ch.landmark_chart(page) is None
    assert Ch.response_chart(liao()) is None and Ch.hr_chart(wang()) is None
    assert Ch.survival_chart(reconstruct(page), reported_points(page)) is None
    assert Ch.forest_chart([page]) is None and Ch.rmst_chart([page]) is None
    assert Ch.modality_curves_chart([page]) is None and Ch.forest_chart([]) is None


def test_median_chart_draws_each_arm_median_with_ci_rows():
    spec = Ch.median_chart(hou()).to_dict()
    rows = _rows(spec)
    assert [(r["endpoint"], r["arm"], r["value"], r["ci_low"], r["ci_high"]) for r in rows] == [
        ("PFS", "Thermal ablation", 11.4, 10.1, 12.8), ("OS", "Thermal ablation", 33.0, 26.9, 39.1)]
    marks = [v["mark"]["type"] for v in _views(spec)]
    assert marks == ["rule", "point"]
    rule = next(_views(spec))
    assert rule["encoding"]["x"]["field"] == "ci_low" and rule["encoding"]["x2"]["field"] == "ci_high"


def test_hr_chart_uses_a_log_axis_and_a_rule_at_one():
    spec = Ch.hr_chart(liao()).to_dict()
    views = list(_views(spec))
    reference = views[0]
    assert reference["mark"]["type"] == "rule" and reference["data"] == {"values": [{"reference": 1}]}
    assert all(v["encoding"]["x"]["scale"]["type"] == "log" for v in views)
    rows = _rows(spec)
    assert "data" not in views[1] and "data" not in views[2]
    assert [(r["label"], r["value"], r["ci_low"], r["ci_high"], r["p"]) for r in rows] == [
        ("PFS ratio", 2.38, 1.087, 3.106, "<0.0001"), ("OS ratio", 1.84, 1.087, 3.106, "=0.0418")]
    lo, hi = views[0]["encoding"]["x"]["scale"]["domain"]
    assert lo < 1 < hi


def test_landmark_chart_places_rates_at_their_months():
    rows = _rows(Ch.landmark_chart(wang()).to_dict())
    assert [(r["timepoint_months"], r["value"]) for r in rows] == [(12.0, 100.0), (24.0, 93.3), (36.0, 72.0)]


def test_response_chart_shows_percent_outcomes_as_bars():
    spec = Ch.response_chart(radiotherapy()).to_dict()
    assert spec["mark"]["type"] == "bar"
    assert [(r["label"], r["value_text"]) for r in _rows(spec)] == [("ORR", "75.0"), ("grade ≥3 AE", "30.6")]
    assert spec["encoding"]["x"]["scale"]["domain"] == [0, 100]


def test_survival_chart_joins_quotes_by_lookup_and_overlays_reported_points():
    spec = Ch.survival_chart(reconstruct(hou()), reported_points(hou())).to_dict()
    lines, points = list(_views(spec))
    lookup = lines["transform"][0]
    assert lookup["lookup"] == "key" and lookup["from"]["fields"] == ["quote", "source"]
    meta = lookup["from"]["data"]["values"]
    assert all(m["source"] == "reconstructed from summary statistics" for m in meta)
    assert "quote" in _tooltip_fields(lines) and "quote" in _tooltip_fields(points)
    assert {(p["kind"], p["time_months"], p["survival"]) for p in points["data"]["values"]} >= {
        ("median", 33.0, 0.5), ("rate", 36.0, 0.437)}
    assert "reconstructed from summary statistics" in " ".join(spec["title"]["subtitle"])


def test_forest_chart_colours_by_modality_and_leaves_control_arms_out():
    spec = Ch.forest_chart(all_records()).to_dict()
    rows = _rows(spec)
    assert {r["arm"] for r in rows} == {"HIFU + ICI", "HIFU", "Thermal ablation", "Radiotherapy + ICI"}
    assert spec["facet"]["column"]["field"] == "endpoint"
    for view in _views(spec):
        assert view["encoding"]["color"]["field"] == "modality"


def test_rmst_chart_puts_12_and_24_months_side_by_side():
    spec = Ch.rmst_chart(all_records()).to_dict()
    rows = _rows(spec)
    assert {r["tau"] for r in rows} == {"12 months", "24 months"}
    assert spec["encoding"]["yOffset"]["field"] == "tau"
    hou_os = {(r["model"], r["tau_months"]) for r in rows if r["study"] == "hou2025_ablation" and r["endpoint"] == "OS"}
    assert hou_os == {("Weibull", 12), ("Weibull", 24)}


def test_source_text_enters_charts_only_as_data():
    rec = liao()
    rec["endpoints"][0]["quote"] = "<script>alert(1)</script> 10.95 vs. 4.60 months"
    spec = Ch.median_chart(rec).to_dict()
    assert any(r["quote"].startswith("<script>") for r in _rows(spec))
    assert "<script>" not in json.dumps(spec["title"])
    assert all("<script>" not in json.dumps(v["encoding"]) for v in _views(spec))


def test_survival_chart_with_only_reported_points_draws_the_points():
    rec = wang()
    rec["endpoints"] = [ep for ep in rec["endpoints"] if ep["timepoint_months"] == 12]  # lone 100%
    curves = reconstruct(rec)
    assert curves.empty
    spec = Ch.survival_chart(curves, reported_points(rec)).to_dict()
    assert [v["mark"]["type"] for v in _views(spec)] == ["point"]
    assert vlc.vegalite_to_vega(spec)["marks"]


def _svg_width(chart) -> float:
    svg = render.spec_svg(render.with_font(chart.to_dict()))
    return float(re.search(r'<svg[^>]*\bwidth="([\d.]+)"', svg).group(1))


@pytest.mark.parametrize("name,chart", ALL, ids=[n for n, _ in ALL])
def test_every_chart_fits_the_article_column(name, chart):
    assert _svg_width(chart) <= Ch.COLUMN_WIDTH


@pytest.mark.parametrize("name,chart", ALL, ids=[n for n, _ in ALL])
def test_no_layer_draws_a_field_that_is_null_in_every_row(name, chart):
    # Vega warns "Infinite extent" for a scale fed only nulls (a CI layer without any CI).
    spec = chart.to_dict()
    rows = _rows(spec) if "values" in spec.get("data", {}) else []
    for view in _views(spec):
        view_rows = view.get("data", {}).get("values", rows)
        for channel in ("x", "x2", "y", "y2"):
            field = (view.get("encoding", {}).get(channel) or {}).get("field")
            if field and view_rows and all(field in r for r in view_rows):
                assert any(r[field] is not None for r in view_rows), (name, channel, field)


def test_every_chart_names_the_shipped_font_and_the_svg_uses_it():
    render.enable()
    spec = ALL[0][1].to_dict()
    config = spec["config"]
    assert config["font"] == render.FONT_FAMILY
    for key, fields in {"title": ("font", "subtitleFont"), "axis": ("labelFont", "titleFont"),
                        "legend": ("labelFont", "titleFont"), "header": ("labelFont", "titleFont"),
                        "text": ("font",), "mark": ("font",)}.items():
        assert all(config[key][f] == render.FONT_FAMILY for f in fields), key
    svg = render.spec_svg(spec)
    families = set(re.findall(r'font-family="([^"]+)"', svg))
    assert families == {render.FONT_FAMILY}
    assert all(p.is_file() for p in render.font_files())


def test_a_chart_without_any_ci_has_no_ci_layer():
    rec = hou()
    for ep in rec["endpoints"]:
        ep["ci"] = None
    marks = [v["mark"]["type"] for v in _views(Ch.median_chart(rec).to_dict())]
    assert marks == ["point"]


def test_a_study_without_os_or_pfs_numbers_gets_no_survival_charts_and_breaks_no_others():
    """A single-arm series reporting only a recurrence-free rate and a time to recurrence (invented)."""
    from livingreview.analysis import rebuilt
    from livingreview.extract.readers import decode_text
    from livingreview.extract.record import build_record

    text = ("Radiofrequency ablation plus camrelizumab for hepatocellular carcinoma: a single-arm study\n\n"
            "Methods: Forty patients with hepatocellular carcinoma received radiofrequency ablation "
            "followed by camrelizumab.\nResults: One-year recurrence-free survival was 71.5%.")
    record = build_record(decode_text(text, "invented.txt"))
    assert record["endpoints"] and not any(e["endpoint"] in ("OS", "PFS") for e in record["endpoints"])
    drawn = dict(Ch.charts_for(record, ()))
    assert "survival" not in drawn and "rmst" not in drawn and "landmarks" in drawn
    assert list(rebuilt.preferred_rmst(record, ()).columns) and rebuilt.preferred_rmst(record, ()).empty
    assert rebuilt.preferred_curves(record, (), [0, 12]).empty
    # beside a study that has survival numbers, the synthesis charts draw that study alone
    assert Ch.rmst_chart([record, liao()]) is not None
    assert Ch.modality_curves_chart([record, liao()]) is not None


@pytest.mark.parametrize("name,chart", ALL[:3] + ALL[-4:])
def test_a_figure_holds_the_spec_altair_validates_and_renders_it_the_same(name, chart):
    figure = render.figure(chart)
    assert figure.spec == chart.to_dict(context={"pre_transform": False})
    assert figure._repr_mimebundle_() == render.render_mimebundle(chart.to_dict())


def test_a_figure_still_refuses_a_spec_the_vega_lite_schema_refuses():
    chart = alt.Chart(alt.Data(values=render.Rows([{"a": 1}]))).mark_point().encode(x="a:Q")
    chart.mark = {"type": "point", "no_such_property": 1}
    with pytest.raises(Exception):
        render.figure(chart)


def test_chart_rows_are_carried_by_reference_not_copied_into_every_layer():
    rows = render.Rows([{"a": 1, "quote": "q"}])
    base = alt.Chart(alt.Data(values=rows)).encode(x="a:Q")
    layered = alt.layer(base.mark_point(), base.mark_rule()).properties(width=100).facet(
        column=alt.Column("quote:N"))
    assert layered.data.values is rows  # through the layer, its copy and the facet
    assert render.figure(layered).spec["data"] == {"values": [{"a": 1, "quote": "q"}]}


def test_anything_but_a_chart_passes_through_figure_unchanged():
    note = object()
    assert render.figure(note) is note and render.figure(None) is None
