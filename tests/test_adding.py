"""Adding and removing papers: checks, duplicates refused, and all-or-nothing changes to the tree."""
from pathlib import Path

import pytest
from pybtex.database import parse_string

from livingreview.book import adding
from livingreview.book import bibliography
from livingreview.book import registry
from livingreview.book import transaction
from livingreview.book.adding import AddError, add_paper, remove_paper, summary

import records

# Invented studies, written for these tests in the markdown-summary format of the seeds.
MWA = """\
# Microwave ablation plus camrelizumab for colorectal liver metastases: a retrospective cohort study

**Authors:** Lina Okafor, Marco Bellini, Jun Takeda

PMC · DOI: 10.5555/jlt.2024.05521 · Journal of Liver Therapy · 2024-03-02

## Abstract

To assess the efficacy and safety of microwave ablation combined with the PD-1 inhibitor \
camrelizumab in patients with colorectal liver metastases.

Between March 2017 and June 2022, 48 patients with colorectal liver metastases were treated with \
microwave ablation followed by camrelizumab at a single centre. The primary endpoints were overall \
survival (OS) and progression-free survival (PFS).

The median OS was 27.4 months (95% CI 22.1–32.7) and the median PFS was 9.8 months. The objective \
response rate was 37.5%. Grade ≥3 adverse events occurred in 12.5% of patients.

Microwave ablation with camrelizumab was feasible and safe in this cohort.
"""
MWA_ID = "okafor2024_ablation_ici"

SBRT = """\
# Stereotactic body radiotherapy with atezolizumab for hepatocellular carcinoma: a prospective phase II study

**Authors:** Priya Raman, Tomas Lindqvist

PMC · DOI: 10.5555/rto.2025.00871 · Radiation Oncology Reports · 2025-01-20

## Abstract

We prospectively enrolled 36 patients with unresectable hepatocellular carcinoma who received \
stereotactic body radiotherapy followed by atezolizumab.

The median overall survival was 21.3 months and the median progression-free survival was 8.1 \
months. The objective response rate was 44.4%.

SBRT followed by atezolizumab showed encouraging activity.
"""
SBRT_ID = "raman2025_radiotherapy_ici"

PATIENT_PAGE = """\
Can ablation help immunotherapy work in the liver?
Many people with cancer that has spread to the liver ask whether burning or freezing the tumours \
can make immunotherapy work better. Doctors are studying this question, and early reports are \
encouraging, but it is not yet known who benefits most.
What to ask your care team
- Is ablation an option for the tumours in my liver?
- Would it change how my immunotherapy is given?
"""


@pytest.fixture
def project(tmp_path) -> Path:
    """A review with one registered study (the SBRT one) and its appraisal."""
    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    (root / "_config.yml").write_text("title: test\n", encoding="utf-8")
    (root / "data/registry.yaml").write_text(registry.dump([]), encoding="utf-8")
    add_paper(root, _doc(tmp_path, "sbrt.md", SBRT), today="2026-01-10")
    return root


def _doc(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / "incoming" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def snapshot(root: Path) -> dict:
    """Every file and folder under root, with its bytes: equal snapshots mean an untouched tree."""
    return {
        p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else None)
        for p in sorted(root.rglob("*"))
    }


def _bib_keys(root: Path) -> list[str]:
    return list(parse_string((root / "data/references.bib").read_text(encoding="utf-8"), "bibtex").entries)


def test_adding_copies_the_source_registers_it_and_cites_it(project, tmp_path):
    source = _doc(tmp_path, "mwa-from-pubmed.md", MWA)
    result = add_paper(project, source, today="2026-03-01")

    assert result.entry == registry.Entry(
        MWA_ID, f"sources/{MWA_ID}.md", registry.sha256_file(source), "2026-03-01",
        "mwa-from-pubmed.md",
    )
    assert result.source == project / "data/sources" / f"{MWA_ID}.md"
    assert result.source.read_bytes() == source.read_bytes()
    assert source.is_file()  # the original is copied, not moved
    assert result.source.stat().st_mode & 0o777 == 0o644  # an ordinary file, not a private temp
    assert [e.id for e in registry.load(project)] == [SBRT_ID, MWA_ID]
    assert _bib_keys(project) == [MWA_ID, SBRT_ID]
    assert result.record["n_patients"] == 48
    assert result.summary.startswith(f"{MWA_ID}: markdown_summary, design retrospective, n=48; ")
    assert not (project / "chapters").exists()  # the build makes the chapter from the template


def test_summary_names_format_design_n_endpoints_and_flags():
    assert summary(records.liao()) == (
        "liao2025_hifu_ici: pubmed_page, design retrospective, n=94; "
        "endpoints: PFS ×3, OS ×3; flags: identical_ci (warning)"
    )
    assert summary(records.qa_page()) == (
        "qa_ici_liver_metastases: plain_text, not a primary study, design not stated, "
        "n=not stated; endpoints: none found; flags: none"
    )


@pytest.mark.parametrize("name, text, reason", [
    ("same-bytes.md", SBRT, "identical to registered study " + SBRT_ID),
    ("same-doi.md", SBRT.replace("Priya Raman, Tomas", "Tomas"), "DOI 10.5555/rto.2025.00871"),
    ("same-id.md", SBRT.replace("rto.2025.00871", "rto.2025.00999").replace(
        "encouraging activity", "encouraging activity in this cohort"), f"id {SBRT_ID}"),
])
def test_a_paper_already_in_the_review_is_refused_and_nothing_changes(project, tmp_path, name,
                                                                       text, reason):
    before = snapshot(project)
    with pytest.raises(AddError, match=reason):
        add_paper(project, _doc(tmp_path, name, text), today="2026-03-01")
    assert snapshot(project) == before


@pytest.mark.parametrize("content, reason", [(b"", "empty file"), (b"\x00\xff\x10" * 40, "binary")])
def test_an_unreadable_document_is_refused_and_nothing_changes(project, tmp_path, content, reason):
    before = snapshot(project)
    with pytest.raises(AddError, match=reason):
        add_paper(project, _doc(tmp_path, "bad.txt", content))
    assert snapshot(project) == before


def test_a_missing_file_is_refused(project, tmp_path):
    with pytest.raises(AddError, match="not added"):
        add_paper(project, tmp_path / "nowhere.txt")


def test_a_non_study_page_is_refused_unless_allowed(project, tmp_path):
    page = _doc(tmp_path, "patients.txt", PATIENT_PAGE)
    before = snapshot(project)
    with pytest.raises(AddError, match="not a primary study"):
        add_paper(project, page)
    assert snapshot(project) == before

    result = add_paper(project, page, allow_non_study=True, today="2026-03-02")
    assert result.record["is_primary_study"] is False
    assert result.entry.file == f"sources/{result.entry.id}.txt"
    assert result.entry.id in _bib_keys(project)


def test_a_failure_while_preparing_leaves_the_tree_byte_identical(project, tmp_path, monkeypatch):
    def broken(_records):
        raise RuntimeError("bibliography writer failed")

    monkeypatch.setattr(bibliography, "references_bib", broken)
    before = snapshot(project)
    with pytest.raises(RuntimeError, match="bibliography writer failed"):
        add_paper(project, _doc(tmp_path, "mwa.md", MWA), today="2026-03-01")
    assert snapshot(project) == before


@pytest.mark.parametrize("failing_move", [1, 2, 3, 4])  # source, registry, bib, toc
def test_a_failure_while_moving_files_into_place_is_rolled_back(project, tmp_path, monkeypatch,
                                                                failing_move):
    moves = []
    real = transaction._replace

    def flaky(src, dst):
        moves.append(dst)
        if len(moves) == failing_move:
            raise OSError("disk full")
        real(src, dst)

    monkeypatch.setattr(transaction, "_replace", flaky)
    before = snapshot(project)
    with pytest.raises(OSError, match="disk full"):
        add_paper(project, _doc(tmp_path, "mwa.md", MWA), today="2026-03-01")
    assert snapshot(project) == before


def test_removing_a_study_deletes_its_source_row_and_chapter_but_keeps_its_appraisal(project,
                                                                                     tmp_path):
    add_paper(project, _doc(tmp_path, "mwa.md", MWA), today="2026-03-01")
    chapter = project / "chapters" / f"{SBRT_ID}.ipynb"
    chapter.parent.mkdir()
    chapter.write_text("{}", encoding="utf-8")
    appraisal = project / "data/appraisals" / f"{SBRT_ID}.md"
    appraisal.parent.mkdir()
    appraisal.write_text("Phase II, single arm.\n", encoding="utf-8")

    result = remove_paper(project, SBRT_ID)

    source = project / "data/sources" / f"{SBRT_ID}.md"
    assert result.entry.id == SBRT_ID
    assert result.removed == [source, chapter]
    assert result.kept == [appraisal]
    assert not source.exists() and not chapter.exists() and appraisal.is_file()
    assert [e.id for e in registry.load(project)] == [MWA_ID]
    assert _bib_keys(project) == [MWA_ID]


def test_removing_a_study_keeps_its_digitised_figures(project, tmp_path):
    figure = project / "data/curves" / SBRT_ID / "OS--sbrt.csv"
    figure.parent.mkdir(parents=True)
    figure.write_text("time,survival\n0,1\n", encoding="utf-8")
    result = remove_paper(project, SBRT_ID)
    assert result.kept == [figure.parent] and figure.is_file()


def test_removing_an_unknown_id_is_refused_and_nothing_changes(project):
    before = snapshot(project)
    with pytest.raises(AddError, match="no study with id 'nobody2020'"):
        remove_paper(project, "nobody2020")
    assert snapshot(project) == before


def test_a_failed_removal_is_rolled_back(project, monkeypatch):
    calls = []
    real = transaction._replace

    def flaky(src, dst):
        calls.append(dst)
        if str(dst).endswith("references.bib"):
            raise OSError("read-only file system")
        real(src, dst)

    monkeypatch.setattr(transaction, "_replace", flaky)
    before = snapshot(project)
    with pytest.raises(OSError):
        remove_paper(project, SBRT_ID)
    assert snapshot(project) == before
