"""Title, authors, year, journal and DOI chosen from a Document's fields and text."""
from __future__ import annotations

import pytest

from livingreview.extract.bibliographic import bibliographic, clean_authors, is_title, publication_year
from livingreview.extract.readers import decode_text
from livingreview.extract.readers.common import parse_author_line


@pytest.mark.parametrize("line, year", [
    ("Hepatology Research. 2026 Mar;56(3):210-219.", 2026),
    ("Published: 12 March 2024", 2024),
    ("Published online March 15, 2018.", 2018),
    ("Ann Interv Oncol 2019;30(4):123-130", 2019),
    ("Citation: J Clin Oncol 40, 2022 (suppl 4; abstr 380)", 2022),
    ("TUESDAY, June 14, 2022 (Oncology Wire) -- Adults with liver cancer lived longer", 2022),
    ("BOSTON, Mass., May 2021 -- A maker of devices said today", 2021),
    ("Between January 2009 and December 2015 we enrolled 40 patients.", None),
])
def test_publication_lines_give_the_year(line, year):
    assert publication_year(line) == year


@pytest.mark.parametrize("line, names", [
    ("Han Li,1,* Ke Su,1,* Lu Guo,2", ["Han Li", "Ke Su", "Lu Guo"]),
    ("Okafor L, Brandt T, Zhang H, et al.", ["Okafor L", "Brandt T", "Zhang H"]),
    ("Sang Min Yoon,1 Ji Hyun An,4 and Young-Suk Lim4", ["Sang Min Yoon", "Ji Hyun An", "Young-Suk Lim"]),
    ("A. Varga; K. Nakamura", ["A. Varga", "K. Nakamura"]),
    ("Authors Osei K, Weber J", ["Osei K", "Weber J"]),
    ("Department of Oncology, City Hospital, Springfield", None),
    ("Show Less", None),
])
def test_author_lines_give_names_as_printed_minus_markers(line, names):
    assert parse_author_line(line) == names


def test_author_fields_lose_markers_and_et_al():
    assert clean_authors(["Lena Okafor1", "Tomasz Brandt*", "et al."]) == ["Lena Okafor", "Tomasz Brandt"]


@pytest.mark.parametrize("text, ok", [
    ("Microwave ablation with sintilimab for liver cancer", True),
    ("Abstract", False),
    ("© 2024 The Authors. Published under a Creative Commons licence", False),
    ("Oncology Journal | Home | Log in", False),
    ("JAMA Oncol. 2018;4(5):661-669. doi:10.5555/x", False),
    ("Home > News > Liver cancer", False),
])
def test_titles_are_never_boilerplate(text, ok):
    assert is_title(text) is ok


def test_plain_page_title_skips_banner_breadcrumb_and_citation_lines():
    text = ("Liver Oncology Weekly | News and Reviews\nHome > Articles > Ablation\n"
            "1. Ann Interv Oncol. 2021;12(3):45-52. doi:10.5555/aio.2021.3\n\n"
            "Radiofrequency ablation with toripalimab for colorectal liver metastases\n\n"
            "Varga E, Nakamura K, Osei K.\n\n"
            "RESULTS: Among 40 patients the objective response rate was 35.0%.\n")
    bib = bibliographic(decode_text(text, "page.txt"))
    assert bib["title"] == "Radiofrequency ablation with toripalimab for colorectal liver metastases"
    assert bib["authors"] == ["Varga E", "Nakamura K", "Osei K"]
    assert bib["year"] == 2021
    assert bib["doi"] == "10.5555/aio.2021.3"


def test_a_subtitle_line_under_the_title_is_not_the_title():
    text = ("Transarterial chemoembolization plus radiotherapy versus sorafenib in liver cancer\n"
            "A Randomized Clinical Trial\nAmara Nwosu,1 Pietro Conti,2 and Jonas Weber1\nAuthor information\n"
            "Abstract\nWe randomised 90 patients; the 12-week PFS rate was 80.0% versus 30.0%.\n")
    bib = bibliographic(decode_text(text, "pmc.txt"))
    assert bib["title"] == "Transarterial chemoembolization plus radiotherapy versus sorafenib in liver cancer"


def test_copyright_year_when_no_publication_line():
    text = ("Cryoablation and ipilimumab in renal tumours: a case series\n\n"
            "We treated 9 patients and 4 responded.\n\n© 2020 Example Press\n")
    assert bibliographic(decode_text(text, "x.txt"))["year"] == 2020
