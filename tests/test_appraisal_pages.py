"""The appraisal on the pages: structured risk of bias, robvis charts, the pooled forest plot and
the GRADE summary of findings, from the seeds plus a pair of comparable INVENTED trials
(tests/fixtures/comparable: our own words, no real study) in a scratch copy of the book."""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from livingreview.analysis import evidence
from livingreview.analysis import risk_of_bias as rob
from livingreview.book import appraisals, loading, registry
from livingreview.present import appraisal as appraisal_html
from livingreview.present import charts as Ch
from livingreview.present import render

import seeds
from projects import make_project

ROOT = Path(__file__).resolve().parents[1]
PAIR = Path(__file__).parent / "fixtures" / "comparable"
PAIR_IDS = ["alphaville2030_radiotherapy_ici", "betancourt2031_radiotherapy_ici"]
SEED_IDS = [e.id for e in sorted(seeds.ENTRIES, key=lambda e: e.origin)]
COMPARISON = ("radiotherapy", "radiotherapy + ici vs radiotherapy alone", "OS")


def _project(dest: Path) -> Path:
    """The seeds and the invented pair, with every structured appraisal copied beside them."""
    make_project(dest, [*seeds.all_seeds(), *(PAIR / f"{i}.txt" for i in PAIR_IDS)],
                 [*SEED_IDS, *PAIR_IDS])
    folder = dest / "data" / "appraisals"
    folder.mkdir(parents=True, exist_ok=True)
    for path in (ROOT / "data" / "appraisals").glob("*.yaml"):
        shutil.copyfile(path, folder / path.name)
    for study in PAIR_IDS:
        shutil.copyfile(PAIR / f"{study}.yaml", folder / f"{study}.yaml")
    return dest


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return _project(tmp_path_factory.mktemp("appraisal") / "book")


@pytest.fixture(scope="module")
def page(project):
    old = os.environ.get("LIVINGREVIEW_ROOT")
    os.environ["LIVINGREVIEW_ROOT"] = str(project)
    try:
        return loading.synthesis_page()
    finally:
        if old is None:
            del os.environ["LIVINGREVIEW_ROOT"]
        else:
            os.environ["LIVINGREVIEW_ROOT"] = old


def _pooled(page):
    return [f for f in page.findings if f.group is not None and f.group.pooled]


def _views(spec: dict):
    if "mark" in spec:
        yield spec
    for layer in spec.get("layer", []):
        yield from _views(layer)
    for key in ("hconcat", "vconcat"):
        for sub in spec.get(key, []):
            yield from _views(sub)


def _marks(spec: dict) -> list[str]:
    return [v["mark"]["type"] if isinstance(v["mark"], dict) else v["mark"] for v in _views(spec)]


def _svg_width(chart) -> float:
    svg = render.spec_svg(render.with_font(chart.to_dict()))
    return float(re.search(r'<svg[^>]*\bwidth="([\d.]+)"', svg).group(1))


# --- the seeds' structured appraisals ----------------------------------------------------------

def test_every_seed_study_has_a_structured_appraisal_by_the_tool_its_design_needs():
    from livingreview.book.sources import extract

    for entry in seeds.ENTRIES:
        record = extract(entry.source_path(ROOT), entry.shown)
        found = appraisals.read_appraisal(ROOT, entry.id).risk_of_bias
        if not record["is_primary_study"]:
            assert found == ()
            continue
        (a,) = found
        arms = len(record["arms"])
        expected = rob.ROB2 if record["design"] == "randomized" else \
            rob.ROBINS_I if arms >= 2 else rob.CHECKLIST
        assert a.tool == expected, entry.id
        assert a.overall == a.computed_overall  # stated overalls follow the tool's rule
        assert all(d.support and "\n" not in d.support for d in a.domains)


# --- pooling the comparable pair -----------------------------------------------------------------

def test_the_invented_pair_is_pooled_and_matches_a_hand_computation(page):
    (finding,) = _pooled(page)
    assert finding.group.key == COMPARISON
    r = finding.group.result
    # By hand: log HR and SE from each 95 % CI, inverse-variance weights; Q < k - 1, so tau² = 0
    # (REML and DL agree) and the guarded HKSJ factor max(1, q) is 1: SE = sqrt(1 / sum w),
    # CI with t(0.975, 1 df) = 12.7062.
    y = [math.log(0.70), math.log(0.78)]
    se = [(math.log(0.94) - math.log(0.52)) / (2 * 1.959964),
          (math.log(1.01) - math.log(0.60)) / (2 * 1.959964)]
    w = [1 / s ** 2 for s in se]
    mu = sum(a * b for a, b in zip(w, y)) / sum(w)
    q = sum(a * (b - mu) ** 2 for a, b in zip(w, y))
    assert q == pytest.approx(0.289412, abs=1e-6) and q < 1
    assert r.tau2 == 0 and r.I2 == 0 and r.Q == pytest.approx(q, rel=1e-12)
    assert r.estimate == pytest.approx(mu, rel=1e-12)
    assert math.exp(r.estimate) == pytest.approx(0.744036, abs=1e-6)
    assert r.se == pytest.approx(math.sqrt(1 / sum(w)), rel=1e-12) == pytest.approx(0.099754, abs=1e-6)
    low, high = (math.exp(mu + s * 12.706204736 * math.sqrt(1 / sum(w))) for s in (-1, 1))
    assert (r.back(r.ci[0]), r.back(r.ci[1])) == pytest.approx((low, high), rel=1e-9)
    assert (round(low, 4), round(high, 4)) == (0.2095, 2.6428)
    assert r.weights == pytest.approx((43.6213, 56.3787), abs=1e-4)
    assert r.prediction_interval is None  # k = 2 < 3


def test_the_forest_plot_has_weighted_squares_a_diamond_and_the_sensitivity_row(page):
    (finding,) = _pooled(page)
    spec = Ch.pooled_forest_chart(finding).to_dict()
    assert {"text", "rule", "square", "area", "point"} <= set(_marks(spec))
    rows, diamond = Ch.pooled_forest_rows(finding)
    r = finding.group.result
    assert [d["x"] for d in diamond] == pytest.approx([r.back(r.ci[0]), r.back(r.estimate), r.back(r.ci[1])])
    studies = [row for row in rows if row["kind"] == "study"]
    assert [(s["label"], s["weight_text"], s["effect_text"]) for s in studies] == [
        ("alphaville2030_radiotherapy_ici", "43.6%", "0.70 (0.52–0.94)"), ("betancourt2031_radiotherapy_ici", "56.4%", "0.78 (0.60–1.01)")]
    assert all(s["quote"].startswith("The hazard ratio for overall survival was") for s in studies)
    pooled = next(row for row in rows if row["kind"] == "pooled")
    assert pooled["effect_text"] == "0.74 (0.21–2.64)"
    # beta2031 is at high risk of bias (RoB 2): leaving it out leaves one study, said so.
    assert {"label": "Without high risk of bias (betancourt2031_radiotherapy_ici)", "effect_text": "1 study left: not pooled"
            }.items() <= next(row for row in rows if row["label"].startswith("Without")).items()
    assert any(row["effect_text"] == "not given (k = 2 < 3)" for row in rows)
    assert _svg_width(Ch.pooled_forest_chart(finding)) <= Ch.COLUMN_WIDTH


def test_leave_one_out_rows_appear_from_three_studies():
    records = [{"id": s, "is_primary_study": True, "design": "randomized", "n_patients": 100,
                "local_therapy": ["HIFU"], "systemic_therapy": ["ICI"],
                "arms": [{"name": "HIFU + ICI", "n": 50}, {"name": "ICI alone", "n": 50}],
                "endpoints": [{"endpoint": "OS", "measure": "HR", "arm": "HIFU + ICI vs ICI alone",
                               "value": v, "ci": ci, "unit": "ratio", "quote": f"HR {v}"}]}
               for s, v, ci in (("a1", 0.6, [0.4, 0.9]), ("b2", 0.8, [0.6, 1.07]), ("c3", 0.7, [0.5, 0.98]))]
    (finding,) = [f for f in evidence.summary_of_findings(records) if f.group is not None]
    labels = [row["label"] for row in Ch.pooled_forest_rows(finding)[0]]
    assert labels[-4:] == ["Sensitivity analyses", "Without a1", "Without b2", "Without c3"]
    assert "Prediction interval" in labels and finding.group.result.prediction_interval is not None


def test_groups_and_results_not_pooled_say_why(page):
    _, skipped = evidence.hazard_ratio_rows(page.records)
    html = appraisal_html.not_pooled_html(page.findings, skipped)
    assert "liao2025_hifu_ici, PFS (ICI + HIFU vs ICI without HIFU): a ratio that is not a hazard " \
           "ratio is not pooled" in html
    assert all(not f.group or f.group.pooled for f in page.findings)  # no other HR group


# --- summary of findings -----------------------------------------------------------------------

def test_the_summary_of_findings_rates_the_pooled_pair_with_a_footnote_per_rating(page):
    (finding,) = _pooled(page)
    row = finding.certainty.row()
    assert (row["modality"], row["studies"], row["participants"], row["start"]) == \
        ("radiotherapy", 2, 320, "high")
    assert row["effect"] == "HR 0.74 (95 % CI 0.21 to 2.64; random effects, 2 studies)"
    assert row["risk of bias"] == -2  # 62.5 % of participants from the trial at high risk
    assert row["imprecision"] == -2  # the CI spans 0.75 and 1.25
    assert row["certainty"] == "⊕◯◯◯ very low"
    html = page.summary_of_findings().data
    assert "OS (radiotherapy + ICI vs radiotherapy alone)" in html
    assert "very serious (−2)<sup>" in html and "starts high: randomised trials" in html
    assert html.count("<tr class=\"lr-sof-group\">") == 3  # HIFU, thermal ablation, radiotherapy


def test_studies_without_a_common_comparison_get_a_range_not_a_pooled_effect(page):
    hifu = next(f for f in page.findings if f.modality == "HIFU" and f.endpoint == "OS")
    assert hifu.group is None and hifu.certainty.start == 2
    assert hifu.certainty.effect.startswith("median OS 19.6 to 52 months across 2 arms of 2 studies")


def test_a_reviewer_override_is_shown_beside_the_computed_rating(tmp_path):
    root = _project(tmp_path / "book")
    path = root / "data" / "appraisals" / "alphaville2030_radiotherapy_ici.yaml"
    path.write_text(path.read_text() + "certainty:\n  - outcome: OS\n    level: low\n"
                    "    reason: \"the crossover in the second trial biases towards the null\"\n")
    found = appraisals.read_all(root, [*SEED_IDS, *PAIR_IDS])
    from livingreview.book.toc import records_for

    records = [r for r in records_for(root, registry.load(root)).values() if isinstance(r, dict)]
    (finding,) = [f for f in evidence.summary_of_findings(records, found) if f.group is not None]
    assert finding.certainty.overridden and finding.certainty.word == "low"
    assert finding.certainty.computed_level == 1
    html = appraisal_html.sof_table_html([finding])
    assert "reviewer's rating; computed very low</em>" in html
    assert "the crossover in the second trial biases towards the null (alphaville2030_radiotherapy_ici&#x27;s appraisal)" in html
    assert "A reviewer set this rating by hand" in appraisal_html.plain_findings_html([finding])


def test_the_patient_page_says_the_findings_in_words_without_numbers(page):
    html = page.plain_findings().data
    assert "We are very uncertain about this." in html
    assert "could not show whether radiotherapy + ICI is better or worse than radiotherapy alone" in html
    text = re.sub(r"<[^>]+>", "", html)
    assert not re.search(r"\d", text)


# --- refusals -------------------------------------------------------------------------------------

def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


def test_an_overall_contradicting_the_domains_stops_the_build_with_one_line(tmp_path):
    root = _project(tmp_path / "book")
    path = root / "data" / "appraisals" / "betancourt2031_radiotherapy_ici.yaml"
    path.write_text(path.read_text().replace("overall: high", "overall: low"))
    before = _tree(root)
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    env.pop("LIVINGREVIEW_ROOT", None)
    done = subprocess.run([sys.executable, "-m", "livingreview", "build", "--no-execute"], cwd=root,
                          capture_output=True, text=True, env=env)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "livingreview: data/appraisals/betancourt2031_radiotherapy_ici.yaml: betancourt2031_radiotherapy_ici (OS): overall 'low' "
        "contradicts the RoB 2 domains: D2 is high, so the tool's rule gives 'high'"]
    assert _tree(root) == before  # nothing written


@pytest.mark.parametrize("text,message", [
    ("risk_of_bias: [}", "not valid YAML"),
    ("certainty:\n  - outcome: OS\n    level: medium\n    reason: x\n", "override level 'medium'"),
    ("certainty:\n  - outcome: OS\n    level: low\n", "an override needs a reason"),
    ("certainty:\n  - level: low\n    reason: x\n", "certainty #1: no outcome"),
])
def test_bad_appraisal_files_are_refused_naming_the_file(tmp_path, text, message):
    folder = tmp_path / "data" / "appraisals"
    folder.mkdir(parents=True)
    (folder / "x2030.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(rob.AppraisalError, match=re.escape(message)) as err:
        appraisals.read_appraisal(tmp_path, "x2030")
    assert str(err.value).startswith("data/appraisals/x2030.yaml: ") and "\n" not in str(err.value)


def test_two_overrides_of_one_rating_that_disagree_are_refused(page):
    ap = dict(page.appraisals)
    for study, level in zip(PAIR_IDS, ("low", "moderate")):
        ap[study] = evidence.Appraisal(study, ap[study].risk_of_bias, {},
                                       evidence.read_overrides(study, {"outcome": "OS", "level": level,
                                                                       "reason": "invented"}))
    from livingreview.analysis.grade import GradeError

    with pytest.raises(GradeError, match="conflicting certainty overrides in the appraisals of "
                                         "alphaville2030_radiotherapy_ici, betancourt2031_radiotherapy_ici"):
        evidence.summary_of_findings(page.records, ap)


# --- robvis charts ----------------------------------------------------------------------------------

def test_traffic_lights_show_one_row_per_study_and_a_column_per_domain(page):
    found = page.assessments()
    spec = Ch.traffic_light_chart(found, rob.CHECKLIST).to_dict()
    assert _marks(spec) == ["circle", "text"]
    rows = spec["data"]["values"]
    assert {r["row"] for r in rows} == {"wang2025_hifu", "frontiers2025_radiotherapy_ici", "hou2025_ablation"}
    assert sorted({r["domain"] for r in rows}) == ["C1", "C2", "C3", "C4", "C5", "C6", "Overall"]
    circle = next(v for v in _views(spec) if v["mark"]["type"] == "circle")
    scale = circle["encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"])) == {j: Ch.RISK_COLOURS[j] for j in scale["domain"]}
    assert next(r for r in rows if r["row"] == "wang2025_hifu" and r["domain"] == "Overall")["symbol"] == "×"
    # one study's chart (the chapter's) holds only its row
    liao = [a for a in found if a.study == "liao2025_hifu_ici"]
    assert {r["row"] for r in Ch.traffic_light_chart(liao, rob.ROBINS_I).to_dict()["data"]["values"]} == \
        {"liao2025_hifu_ici"}
    assert Ch.traffic_light_chart(liao, rob.ROB2) is None


def test_the_palette_is_robvis_colour_blind_one_ordered_by_lightness():
    def lightness(hex_colour):
        r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    order = ["low", "some concerns", "high", "critical"]
    assert [Ch.RISK_COLOURS[j] for j in order] == ["#fed98e", "#fe9929", "#d95f0e", "#993404"]
    assert [lightness(Ch.RISK_COLOURS[j]) for j in order] == sorted(
        (lightness(Ch.RISK_COLOURS[j]) for j in order), reverse=True)
    assert len(set(Ch.RISK_SYMBOLS[j] for j in order)) == 4  # a symbol for every level too


def test_the_summary_bars_weight_each_domain_by_participants(page):
    found = page.assessments()
    weights = {r["id"]: r["n_patients"] for r in page.primary}
    spec = Ch.risk_summary_chart(found, rob.CHECKLIST, weights).to_dict()
    assert _marks(spec) == ["bar"]
    rows = spec["data"]["values"]
    for domain in {r["domain"] for r in rows}:
        assert sum(r["share"] for r in rows if r["domain"] == domain) == pytest.approx(1.0)
    overall = {r["judgement"]: r["share"] for r in rows if r["domain"] == "Overall"}
    assert overall["high"] == pytest.approx(64 / (64 + 108 + 62))  # wang's participants
    assert spec["encoding"]["x"]["stack"] == "zero"


def test_appraisal_charts_are_offline_use_the_shipped_font_and_fit_the_column(page):
    render.enable()
    found = page.assessments()
    charts = [Ch.traffic_light_chart(found, t) for t in (rob.ROB2, rob.ROBINS_I, rob.CHECKLIST)]
    charts += [Ch.risk_summary_chart(found, rob.CHECKLIST, None), Ch.pooled_forest_chart(_pooled(page)[0])]
    for chart in charts:
        spec = chart.to_dict()
        text = json.dumps({k: v for k, v in spec.items() if k != "$schema"})
        assert "http" not in text and '"url"' not in text
        assert spec["config"]["font"] == render.FONT_FAMILY
        html = render.spec_html(spec)
        assert "<script src" not in html and "cdn" not in html.lower()
        assert set(re.findall(r'font-family="([^"]+)"', render.spec_svg(render.with_font(spec)))) == \
            {render.FONT_FAMILY}
        assert _svg_width(chart) <= Ch.COLUMN_WIDTH
        assert spec["title"]["text"] if "title" in spec else True


# --- the chapter's own row ----------------------------------------------------------------------

def _shown(call) -> list[dict]:
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    InteractiveShell.instance()
    render.enable()
    with capture_output() as captured:
        call()
    return [o.data for o in captured.outputs]


def test_each_chapter_shows_its_own_traffic_light_row_and_supports():
    page = loading.chapter_page("wang2025_hifu")
    chart, supports = _shown(page.risk_of_bias)
    assert "lr-chart" in chart["text/html"] and "Risk of bias of this study" in chart["text/plain"]
    assert 'class="lr-rob"' in supports["text/html"]
    assert "C6</strong> Outcomes pre-specified and all reported: <em>no</em>" in supports["text/html"]


def test_a_chapter_without_a_structured_appraisal_says_so():
    from livingreview.present.chapter import ChapterPage

    record = {"is_primary_study": True}
    (shown,) = _shown(ChapterPage(None, record, None, evidence.Appraisal("x")).risk_of_bias)
    assert "No structured risk-of-bias judgement has been written" in shown["text/html"]
