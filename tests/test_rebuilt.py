"""Rebuilt Kaplan–Meier curves on the page: an invented trial whose OS figure was digitised from
simulated patients (tests/fixtures/km_study) shows its rebuilt curves, medians, HR and RMST, the
summary-statistics curves stay as the labelled fallback, and the synthesis prefers rebuilt curves."""
from __future__ import annotations

import copy
import json
import os
import re
import shutil

import numpy as np
import pytest
from lifelines import KaplanMeierFitter

import km_study
from livingreview.analysis import km, rebuilt
from livingreview.book import curves, execute, loading, registry, toc
from livingreview.present import chapter as chapter_module
from livingreview.present import charts, render
from livingreview.present.chapter import ChapterPage
from livingreview.present.synthesis_page import SynthesisPage
from projects import ROOT, make_project

EXPERIMENTAL, CONTROL = "TACE plus camrelizumab", "TACE alone"


@pytest.fixture(scope="module")
def record() -> dict:
    return km_study.record()


@pytest.fixture(scope="module")
def arms(record):
    return km_study.arms(record)


@pytest.fixture(scope="module")
def truth(tmp_path_factory):
    """The simulated trial behind the figure (the generator writes its files into a scratch folder)."""
    return km_study.generator().main(tmp_path_factory.mktemp("figure"))


def _shown(page: ChapterPage, monkeypatch, method: str = "rebuilt_curves", *args) -> list:
    out = []
    monkeypatch.setattr(chapter_module, "display", out.append)
    getattr(page, method)(*args)
    return out


def _html(outputs) -> str:
    return "\n".join(o.data for o in outputs if isinstance(getattr(o, "data", None), str))


def _entry():
    return registry.Entry(km_study.STUDY_ID, f"sources/{km_study.STUDY_ID}.txt", "0" * 64, "2026-12-02")


# -- the analysis of the digitised figure ------------------------------------------------------------

def test_the_generator_rewrites_the_committed_figure_byte_for_byte(truth, tmp_path):
    km_study.generator().main(tmp_path)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(p.name for p in km_study.CURVES.iterdir())
    assert all((tmp_path / n).read_bytes() == (km_study.CURVES / n).read_bytes() for n in written)


def test_file_arm_names_match_the_record_arms_by_their_hyphenated_lower_case_form(record, arms):
    assert rebuilt.slug("TACE plus camrelizumab") == "tace-plus-camrelizumab"
    assert rebuilt.match_arm(record, "tace-alone") == CONTROL
    assert rebuilt.match_arm(record, "TACE_Alone") == CONTROL
    assert rebuilt.match_arm(record, "tace") is None
    assert [(a.endpoint, a.arm, a.matched) for a in arms] == [("OS", EXPERIMENTAL, True), ("OS", CONTROL, True)]
    assert arms[0].figure == "Figure 2" and arms[0].digitised_by == "Test Reviewer"


def test_rebuilt_medians_stand_beside_the_reported_ones_and_agree_within_rounding(record, arms):
    table = rebuilt.arm_table(record, arms).set_index("arm")
    assert table.loc[EXPERIMENTAL, "median_reported"] == "20.0"
    assert table.loc[CONTROL, "median_reported"] == "15.0"
    assert table.loc[EXPERIMENTAL, "median_rebuilt"] == 19.98
    assert table.loc[CONTROL, "median_rebuilt"] == 14.95
    assert list(table["median_check"]) == ["agrees", "agrees"]
    assert table.loc[EXPERIMENTAL, "median_ci_low"] < 19.98 < table.loc[EXPERIMENTAL, "median_ci_high"]
    assert list(table["n"]) == [120, 118] and table.loc[EXPERIMENTAL, "events"] == 65  # the YAML's total


def test_the_rebuilt_data_are_within_the_simulated_tolerances_of_the_trial_behind_the_figure(arms, truth):
    for a, name in zip(arms, ("tace-plus-camrelizumab", "tace-alone")):
        original = truth[name]
        summary = km.km_summary(a.reconstruction.ipd)
        assert abs(summary["median"] - original["median"]) <= 0.05 * original["median"]
        times = np.array([t for t, _ in original["ipd"]])
        o = KaplanMeierFitter().fit(times, [e for _, e in original["ipd"]])
        r = km.fit_km(a.reconstruction.ipd)
        grid = np.union1d(o.survival_function_.index, r.survival_function_.index)
        grid = grid[[(times >= t).sum() >= 10 for t in grid]]
        gap = np.abs(o.survival_function_at_times(grid).to_numpy() - r.survival_function_at_times(grid).to_numpy())
        assert gap.max() <= 0.02
    rebuilt_hr = km.compare_arms(arms[1].reconstruction.ipd, arms[0].reconstruction.ipd)["hr"]
    assert abs(rebuilt_hr - truth["hr"][0]) <= 0.05


def test_the_rebuilt_hr_follows_the_reported_comparison_and_stands_beside_the_reported_hr(record, arms):
    (row,) = rebuilt.hr_table(record, arms).to_dict("records")
    assert row["comparison"] == f"{EXPERIMENTAL} vs {CONTROL}"
    assert (row["hr_reported"], row["ci_reported"]) == ("0.64", "0.47–0.89")
    assert (row["hr_rebuilt"], row["ci_low"], row["ci_high"]) == (0.65, 0.47, 0.89)
    assert row["outside"] == "inside" and 0 < row["logrank_p"] < 0.05
    assert row["quote"].startswith("Median OS was 20.0 versus 15.0 months")


def test_rmst_and_survival_at_12_24_and_36_months_come_from_the_rebuilt_data(record, arms):
    table = rebuilt.arm_table(record, arms).set_index("arm")
    rmst = [table.loc[EXPERIMENTAL, f"rmst_{t}"] for t in (12, 24, 36)]
    assert rmst == sorted(rmst) and all(r <= t for r, t in zip(rmst, (12, 24, 36)))
    assert rmst == [round(km.km_summary(arms[0].reconstruction.ipd)["rmst"][str(t)], 2) for t in (12, 24, 36)]
    assert all(table.loc[EXPERIMENTAL, f"rmst_{t}"] > table.loc[CONTROL, f"rmst_{t}"] for t in (24, 36))
    assert 0 < table.loc[CONTROL, "survival_36"] < table.loc[CONTROL, "survival_12"] < 1


def test_an_rmst_horizon_past_the_figures_follow_up_is_left_blank(record, arms):
    cut = copy.deepcopy(arms[1])
    ipd = tuple((min(t, 30.0), e if t <= 30.0 else 0) for t, e in cut.reconstruction.ipd)
    short = rebuilt.RebuiltArm("OS", CONTROL, "tace-alone", True,
                               type(cut.reconstruction)(ipd, cut.reconstruction.curve, (), None), cut.curve_file)
    row = rebuilt.arm_table(record, [short]).iloc[0]
    assert row["rmst_24"] is not None and (row["rmst_36"] is None or row["rmst_36"] != row["rmst_36"])


# -- the chapter's page object ------------------------------------------------------------------------

def test_the_chapter_shows_the_km_chart_the_fit_medians_hr_and_rmst(record, arms, monkeypatch):
    outputs = _shown(ChapterPage(_entry(), record, None, rebuilt=arms), monkeypatch)
    kinds = [type(o).__name__ for o in outputs]
    assert kinds == ["Figure", "HTML", "HTML", "HTML", "HTML"]  # a KM chart, then tables
    html = _html(outputs)
    for text in ("19.98 (15.67–26.61)", "14.95 (13.35–17.04)", "0.64 (0.47–0.89)", "0.65 (0.47–0.89)",
                 "RMST to 36 months", "S(36 months)", "largest gap", "Test Reviewer",
                 f"data/curves/{km_study.STUDY_ID}/OS--tace-alone.csv"):
        assert text in html, text
    assert "lr-warning" not in html  # nothing differs beyond rounding


def test_a_rebuilt_median_beyond_rounding_raises_a_visible_flag(record, arms, monkeypatch):
    changed = copy.deepcopy(record)
    quote = "Median OS was 20.0 versus 17.0 months (HR 0.64, 95% CI 0.47–0.89; P = 0.007)"
    for ep in changed["endpoints"]:
        if ep["endpoint"] == "OS":
            ep["quote"] = quote
            if ep["measure"] == "median" and ep["arm"] == CONTROL:
                ep["value"] = 17.0
    html = _html(_shown(ChapterPage(_entry(), changed, None, rebuilt=km_study.arms(changed)), monkeypatch))
    flags = re.findall(r'<p class="lr-flag lr-warning">([^<]*)</p>', html)
    assert flags == ["Flag: the rebuilt median OS of TACE alone (14.95) differs from the reported 17.0 months "
                     "by more than rounding and digitising allow (half a unit of the printed last decimal, or 5%)."]
    assert "differs beyond rounding" in html


def test_a_reported_hr_outside_the_rebuilt_ci_raises_a_visible_flag(record, monkeypatch):
    changed = copy.deepcopy(record)
    for ep in changed["endpoints"]:
        if ep["measure"] == "HR":
            ep["value"], ep["ci"], ep["quote"] = 0.40, [0.30, 0.55], "HR 0.40, 95% CI 0.30–0.55"
    html = _html(_shown(ChapterPage(_entry(), changed, None, rebuilt=km_study.arms(changed)), monkeypatch))
    assert "Flag: the reported OS HR 0.40 lies outside the 95% CI of the HR of the rebuilt data (0.47–0.89)." in html


def test_an_arm_file_naming_no_arm_of_the_record_is_drawn_but_not_compared(record, tmp_path, monkeypatch):
    for path in km_study.CURVES.iterdir():
        shutil.copy(path, tmp_path / path.name.replace("tace-alone", "tace-only"))
    arms = km_study.arms(record, tmp_path)
    assert [(a.arm, a.matched) for a in arms] == [(EXPERIMENTAL, True), ("tace-only", False)]
    html = _html(_shown(ChapterPage(_entry(), record, None, rebuilt=arms), monkeypatch))
    assert "the file&#x27;s arm (tace-only) names no arm of this study&#x27;s record" in html
    assert "No hazard ratio from the rebuilt data" in html


def test_a_study_without_a_digitised_figure_says_its_curves_are_the_fallback(record, monkeypatch):
    html = _html(_shown(ChapterPage(_entry(), record, None, rebuilt=()), monkeypatch))
    assert "No Kaplan–Meier figure of this paper has been digitised yet" in html
    assert "fallback" in html


def test_the_summary_statistics_curves_leave_out_the_digitised_arms_and_are_labelled_fallback(record, arms):
    drawn = dict(charts.charts_for(record, arms))
    spec = drawn["survival"].to_dict()
    assert charts.FALLBACK_NOTE in spec["title"]["subtitle"]
    series = {r["series"] for layer in spec["layer"] for r in layer.get("data", {}).get("values", [])
              if "series" in r}
    assert series == {f"PFS · {EXPERIMENTAL}", f"PFS · {CONTROL}"}
    everything = dict(charts.charts_for(record))["survival"].to_dict()
    assert any(r.get("series", "").startswith("OS") for layer in everything["layer"]
               for r in layer.get("data", {}).get("values", []))
    page = ChapterPage(_entry(), record, None, rebuilt=arms)
    assert "OS" not in page.rmst_table().data.split("<tbody>", 1)[1]


def test_the_km_chart_draws_steps_censoring_ticks_points_and_reported_medians(record, arms):
    table = rebuilt.arm_table(record, arms)
    chart = charts.km_chart(rebuilt.plot_frames(arms), "OS", table, record["id"], [EXPERIMENTAL, CONTROL])
    render.enable()
    spec = render.with_font(chart.to_dict())
    marks = [(layer["mark"]["type"], layer["mark"].get("shape"), layer["mark"].get("interpolate"))
             for layer in spec["layer"]]
    assert marks == [("point", "circle", None), ("line", None, "step-after"),
                     ("point", charts.CENSOR_TICK, None), ("point", "diamond", None)]
    medians = spec["layer"][3]["data"]["values"]
    assert sorted((m["time"], m["survival"]) for m in medians) == [(15.0, 0.5), (20.0, 0.5)]
    labels = {r["series"] for r in spec["layer"][1]["data"]["values"]}
    assert labels == {f"{EXPERIMENTAL} (RMSE 0.002, largest gap 0.006)", f"{CONTROL} (RMSE 0.002, largest gap 0.009)"}
    svg = render.spec_svg(spec)
    assert set(re.findall(r'font-family="([^"]+)"', svg)) == {render.FONT_FAMILY}
    assert float(re.search(r'<svg[^>]*\bwidth="([\d.]+)"', svg).group(1)) <= charts.COLUMN_WIDTH
    assert chart.to_dict() == charts.km_chart(rebuilt.plot_frames(arms), "OS", table, record["id"],
                                              [EXPERIMENTAL, CONTROL]).to_dict()


# -- the synthesis -------------------------------------------------------------------------------------

def test_the_synthesis_prefers_rebuilt_curves_and_names_the_curve_of_every_arm(record, arms):
    curves_ = rebuilt.preferred_curves(record, arms, charts.MODALITY_GRID)
    models = curves_.groupby(["endpoint", "arm"])["model"].first().to_dict()
    assert models == {("OS", EXPERIMENTAL): "rebuilt KM", ("OS", CONTROL): "rebuilt KM",
                      ("PFS", EXPERIMENTAL): "exponential", ("PFS", CONTROL): "exponential"}
    os_rows = curves_[curves_["model"] == "rebuilt KM"]
    assert os_rows["time_months"].max() <= 40 and set(os_rows["source"]) == {rebuilt.REBUILT_SOURCE}
    page = SynthesisPage([], [record], rebuilt={record["id"]: arms})
    basis = page.curve_basis().data
    assert "2 of 4 study arms are drawn from curves rebuilt" in basis
    assert f"Figure 2: data/curves/{km_study.STUDY_ID}/OS--tace-alone.csv" in basis
    table = rebuilt.arm_table(record, arms).set_index("arm")
    rmst = page.rmst_table().data
    assert f"<td>rebuilt KM</td>\n      <td>{table.loc[CONTROL, 'rmst_12']:.2f}</td>" in rmst
    spec = charts.modality_curves_chart([record], {record["id"]: arms}).to_dict()
    assert charts.REBUILT_MIXED_NOTE[0] in spec["title"]["subtitle"]
    without = SynthesisPage([], [record]).curve_basis().data
    assert "0 of 4 study arms" in without


# -- from the files: loading, fingerprints, bad input, an executed chapter -------------------------------

@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A book with the invented trial (and its digitised figure) and one seed without a figure."""
    return make_project(tmp_path_factory.mktemp("km") / "book",
                        [km_study.DOCUMENT, ROOT / "data" / "sources" / "hou2025_ablation.txt"],
                        curves={km_study.STUDY_ID: km_study.CURVES})


def test_the_chapter_page_loads_the_studys_digitised_figure_and_nothing_for_others(project, monkeypatch):
    monkeypatch.setenv("LIVINGREVIEW_ROOT", str(project))
    page = loading.chapter_page(km_study.STUDY_ID)
    assert [(a.arm, a.curve_file) for a in page.rebuilt] == [
        (EXPERIMENTAL, f"data/curves/{km_study.STUDY_ID}/OS--tace-plus-camrelizumab.csv"),
        (CONTROL, f"data/curves/{km_study.STUDY_ID}/OS--tace-alone.csv")]
    assert loading.chapter_page("hou2025_ablation").rebuilt == ()
    synthesis = loading.synthesis_page()
    assert list(synthesis.rebuilt) == [km_study.STUDY_ID]


def test_a_bad_curve_file_stops_the_chapter_with_one_line_naming_the_file_and_line(project, tmp_path, monkeypatch):
    root = tmp_path / "book"
    shutil.copytree(project, root, ignore=shutil.ignore_patterns("_build", "chapters"))
    bad = root / "data" / "curves" / km_study.STUDY_ID / "OS--tace-alone.csv"
    lines = bad.read_text(encoding="utf-8").splitlines()
    lines[3] = "12.5,not-a-number"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setenv("LIVINGREVIEW_ROOT", str(root))
    with pytest.raises(curves.CurveFileError) as err:
        loading.chapter_page(km_study.STUDY_ID)
    assert str(err.value) == (f"data/curves/{km_study.STUDY_ID}/OS--tace-alone.csv: line 4: "
                              "survival 'not-a-number' is not a number")
    assert loading.chapter_page("hou2025_ablation").rebuilt == ()  # the other chapter is untouched


def test_curve_files_are_inputs_of_their_chapter_and_the_synthesis_only(project, tmp_path):
    from livingreview.book import fingerprints

    root = tmp_path / "book"
    shutil.copytree(project, root, ignore=shutil.ignore_patterns("_build", "chapters"))
    before = {t.output.name: t.fingerprint for t in fingerprints.targets(root, registry.load(root))}
    meta = root / "data" / "curves" / km_study.STUDY_ID / "OS--tace-alone.yml"
    meta.write_text(meta.read_text(encoding="utf-8") + "total_events: 89\n", encoding="utf-8")
    after = {t.output.name: t.fingerprint for t in fingerprints.targets(root, registry.load(root))}
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {f"{km_study.STUDY_ID}.ipynb", "synthesis.ipynb"}


def _outputs_text(nb: dict) -> str:
    return json.dumps([c.get("outputs", []) for c in nb["cells"]], ensure_ascii=False)


@pytest.fixture(scope="module")
def executed(project, tmp_path_factory):
    """The invented trial's chapter executed twice by papermill (as the build does), and the synthesis once."""
    env = {"PYTHONPATH": str(ROOT / "src")}
    old = {k: os.environ.get(k) for k in ("PYTHONPATH", "LIVINGREVIEW_ROOT")}
    os.environ.pop("LIVINGREVIEW_ROOT", None)
    os.environ.update(env)
    try:
        entries = registry.load(project)
        jobs = {j.output.name: j for j in toc.chapter_jobs(project, entries, toc.records_for(project, entries))}
        chapter = jobs[f"{km_study.STUDY_ID}.ipynb"]
        runs = []
        for _ in range(2):
            assert execute.run(chapter).ok
            runs.append(chapter.output.read_bytes())
        assert execute.run(jobs["synthesis.ipynb"]).ok
        return runs, json.loads(runs[0]), json.loads(jobs["synthesis.ipynb"].output.read_bytes())
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def test_the_executed_chapter_shows_rebuilt_curves_medians_hr_and_rmst(executed):
    _, nb, _ = executed
    text = _outputs_text(nb)
    for shown in ("OS: Kaplan–Meier curves rebuilt from the paper's figure", "19.98 (15.67–26.61)",
                  "0.65 (0.47–0.89)", "0.64 (0.47–0.89)", "RMST to 36 months", "largest gap 0.009",
                  charts.FALLBACK_NOTE):
        assert shown in text, shown
    streams = [o for c in nb["cells"] for o in c.get("outputs", []) if o["output_type"] in ("stream", "error")]
    assert streams == []  # lifelines prints no warning into the page


def test_executing_the_chapter_twice_gives_identical_bytes(executed):
    first, second = executed[0]
    assert first == second


def test_the_executed_synthesis_says_which_curves_it_used(executed):
    _, _, synthesis = executed
    text = _outputs_text(synthesis)
    assert "2 of" in text and "rebuilt KM" in text and "rebuilt from a paper" in text
