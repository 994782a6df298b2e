"""Search intake: importing exports into the screening ledger, screening, the PRISMA page.

The exports in tests/fixtures/screening are invented records written for these tests: a PubMed
(MEDLINE) export of four records, the second of them a seed already in the review (its DOI and
title), and an RIS export of two records, the first the PubMed export's first record again (same
title, other case and punctuation, no DOI).
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from livingreview import cli
from livingreview.analysis.screening import Identity, Row, Search, flow_counts, normalised_title
from livingreview.book import build, registry, screening
from livingreview.book.registry import LEDGER_FILE, SEARCHES_FILE, ProjectError
from livingreview.book.screening import ScreeningError, import_export, screen
from livingreview.book.sources import read_documents
from livingreview.extract.readers import decode_bytes
from livingreview.present import prisma
from projects import make_project
from seeds import seed

FIXTURES = Path(__file__).parent / "fixtures" / "screening"
PUBMED = FIXTURES / "pubmed-2026-12-01.nbib"
EMBASE = FIXTURES / "embase.ris"
SEED_ID = "liao2025_hifu_ici"  # seed 000, whose DOI and title the PubMed export's record 2 repeats


def snapshot(root: Path) -> dict:
    """Every file under root with its bytes: equal snapshots mean an untouched tree."""
    return {p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else None)
            for p in sorted(root.rglob("*")) if "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    return make_project(tmp_path_factory.mktemp("screening") / "book", [seed("000"), seed("002")])


@pytest.fixture
def project(base, tmp_path) -> Path:
    root = tmp_path / "book"
    shutil.copytree(base, root)
    return root


@pytest.fixture
def imported(project) -> Path:
    import_export(project, PUBMED, query="ablation AND checkpoint AND liver")
    import_export(project, EMBASE, database="Embase", date="2026-12-01", query="'ablation'/exp")
    return project


def _rows(root: Path) -> dict[str, Row]:
    return {r.id: r for r in screening.load(root)[0]}


def _cli(root: Path, monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    monkeypatch.setenv("LIVINGREVIEW_ROOT", str(root))
    status = cli.main(list(args))
    out = capsys.readouterr()
    return status, out.out, out.err


# ------------------------------------------------------------------ import

def test_import_logs_the_search_and_adds_every_record_with_the_seed_marked_duplicate(project):
    result = import_export(project, PUBMED, query="ablation AND liver")
    rows, searches = screening.load(project)
    assert searches == [Search(1, "2026-12-01", "PubMed", "ablation AND liver", 4,
                               "exports/001-2026-12-01-pubmed.nbib", result.search.sha256)]
    assert (project / "data/screening" / searches[0].export).read_bytes() == PUBMED.read_bytes()
    assert [(r.id, r.status, r.reason, r.pmid) for r in rows] == [
        ("S0001", "pending", "", "41000101"),
        ("S0002", "duplicate", SEED_ID, "41000102"),
        ("S0003", "pending", "", "41000103"),
        ("S0004", "pending", "", "41000104"),
    ]
    assert result.matches == {"S0002": "DOI"}
    assert rows[0].source == "exports/001-2026-12-01-pubmed.nbib#1"
    assert rows[0].title.startswith("Cryoablation followed by toripalimab") and rows[0].year == "2026"
    assert rows[0].doi == "10.5555/livint.2026.3301"


def test_a_second_database_repeating_a_ledger_record_by_title_is_a_duplicate_of_it(imported):
    rows = _rows(imported)
    assert (rows["S0005"].status, rows["S0005"].reason, rows["S0005"].search) == ("duplicate", "S0001", 2)
    assert rows["S0006"].status == "pending" and rows["S0006"].doi == "10.5555/iol.2025.0912"
    searches = screening.load(imported)[1]
    assert [(s.database, s.records_found, s.export) for s in searches] == [
        ("PubMed", 4, "exports/001-2026-12-01-pubmed.nbib"), ("Embase", 2, "exports/002-2026-12-01-embase.ris")]


def test_duplicates_are_found_by_pmid_and_by_a_registered_title(project, tmp_path):
    frontiers = ("Combined Radiation and Immune Checkpoint Inhibitor Therapy for Metastatic or Recurrent "
                 "Hepatocellular Carcinoma - A Real-World Study of 108 Patients")
    export = tmp_path / "again-2026-12-03.nbib"
    export.write_text(
        "PMID- 41000101\nTI  - A differently worded title for the same PubMed record.\n"
        "AB  - Some words of an abstract for this record.\n\n"
        f"PMID- 41000900\nTI  - {frontiers}\nAB  - The registered study, found again without its DOI.\n",
        encoding="utf-8")
    import_export(project, PUBMED)
    result = import_export(project, export)
    assert [(r.status, r.reason) for r in result.rows] == [
        ("duplicate", "S0001"), ("duplicate", "frontiers2025_radiotherapy_ici")]
    assert result.matches == {"S0005": "PMID", "S0006": "title"}


def test_titles_are_compared_without_case_accents_or_punctuation():
    assert normalised_title("Ablation: Über-Results, a STUDY.") == normalised_title("ablation uber results a study")
    assert normalised_title("Editorial") == ""  # too short to identify a paper
    assert Identity.of("10.1/X", None, "One two three").matches(Identity.of("10.1/x", None, "")) == "DOI"


def test_the_kept_records_cut_from_an_export_decode_as_the_export_does():
    fmt, records = screening.read_export(PUBMED.read_bytes(), str(PUBMED))
    whole = read_documents(PUBMED)
    assert fmt == "medline_nbib" and len(records) == len(whole) == 4
    for rec, doc in zip(records, whole):
        (alone,) = decode_bytes(rec.text.encode(), "alone.nbib")
        assert (alone.text, alone.fields) == (doc.text, doc.fields)
    assert [r.has_abstract for r in records] == [True, True, True, False]


# ------------------------------------------------------------------ screening

def test_including_a_record_with_its_abstract_registers_it_as_add_does(imported):
    result = screen(imported, "S0001", "include", reason="meets the criteria", today="2026-12-02")
    study = result.added.entry.id
    assert study == "adeyemi2026_ablation_ici"
    entry = registry.find(registry.load(imported), study)
    assert entry.file == f"sources/{study}.nbib" and entry.added == "2026-12-02"
    assert entry.origin == "screening/exports/001-2026-12-01-pubmed.nbib#1"
    source = imported / "data" / entry.file
    (doc,) = read_documents(source)
    assert doc.fields["pmid"] == "41000101" and registry.sha256_file(source) == entry.sha256
    toc = yaml.safe_load((imported / "_toc.yml").read_text(encoding="utf-8"))
    assert {"file": f"chapters/{study}", "title": "Adeyemi et al. 2026 · thermal ablation + ICI"} in \
        toc["parts"][0]["chapters"]
    assert study in (imported / "data/references.bib").read_text(encoding="utf-8")
    row = _rows(imported)["S0001"]
    assert (row.status, row.reason, row.study) == ("included", "meets the criteria", study)


def test_including_an_ris_record_registers_a_one_record_ris_file(imported):
    result = screen(imported, "S0006", "include")
    assert result.added.source.suffix == ".ris"
    assert result.added.source.read_text(encoding="utf-8").startswith("TY  - JOUR\nTI  - Transarterial")
    assert result.added.source.read_text(encoding="utf-8").endswith("ER  -\n")


def test_including_a_record_without_an_abstract_records_the_decision_only(imported):
    before = registry.load(imported)
    result = screen(imported, "S0004", "include")
    assert result.added is None and registry.load(imported) == before
    assert (result.row.status, result.row.study) == ("included", "")


def test_excluding_records_their_reason_and_step(imported):
    screen(imported, "S0003", "exclude", reason="narrative review, no patients")
    screen(imported, "S0004", "exclude", reason="conference abstract only", full_text=True)
    rows = _rows(imported)
    assert (rows["S0003"].status, rows["S0003"].stage, rows["S0003"].reason) == (
        "excluded", "title-abstract", "narrative review, no patients")
    assert (rows["S0004"].stage, rows["S0004"].reason) == ("full-text", "conference abstract only")
    text = (imported / LEDGER_FILE).read_text(encoding="utf-8")
    assert text.splitlines()[0] == "id,source,title,doi,pmid,year,status,reason,search,stage,study"
    assert '"narrative review, no patients"' in text


# ------------------------------------------------------------------ PRISMA

def _screened(root: Path) -> Path:
    screen(root, "S0001", "include")
    screen(root, "S0003", "exclude", reason="narrative review")
    screen(root, "S0004", "exclude", reason="conference abstract only", full_text=True)
    return root


def _records(root: Path) -> list[dict]:
    prepared = build.prepare(root)
    return prepared.good


def test_flow_counts_follow_the_ledger_and_the_registry(imported):
    counts = screening.counts(_screened(imported), _records(imported))
    assert counts.per_database == (("PubMed", 4), ("Embase", 2))
    assert (counts.identified, counts.duplicates, counts.awaiting, counts.screened) == (6, 2, 1, 3)
    assert (counts.excluded_records, counts.reports_assessed, counts.excluded_reports) == (1, 2, 1)
    assert counts.exclusion_reasons == (("conference abstract only", 1),)
    assert (counts.new_studies, counts.previous_studies, counts.total_studies) == (1, 2, 3)


def test_a_study_added_by_hand_for_an_included_record_is_not_counted_twice():
    row = Row("S0001", "exports/x.nbib#1", "A trial of one thing with another", "10.1/a", "", "2026",
              "included", "", 1)
    studies = {"old": Identity.of("10.1/old", None, "An older study of something"),
               "new": Identity.of("10.1/a", None, "")}
    counts = flow_counts([row], [Search(1, "2026-01-01", "PubMed", "q", 1, "exports/x.nbib", "0" * 64)], studies)
    assert (counts.new_studies, counts.previous_studies, counts.total_studies) == (1, 1, 2)


def test_the_page_shows_every_count_in_the_svg_and_in_words(imported):
    root = _screened(imported)
    page = screening.search_page(root, _records(root))
    svg = page[page.index("<svg"):page.index("</svg>")]
    svg_text = " ".join(re.sub(r"<[^>]+>", " ", svg).split())  # no-break spaces become spaces too
    words = page[page.index("The same counts in words"):]
    for label, k in [("Records identified from databases", 6), ("PubMed", 4), ("Embase", 2),
                     ("duplicate records", 2), ("Records awaiting screening", 1), ("Records screened", 3),
                     ("Records excluded", 1), ("Reports assessed for eligibility", 2), ("Reports excluded", 1),
                     ("conference abstract only", 1), ("New studies included in this review", 1),
                     ("Studies included in previous versions of the review", 2),
                     ("Total studies included in the review", 3)]:
        assert f"{label} (n = {k})" in svg_text, label
    for line in ["Records identified from databases: 6 (PubMed: 4; Embase: 2)",
                 "Duplicate records removed before screening: 2", "Records awaiting screening: 1",
                 "Records screened: 3", "Records excluded on title and abstract: 1",
                 "Reports assessed for eligibility: 2", "Reports excluded: 1 (conference abstract only: 1)",
                 "New studies included in this review: 1",
                 "Studies included in previous versions of the review: 2",
                 "Total studies included in the review: 3"]:
        assert f"- {line}" in words, line
    assert "| 2 | 2026-12-01 | Embase | \\'ablation\\'\\/exp | 2 |" in page
    assert "| S0004 |" in page and "full report" in page and "| S0003 |" in page
    assert page == screening.search_page(root, _records(root))  # deterministic


def test_the_svg_is_offline_and_escapes_reviewer_text():
    row = Row("S0001", "exports/x.ris#1", "A title of several words", "", "", "", "excluded",
              "<script>alert(1)</script>", 1, "full-text")
    search = Search(1, "2026-01-01", "Db & <Co>", "q", 1, "exports/x.ris", "0" * 64)
    svg = prisma.flow_svg(flow_counts([row], [search], {}))
    assert "<script" not in svg and "&lt;script&gt;" in svg and "Db &amp; &lt;Co&gt;" in svg
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_with_no_search_logged_the_page_says_so(project):
    page = screening.search_page(project, _records(project))
    assert "No search has been logged yet" in page
    assert "- Studies included in previous versions of the review: 2" in page
    assert "- Records identified from databases: 0" in page and "<svg" in page


def test_the_search_page_is_a_fixed_page_of_the_book(project):
    assert "pages/search" in [p.docname for p in registry.FIXED_PAGES]
    from livingreview.book import pages
    assert registry.SEARCH_PAGE in pages.generated(project, _records(project))


# ------------------------------------------------------------------ refusals

def _refused(root: Path, monkeypatch, capsys, *args: str, expect: str) -> None:
    before = snapshot(root)
    status, out, err = _cli(root, monkeypatch, capsys, *args)
    assert status == 1 and out == ""
    assert len(err.splitlines()) == 1 and expect in err, err
    assert snapshot(root) == before


def test_an_export_that_is_not_medline_or_ris_is_refused(project, tmp_path, monkeypatch, capsys):
    plain = tmp_path / "notes-2026-12-01.txt"
    plain.write_text("A plain note about ablation and immunotherapy in liver cancer.\n", encoding="utf-8")
    _refused(project, monkeypatch, capsys, "import", str(plain), expect="not a MEDLINE (.nbib) or RIS export")
    empty = tmp_path / "empty-2026-12-01.nbib"
    empty.write_bytes(b"")
    _refused(project, monkeypatch, capsys, "import", str(empty), expect="empty file")
    _refused(project, monkeypatch, capsys, "import", str(tmp_path / "missing.nbib"), expect="file not found")


@pytest.mark.parametrize("name, text, expect", [
    ("cut-2026-12-01.ris", "TY  - JOUR\nTI  - A record of an export cut short before its end\n"
     "AB  - Some abstract words here.\n", "record 1 is not closed by an 'ER  -' line"),
    ("stray-2026-12-01.ris", "TY  - JOUR\nTI  - A record with a stray line after it\nER  -\n"
     "stray words between records\nTY  - JOUR\nTI  - Another record here today\nER  -\n",
     "is outside any TY ... ER record"),
    ("junk-2026-12-01.nbib", "PMID- 41000001\nTI  - A record with a line that is not MEDLINE\n"
     "this line has no tag\n", "neither 'TAG - value' nor an indented continuation"),
    ("pmid-2026-12-01.nbib", "PMID- 41000001\nTI  - A first record that is fine here\n\n"
     "PMID- not-a-number\nTI  - A second record with a broken PMID line\n", "record 2 starts"),
])
def test_a_malformed_export_is_refused(project, tmp_path, monkeypatch, capsys, name, text, expect):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    _refused(project, monkeypatch, capsys, "import", str(path), "--database", "Embase", expect=expect)


def test_a_record_without_a_title_is_refused(project, tmp_path, monkeypatch, capsys):
    path = tmp_path / "untitled-2026-12-01.nbib"
    path.write_text("PMID- 41000001\nTI  - A first record with its title\n\nPMID- 41000002\n"
                    "AB  - An abstract with no title above it, long enough to read.\n", encoding="utf-8")
    _refused(project, monkeypatch, capsys, "import", str(path), expect="record 2 (PMID 41000002) has no title")
    ris_path = tmp_path / "untitled.ris"
    ris_path.write_text("TY  - JOUR\nTI  - A first record with its title\nER  -\nTY  - JOUR\nAU  - Someone, A\n"
                        "AB  - An abstract with no title above it, long enough to read.\nER  -\n", encoding="utf-8")
    _refused(project, monkeypatch, capsys, "import", str(ris_path), "--database", "Embase", "--date",
             "2026-12-01", expect="record 2 has no title")


@pytest.mark.parametrize("args, expect", [
    (["--database", "Embase"], "the search date is not stated"),
    (["--date", "2026-02-30", "--database", "Embase"], "is not a date of the calendar"),
    (["--date", "1 Dec 2026", "--database", "Embase"], "is not a date written YYYY-MM-DD"),
    (["--date", "2026-12-01"], "does not say which database"),
])
def test_an_import_without_a_usable_date_or_database_is_refused(project, monkeypatch, capsys, args, expect):
    _refused(project, monkeypatch, capsys, "import", str(EMBASE), *args, expect=expect)


def test_the_same_export_is_not_imported_twice(imported, monkeypatch, capsys):
    _refused(imported, monkeypatch, capsys, "import", str(PUBMED), expect="already imported as search 1")


@pytest.mark.parametrize("args, expect", [
    (["S0099", "include"], "no record 'S0099' in data/screening/records.csv (S0001 to S0006)"),
    (["S0002", "include"], f"S0002 is a duplicate of registered study {SEED_ID}"),
    (["S0005", "exclude", "--reason", "x"], "S0005 is a duplicate of S0001: screen S0001 instead"),
    (["S0003", "exclude"], "an exclusion needs its reason"),
    (["S0003", "include", "--full-text"], "--full-text"),
    (["S0003", "include"], "not a primary study"),
])
def test_a_screening_decision_that_cannot_apply_is_refused(imported, monkeypatch, capsys, args, expect):
    _refused(imported, monkeypatch, capsys, "screen", *args, expect=expect)


def test_an_included_registered_record_is_neither_included_again_nor_excluded(imported, monkeypatch, capsys):
    screen(imported, "S0001", "include")
    _refused(imported, monkeypatch, capsys, "screen", "S0001", "include", expect="already included")
    _refused(imported, monkeypatch, capsys, "screen", "S0001", "exclude", "--reason", "x",
             expect="remove adeyemi2026_ablation_ici")


def test_screening_an_empty_ledger_says_to_import_first(project, monkeypatch, capsys):
    _refused(project, monkeypatch, capsys, "screen", "S0001", "include", expect="import a search first")


@pytest.mark.parametrize("text, expect", [
    ("searches: [\n", "searches.yaml: not valid YAML"),
    ("- a list\n", "expected one top-level key, 'searches'"),
    ("searches:\n- {number: 1, date: '2026-12-01', database: PubMed, query: q, records_found: 4,"
     " export: exports/001-2026-12-01-pubmed.nbib, sha256: '" + "0" * 64 + "', colour: red}\n",
     "search #1: unknown key 'colour'"),
    ("searches:\n- {number: 1, date: '2026-12-01', database: PubMed, query: q, records_found: 4}\n",
     "search #1: missing key 'export'"),
    ("searches:\n- {number: 1, date: 'soon', database: PubMed, query: q, records_found: 4,"
     " export: exports/a.nbib, sha256: '" + "0" * 64 + "'}\n", "date 'soon' is not a date"),
    ("searches:\n- {number: 1, date: '2026-12-01', database: PubMed, query: q, records_found: 4,"
     " export: ../../registry.yaml, sha256: '" + "0" * 64 + "'}\n", "is not a file in data/screening/exports/"),
])
def test_a_malformed_search_log_is_refused_by_every_command(imported, monkeypatch, capsys, text, expect):
    (imported / SEARCHES_FILE).write_text(text, encoding="utf-8")
    _refused(imported, monkeypatch, capsys, "screen", "S0001", "include", expect=expect)
    _refused(imported, monkeypatch, capsys, "import", str(FIXTURES / "embase.ris"), "--database", "E",
             "--date", "2026-12-01", expect=expect)
    with pytest.raises(ProjectError, match=re.escape(expect)):
        build.prepare(imported)  # the build stops before it executes or writes anything


@pytest.mark.parametrize("change, expect", [
    (lambda t: t.replace(",pending,", ",maybe,", 1), "line 2: status 'maybe' is not one of"),
    (lambda t: t.replace("id,source", "key,source", 1), "line 1: expected the header"),
    (lambda t: t + "S0007,exports/x#1,A title here,,,,pending,,1,,\n", "holds 5 records of search 1"),
    (lambda t: t.replace("S0003,", "S0001,", 1), "line 4: id S0001 appears twice"),
    (lambda t: t.replace(",1,,\n", ",9,,\n", 1), "line 2: search 9 is not logged"),
    (lambda t: t + '"unclosed\n', "not valid CSV"),
])
def test_a_malformed_ledger_is_refused_by_every_command(imported, monkeypatch, capsys, change, expect):
    path = imported / LEDGER_FILE
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    _refused(imported, monkeypatch, capsys, "screen", "S0004", "exclude", "--reason", "x", expect=expect)
    with pytest.raises(ProjectError, match=re.escape(expect)):
        build.prepare(imported)


def test_a_changed_export_is_not_cut_into_a_paper(imported, monkeypatch, capsys):
    export = imported / "data/screening/exports/001-2026-12-01-pubmed.nbib"
    export.write_bytes(export.read_bytes().replace(b"44 patients", b"45 patients"))
    _refused(imported, monkeypatch, capsys, "screen", "S0001", "include", expect="changed since it was imported")


def test_the_commands_print_what_they_did(project, monkeypatch, capsys):
    status, out, err = _cli(project, monkeypatch, capsys, "import", str(PUBMED))
    assert status == 0 and err == ""
    assert out.splitlines()[0] == ("search 1 (2026-12-01, PubMed): 4 records, 1 duplicates, 3 to screen; "
                                   "export kept as data/screening/exports/001-2026-12-01-pubmed.nbib")
    assert f"  S0002: duplicate of {SEED_ID} (same DOI): " in out
    status, out, err = _cli(project, monkeypatch, capsys, "screen", "S0001", "include")
    assert status == 0 and out.startswith("S0001 included and added adeyemi2026_ablation_ici: medline_nbib")
    status, out, err = _cli(project, monkeypatch, capsys, "screen", "S0004", "include")
    assert status == 0 and "carries no abstract" in out


def test_navigation_titles_take_the_surname_of_an_author_written_surname_first():
    from livingreview.present.formatting import short_title
    record = {"is_primary_study": True, "title": "t", "authors": ["Adeyemi, Folake", "Sorensen, Mads"],
              "journal": None, "id": "x", "year": 2026, "local_therapy": ["thermal ablation"],
              "systemic_therapy": ["ICI"]}
    assert short_title(record) == "Adeyemi et al. 2026 · thermal ablation + ICI"
    assert short_title({**record, "authors": ["Folake Adeyemi"]}) == "Adeyemi 2026 · thermal ablation + ICI"
