"""references.bib: deterministic entries that pybtex and sphinxcontrib-bibtex read back faithfully."""
import subprocess
import sys

import pytest
from pybtex.database import parse_string
from pybtex.richtext import Text

from livingreview.book.bibliography import bibtex_entry, references_bib

import records


def _parsed(bib: str):
    return parse_string(bib, "bibtex").entries


def _title(entry) -> str:
    return Text.from_latex(entry.fields["title"]).render_as("text")


def test_a_journal_article_gives_an_article_entry_keyed_by_record_id():
    assert bibtex_entry(records.wang()) == (
        "@article{wang2025_hifu,\n"
        "  author = {Shasha Wang and Zhanmeng Zhang and Libin Sun},\n"
        "  title = {{Clinical observation and immune effect of high-intensity focused ultrasound "
        "(HIFU) treatment on patients with colorectal cancer liver metastasis.}},\n"
        "  journal = {International journal of hyperthermia},\n"
        "  year = {2025},\n"
        "  doi = {10.1080/02656736.2025.2519344},\n"
        "}\n"
    )


def test_a_record_without_authors_has_no_author_field_and_is_a_misc_entry():
    entry = _parsed(bibtex_entry(records.radiotherapy()))["anon2025_radiotherapy_ici_hcc"]
    assert entry.type == "misc"
    assert "author" not in entry.persons
    assert entry.fields["howpublished"] == "Frontiers in Immunology"
    assert entry.fields["journal"] == "Frontiers in Immunology"
    assert entry.fields["doi"] == "10.3389/fimmu.2025.1594577"


def test_a_non_study_page_keeps_only_what_it_states():
    assert bibtex_entry(records.qa_page()) == (
        "@misc{qa_ici_liver_metastases,\n"
        "  title = {{How do immune checkpoint inhibitors work for patients with liver "
        "metastases?}},\n"
        "}\n"
    )


def test_entries_are_ordered_by_id_whatever_the_input_order():
    forward = references_bib(records.all_records())
    backward = references_bib(list(reversed(records.all_records())))
    assert forward == backward
    assert list(_parsed(forward)) == sorted(r["id"] for r in records.all_records())


@pytest.mark.parametrize("title", [
    "PD-1 & CTLA-4 blockade after HIFU: 50% response in a_b #2 cohort",
    "Cost in $ and ^ exponents ~ about",
    r"Back\slash and -- dashes, ''quotes'' and ``more''",
    "High‑intensity focused ultrasound ≥3 AEs – a review",
])
def test_special_characters_read_back_exactly(title):
    record = records.liao()
    record["title"] = title
    assert _title(_parsed(bibtex_entry(record))["liao2025_hifu_ici"]) == title


def test_a_title_holding_braces_is_left_out_rather_than_altered():
    record = records.hou()
    record["title"] = "Ablation of {lung} metastases"
    entry = _parsed(bibtex_entry(record))["hou2025_ablation"]
    assert "title" not in entry.fields
    assert entry.fields["journal"] == "Cancer Imaging"


def test_an_author_named_with_and_stays_one_author():
    record = records.wang()
    record["authors"] = ["Shasha Wang", "Liver and Lung Study Group"]
    persons = _parsed(bibtex_entry(record))["wang2025_hifu"].persons["author"]
    assert len(persons) == 2
    assert str(persons[1]) == "{Liver and Lung Study Group}"


def test_sphinxcontrib_bibtex_builds_every_entry_without_warnings(tmp_path):
    """The bib is read by a real Sphinx build with -W; titles keep their capitals."""
    all_records = records.all_records()
    (tmp_path / "refs.bib").write_text(references_bib(all_records), encoding="utf-8")
    (tmp_path / "conf.py").write_text(
        'extensions = ["sphinxcontrib.bibtex"]\nbibtex_bibfiles = ["refs.bib"]\n', encoding="utf-8"
    )
    keys = ",".join(r["id"] for r in all_records)
    (tmp_path / "index.rst").write_text(
        f"Studies\n=======\n\n:cite:p:`{keys}`\n\n.. bibliography::\n", encoding="utf-8"
    )
    sphinx = [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "text",
              str(tmp_path), str(tmp_path / "_out")]
    done = subprocess.run(sphinx, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    page = " ".join((tmp_path / "_out" / "index.txt").read_text(encoding="utf-8").split())
    assert "ultrasound (HIFU) treatment" in page
    assert "doi:10.3892/ol.2025.14871" in page
