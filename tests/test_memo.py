"""Per-study results and static SVGs reused from a content-addressed store: the pages come out
exactly as computed afresh, a changed input is never served an old result, and the store is
namespaced by the code and off when the check asks."""
from __future__ import annotations

import copy

import pytest

from livingreview.analysis import memo
from livingreview.book import cache
from livingreview.present import charts, render
from livingreview.present.synthesis_page import SynthesisPage
from records import all_records


@pytest.fixture
def store(tmp_path):
    disk = cache.DiskStore(tmp_path / "cache")
    memo.install(disk)
    yield disk
    memo.install(None)


def _page_outputs(records):
    """The synthesis page's per-study-heavy cells as the renderer would write them."""
    page = SynthesisPage([], records)
    out = {}
    for name in ("forest_chart", "modality_curves", "rmst_chart"):
        figure = getattr(page, name)()
        out[name] = render.render_mimebundle(figure.spec)["text/html"]
    out["rmst_table"] = page.rmst_table().data
    out["curve_basis"] = page.curve_basis().data
    return out


def test_pages_from_a_cold_and_a_warm_store_equal_pages_computed_without_one(store):
    records = all_records()
    memo.install(None)
    fresh = _page_outputs(records)
    memo.install(store)
    cold = _page_outputs(records)
    entries = sorted(p.name for p in store.folder.rglob("*") if p.is_file())
    assert len(entries) >= len(records)  # per-study rows and the drawn SVGs were stored
    warm = _page_outputs(records)
    assert fresh == cold == warm
    assert sorted(p.name for p in store.folder.rglob("*") if p.is_file()) == entries  # all reused


def test_a_changed_record_is_computed_again_never_served_the_old_result(store):
    records = all_records()
    before = _page_outputs(records)
    changed = copy.deepcopy(records)
    target = next(r for r in changed if any(e.get("measure") == "median" for e in r["endpoints"]))
    for ep in target["endpoints"]:
        if ep.get("measure") == "median" and isinstance(ep.get("value"), (int, float)):
            ep["value"] = ep["value"] + 1
    after = _page_outputs(changed)
    memo.install(None)
    assert after == _page_outputs(changed) and after != before


def test_a_damaged_entry_is_only_a_miss(store):
    calls = []
    compute = lambda: calls.append(1) or {"value": 3}  # noqa: E731
    assert memo.cached("kind", ({"id": "a"},), compute) == {"value": 3}
    (entry,) = [p for p in store.folder.rglob("*") if p.is_file()]
    entry.write_bytes(b"not a pickle")
    assert memo.cached("kind", ({"id": "a"},), compute) == {"value": 3}
    assert len(calls) == 2
    assert memo.cached("kind", ({"id": "a"},), compute) == {"value": 3} and len(calls) == 2


def test_keys_differ_by_kind_and_input_and_not_by_dict_order():
    assert memo.key_of("svg", {"a": 1, "b": 2}) == memo.key_of("svg", {"b": 2, "a": 1})
    assert memo.key_of("svg", {"a": 1}) != memo.key_of("rows", {"a": 1})
    assert memo.key_of("svg", {"a": 1}) != memo.key_of("svg", {"a": 2})


def test_the_store_is_namespaced_by_the_package_code_and_off_when_asked(tmp_path, monkeypatch):
    root = tmp_path / "project"
    (root / "src/livingreview").mkdir(parents=True)
    (root / "src/livingreview/a.py").write_text("X = 1\n", encoding="utf-8")
    first = cache.folder_for(root)
    assert first.parent == root / "_build" / "cache"
    (root / "src/livingreview/a.py").write_text("X = 2\n", encoding="utf-8")
    assert cache.folder_for(root) != first
    monkeypatch.setenv(cache.SWITCH, "off")
    cache.install(root)
    assert memo.installed() is None
    monkeypatch.delenv(cache.SWITCH)
    cache.install(root)
    try:
        assert isinstance(memo.installed(), cache.DiskStore)
    finally:
        memo.install(None)


def test_long_axis_labels_are_cut_before_vega_measures_them():
    spec = charts.forest_chart(all_records()).to_dict()
    axis = spec["spec"]["layer"][0]["encoding"]["y"]["axis"]
    assert axis["labelLimit"] == charts.LABEL_LIMIT
    assert f"length(datum.label) > {charts.LABEL_CHARS}" in axis["labelExpr"] and "…" in axis["labelExpr"]


def test_a_stored_record_is_the_extracted_one_and_a_changed_curation_is_applied_anew(store, tmp_path):
    from livingreview.book import curation, registry
    from projects import make_project
    from seeds import seed

    root = make_project(tmp_path / "book", [seed("000")])
    (entry,) = registry.load(root)
    memo.install(None)
    fresh = curation.curated_record(root, entry)
    memo.install(store)
    assert curation.curated_record(root, entry) == fresh == curation.curated_record(root, entry)
    stored = sorted(p.name for p in store.folder.rglob("*") if p.is_file())
    path = curation.path_for(root, entry.id)
    path.parent.mkdir(parents=True)
    path.write_text(curation.template_text(entry.id, fresh, "A. Reviewer", "2026-12-01"), encoding="utf-8")
    memo.install(None)
    curated = curation.curated_record(root, entry)
    memo.install(store)
    assert curation.curated_record(root, entry) == curated != fresh  # not the stored uncurated record
    assert len(list(p for p in store.folder.rglob("*") if p.is_file())) == len(stored) + 1


def test_a_build_stores_every_curated_record_before_its_kernels_start(tmp_path, monkeypatch):
    from livingreview.book import build, curation, registry
    from projects import make_project
    from seeds import seed

    root = make_project(tmp_path / "book", [seed("000"), seed("001")])
    monkeypatch.delenv(cache.SWITCH, raising=False)
    seen = {}

    def kernels(root_, prepared, scratch, **kw):  # stands in for the kernels: what they would find
        store = cache.DiskStore(cache.folder_for(root_))
        seen["entries"] = len([p for p in store.folder.rglob("*") if p.is_file()])
        memo.install(store)
        try:
            computed = []
            for entry in prepared.entries:
                monkeypatch.setattr(curation, "one_document", lambda *a: computed.append(a))
                assert curation.curated_record(root_, entry) == prepared.records[entry.id]
            seen["computed"] = computed
        finally:
            memo.install(None)
        return []

    monkeypatch.setattr(build, "execute_stale", kernels)
    build.build_project(root)
    assert seen == {"entries": 2, "computed": []}  # both records were read from the store
    assert memo.installed() is None  # the build process keeps no store installed
