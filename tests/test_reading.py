"""Reading source files: errors with reasons, format detection, body ranges, JSON rendering."""
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from seeds import all_seeds, seed as seed_path
from livingreview.extract.document import SourceError
from livingreview.book.sources import read_source
from livingreview.extract.readers import decode_text, detect_format, find_doi, strip_html

FIXTURES = Path(__file__).parent / "fixtures" / "documents"


def seed(prefix: str) -> Path:
    return seed_path(prefix)


# ------------------------------------------------------------------ errors

def _reason(path) -> str:
    with pytest.raises(SourceError) as info:
        read_source(str(path))
    assert info.value.path == str(path)
    return info.value.reason


def test_missing_file_is_reported_as_not_found(tmp_path):
    assert "not found" in _reason(tmp_path / "nope.txt")


def test_directory_is_not_a_regular_file(tmp_path):
    assert "not a regular file" in _reason(tmp_path)


def test_empty_and_whitespace_only_files_are_empty(tmp_path):
    (tmp_path / "a.txt").write_text("")
    (tmp_path / "b.txt").write_text("  \n\t\n")
    assert "empty" in _reason(tmp_path / "a.txt")
    assert "empty" in _reason(tmp_path / "b.txt")


def test_binary_file_is_not_text(tmp_path):
    path = tmp_path / "figure.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert "binary" in _reason(path)


def test_latin1_file_is_rejected_as_not_utf8(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Résumé of a study of 40 patients treated with thermal ablation".encode("latin-1"))
    assert "not UTF-8" in _reason(path)


def test_utf16_file_is_rejected_as_not_utf8(tmp_path):
    path = tmp_path / "utf16.txt"
    path.write_bytes("A study of HIFU".encode("utf-16"))
    assert "not UTF-8" in _reason(path)


def test_json_record_cut_off_midway_is_truncated(tmp_path):
    path = tmp_path / "cut.json"
    path.write_text('{"title": "Microwave ablation plus PD-1 blockade", "abstract": "We enrolled 40 pat')
    assert "truncated" in _reason(path)


def test_text_without_title_or_abstract_has_no_study_content(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("id,value\n1,2.5\n2,3.1\n")
    assert "no recognisable study content" in _reason(path)


def test_json_without_title_or_abstract_has_no_study_content(tmp_path):
    path = tmp_path / "meta.json"
    path.write_text('{"citationCount": 3, "paperId": "abc"}')
    assert "no recognisable study content" in _reason(path)


def test_path_is_kept_exactly_as_given():
    path = str(seed("000"))
    assert read_source(path).path == path


def test_utf8_bom_is_dropped_and_spans_index_text_without_it(tmp_path):
    body = seed("003").read_text(encoding="utf-8")
    path = tmp_path / "bom.md"
    path.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    doc = read_source(str(path))
    assert doc.text == body
    assert doc.body == read_source(str(seed("003"))).body


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_decode_text_raises_nothing_but_source_error(raw):
    try:
        doc = decode_text(raw, "x.txt")
    except SourceError:
        return
    assert all(0 <= s < e <= len(doc.text) for s, e in doc.body)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet='{}[]":,0123456789abcdeftitlesabstract <>/p\\', max_size=120))
def test_decode_text_on_json_like_noise_raises_nothing_but_source_error(raw):
    try:
        decode_text(raw, "x.json")
    except SourceError:
        pass


# ------------------------------------------------------------------ formats

@pytest.mark.parametrize("name, expected", [
    ("000", "pubmed_page"), ("001", "semantic_scholar_json"), ("002", "catalogue_record"),
    ("003", "markdown_summary"), ("004", "plain_text"),
])
def test_seed_formats(name, expected):
    assert read_source(str(seed(name))).format == expected


@pytest.mark.parametrize("name, expected", [
    ("pubmed_sbrt_camrelizumab.txt", "pubmed_page"),
    ("pmc_mwa_pd1.txt", "pubmed_page"),
    ("journal_page_tace_ici.txt", "journal_page"),
    ("s2_sirt_durvalumab.json", "semantic_scholar_json"),
    ("crossref_rfa_sintilimab.json", "crossref_json"),
    ("catalogue_hifu_record.txt", "catalogue_record"),
    ("markdown_sbrt_summary.md", "markdown_summary"),
    ("news_hifu_trial.txt", "plain_text"),
    ("patient_page_ablation.txt", "plain_text"),
    ("narrative_review.txt", "plain_text"),
    ("editorial_local_ici.txt", "plain_text"),
])
def test_fixture_formats(name, expected):
    path = FIXTURES / name
    assert detect_format(path.read_text(encoding="utf-8")) == expected
    assert read_source(str(path)).format == expected


def test_format_comes_from_content_not_file_name(tmp_path):
    path = tmp_path / "looks_like.json"
    path.write_text(seed("003").read_text(encoding="utf-8"), encoding="utf-8")
    assert read_source(str(path)).format == "markdown_summary"


# ------------------------------------------------------------------ body ranges

def test_pubmed_body_is_title_and_abstract_only():
    doc = read_source(str(seed("000")))
    body = doc.body_text()
    assert body.startswith("High‑intensity focused ultrasound thermal ablation boosts")
    assert "A total of 94 patients were enrolled in this study" in body
    assert body.endswith("warrants further prospective clinical investigation.")
    for boilerplate in ("official website", "Affiliations", "PubMed Disclaimer", "Keywords",
                        "competing interests", "Flowchart of participant selection", "Disibio", "LinkOut"):
        assert boilerplate not in body
    assert body.count("boosts the efficacy") == 1  # the repeated title is not body twice


def test_semantic_scholar_json_renders_title_abstract_then_trailing_text():
    doc = read_source(str(seed("001")))
    title = ("Clinical observation and immune effect of high-intensity focused ultrasound (HIFU) "
             "treatment on patients with colorectal cancer liver metastasis.")
    assert doc.text.startswith(title + "\n\nBackground: This study evaluates")
    assert "<p>" not in doc.text and "<strong>" not in doc.text
    assert "(p < 0.001)" in doc.text
    assert doc.text.endswith("suggesting enhanced immune responses.")
    assert "引用次数: 0" in doc.text  # the text after the JSON is kept in text...
    body = doc.body_text()
    assert "引用次数" not in body  # ...but metrics are not body
    assert body.count("Sixty-four patients underwent 69 HIFU treatments") == 1  # second copy dropped


def test_semantic_scholar_json_fields():
    fields = read_source(str(seed("001"))).fields
    assert fields["authors"][:2] == ["Shasha Wang", "Zhanmeng Zhang"] and len(fields["authors"]) == 11
    assert fields["doi"] == "10.1080/02656736.2025.2519344"
    assert fields["journal"].startswith("International journal of hyperthermia")
    assert fields["year"] == 2025
    assert fields["publication_types"] == ["Journal Article"]


def test_catalogue_body_is_title_and_summary_not_teaser_or_fields():
    doc = read_source(str(seed("002")))
    body = doc.body_text()
    assert body.startswith("Combined radiation and immune checkpoint inhibitor therapy")
    assert "disease..." not in body  # the truncated teaser repeats the summary
    assert "108 patients were included" in body
    assert "Frontiers Media" not in body and "ISSN" not in body and "|" not in body
    assert doc.fields["authors"] == []
    assert doc.fields["journal"] == "Frontiers in Immunology"


def test_markdown_body_keeps_summary_sections_and_drops_tails():
    doc = read_source(str(seed("003")))
    body = doc.body_text()
    assert body.startswith("Thermal ablation for pulmonary oligometastases")
    assert "This study shows that thermal ablation is a safe" in body  # TL;DR
    assert "Thermal ablation achieved 100% technical success" in body  # Key findings
    assert "the median PFS was 11.4 months (95% CI 10.1–12.8)" in body  # Abstract
    for tail in ("MONDO", "MESH", "Full body text omitted", "5 figures", "tomesphere", "**Authors:**"):
        assert tail not in body


def test_patient_page_body_drops_the_disclaimer():
    body = read_source(str(seed("004"))).body_text()
    assert body.startswith("How do immune checkpoint inhibitors work")
    assert "individualized advice" not in body


def test_journal_page_body_skips_navigation_and_metrics():
    doc = read_source(str(FIXTURES / "journal_page_tace_ici.txt"))
    body = doc.body_text()
    assert body.startswith("Transarterial chemoembolization plus lenvatinib and tislelizumab versus")
    assert "152 patients with uHCC" in body
    for noise in ("3,091 Views", "22 Citations", "Download PDF", "Cite this article", "Hannah Kim",
                  "sixth most common", "Bray F"):
        assert noise not in body


def test_crossref_jats_abstract_is_unescaped_without_tags():
    doc = read_source(str(FIXTURES / "crossref_rfa_sintilimab.json"))
    assert "tumour size < 3 cm" in doc.text and "“small”" in doc.text
    assert "jats" not in doc.text
    assert doc.fields["authors"] == ["Wei Zhang", "Lin Zhao"]
    assert doc.fields["year"] == 2022


def test_body_spans_are_within_text_and_title_first():
    for path in all_seeds() + list(FIXTURES.iterdir()):
        doc = read_source(str(path))
        assert doc.body, path
        assert all(0 <= s < e <= len(doc.text) for s, e in doc.body)
        assert doc.text[slice(*doc.body[0])] == doc.fields["title"]


def test_strip_html_makes_blocks_lines_and_keeps_superscripts_apart():
    assert strip_html("<p>A &amp; B</p><p>10<sup>9</sup>/L</p>") == "A & B\n10^9/L"


@pytest.mark.parametrize("text, doi", [
    ("https://www.frontiersin.org/articles/10.3389/fimmu.2025.1594577/full", "10.3389/fimmu.2025.1594577"),
    ("doi: 10.3892/ol.2025.14871. eCollection 2025 Mar.", "10.3892/ol.2025.14871"),
    ("https://doi.org/10.1186/S40644-025-00896-8", "10.1186/s40644-025-00896-8"),
    ("see https://x.org/article/10.5555/abc.123/fulltext.pdf", "10.5555/abc.123"),
    ("(doi:10.1000/xyz123);", "10.1000/xyz123"),
    ("no identifier here", None),
])
def test_find_doi_is_bare_lower_case_without_url_tails(text, doi):
    assert find_doi(text) == doi


def test_title_only_json_record_is_accepted():
    doc = decode_text('{"title": "Cryoablation with ipilimumab for liver metastases of melanoma"}', "t.json")
    assert doc.format == "json_record"
    assert doc.body_text() == "Cryoablation with ipilimumab for liver metastases of melanoma"


def test_navigation_only_page_has_no_study_content():
    with pytest.raises(SourceError, match="no recognisable study content"):
        decode_text("Home\nLog in\nSearch\nMenu\n", "nav.txt")


def test_malformed_json_that_is_not_cut_off_says_malformed():
    with pytest.raises(SourceError, match="malformed JSON"):
        decode_text('{"title": "HIFU" "abstract": "x"}\nmore text after', "bad.json")


def test_publisher_page_title_metrics_dates_captions_and_references_are_not_body():
    doc = read_source(str(Path(__file__).parent / "fixtures" / "endpoints" / "journal_page_noise.txt"))
    assert doc.format == "journal_page"
    # The journal's name is the first title-like line; the title stands before "Abstract".
    assert doc.fields["title"].startswith("Cryoablation combined with nivolumab for hepatocellular carcinoma")
    body = doc.body_text()
    assert "median OS was 20.2 months" in body
    for noise in ("Views", "Citations", "Impact factor", "Received", "Figure 2", "1-year OS was 80%",
                  "Table 1", "historical cohort", "Cite this article", "Ahmed R", "30.5"):
        assert noise not in body


def test_metric_impact_factor_and_caption_lines_are_skipped_even_without_an_abstract_heading():
    text = ("Download PDF\nCite this article\n3,091 Views 22 Citations\nViews: 310 | Downloads: 52\n"
            "Impact factor 4.7\nMicrowave ablation with camrelizumab for colorectal liver metastases\n"
            "Thirty patients were treated; the ORR was 40.0%.\n"
            "Fig. 3 | Swimmer plot; 1-year OS 80%\nTable 2: Adverse events\n")
    doc = decode_text(text, "x")
    assert doc.body_text() == ("Microwave ablation with camrelizumab for colorectal liver metastases\n\n"
                               "Thirty patients were treated; the ORR was 40.0%.")
