"""The readers of contract version 2: exports with several entries, structured formats rendered
as text, sections with roles, and robustness against hostile or odd files."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from livingreview.book.sources import extract_file, read_documents
from livingreview.extract import readers
from livingreview.extract.document import SourceError
from livingreview.extract.readers import decode_bytes, decode_text, detect_format
from livingreview.extract.readers.sections import find_headings, section_role

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "readers"


def docs(name: str):
    return read_documents(str(FIXTURES / name))


def body(doc) -> str:
    return doc.body_text()


def roles(doc) -> list[tuple[str, str]]:
    return [(s.heading, s.role) for s in doc.sections]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "livingreview", *args], cwd=ROOT,
                          capture_output=True, text=True, check=False)


# ------------------------------------------------------------------ formats

@pytest.mark.parametrize("name, fmt", [
    ("export.nbib", "medline_nbib"), ("export.ris", "ris"), ("europepmc_results.json", "europepmc_json"),
    ("crossref_items.json", "crossref_json"), ("article.xml", "jats_xml"), ("page.html", "html_page"),
    ("search_hit.json", "json_record"), ("page_with_json.txt", "json_record"),
])
def test_each_format_is_told_by_its_content(name, fmt):
    assert detect_format((FIXTURES / name).read_text(encoding="utf-8")) == fmt
    assert {d.format for d in docs(name)} == {fmt}


def test_every_body_range_and_section_lies_within_its_own_entry_text():
    for path in FIXTURES.iterdir():
        for doc in read_documents(str(path)):
            assert all(0 <= s < e <= len(doc.text) for s, e in doc.body), path
            assert all(0 <= s.start <= s.end <= len(doc.text) for s in doc.sections), path
            assert all(s.role in ("title", "abstract", "background", "introduction", "methods", "results",
                                  "conclusions", "discussion", "references", "other") for s in doc.sections)


# ------------------------------------------------------------------ exports with several entries

def test_medline_export_gives_one_document_per_record_with_the_same_path():
    entries = docs("export.nbib")
    assert len(entries) == 3
    assert {d.path for d in entries} == {str(FIXTURES / "export.nbib")}
    assert "Stereotactic radiotherapy" not in entries[0].text  # each text is its entry's alone
    assert entries[1].text.startswith("Stereotactic radiotherapy with durvalumab")


def test_medline_tags_give_fields_and_continuation_lines_join_with_spaces():
    first = docs("export.nbib")[0]
    assert first.fields["title"] == ("Microwave ablation plus tislelizumab for small hepatocellular carcinoma: "
                                     "a single-arm phase 2 study.")
    assert first.fields["authors"] == ["Okafor, Lena", "Brandt, Tomasz"]
    assert first.fields["year"] == 2026
    assert first.fields["doi"] == "10.5555/hepres.2026.0042"
    assert first.fields["publication_types"] == ["Journal Article", "Clinical Trial, Phase II"]
    assert "The objective response rate was 61.5% (95% CI 47.0-74.7) and the 1-year recurrence-free" in first.text
    assert "\n      " not in first.text


def test_medline_structured_abstract_labels_become_sections():
    first = docs("export.nbib")[0]
    assert [r for _, r in roles(first)] == ["title", "background", "methods", "results", "conclusions"]
    assert any(line.startswith("RESULTS: The objective") for line in first.text.splitlines())


def test_ris_records_and_their_tags():
    one, two = docs("export.ris")
    assert one.fields["authors"] == ["Varga, Eszter", "Nakamura, Ken"]
    assert one.fields["year"] == 2023 and one.fields["doi"] == "10.5555/aio.2023.0007"
    assert one.fields["journal"] == "Annals of Interventional Oncology"
    assert "median progression-free survival was 6.1 months" in one.text
    assert two.fields["title"].startswith("Irreversible electroporation") and two.fields["year"] == 2022
    assert "objective response rate was 25.0%" in two.text  # N2 when there is no AB


def test_europepmc_result_list_and_its_fields():
    one, two = docs("europepmc_results.json")
    assert one.fields["authors"] == ["Ferreira A", "Kowalski M", "Tan W"]
    assert one.fields["journal"] == "Journal of Liver Oncology" and one.fields["year"] == 2024
    assert one.fields["publication_types"] == ["Journal Article", "Randomized Controlled Trial"]
    assert ("Results", "results") in roles(one)
    assert "Recurrence is common." in one.text and "Hepatic arterial" not in one.text
    # A one-paragraph abstract with ALL-CAPS labels is cut at its labels.
    assert "RESULTS: The objective response rate was 43.8%." in two.text.splitlines()


def test_crossref_items_render_jats_headings_as_sections_not_body():
    one, two = docs("crossref_items.json")
    assert one.fields["authors"] == ["Ines Almeida", "Rafael Soto"] and one.fields["year"] == 2021
    assert one.fields["doi"] == "10.5555/cr.2021.001"
    assert ("Background", "background") in roles(one) and ("Results", "results") in roles(one)
    assert "Results" not in [one.text[s:e] for s, e in one.body]
    assert "jats" not in one.text
    assert two.fields["year"] == 2020 and "62.5%" in two.text


def test_extract_prints_a_json_array_with_one_record_per_export_entry():
    done = run_cli("extract", "tests/fixtures/readers/export.nbib", "--json")
    assert done.returncode == 0, done.stderr
    records = json.loads(done.stdout)
    assert isinstance(records, list) and len(records) == 3
    assert {r["source_path"] for r in records} == {"tests/fixtures/readers/export.nbib"}
    assert [r["year"] for r in records] == [2026, 2025, 2024]
    assert records[2]["is_primary_study"] is False  # the review's publication type says so


def test_text_entry_prints_that_entry_and_spans_index_it():
    path = "tests/fixtures/readers/export.nbib"
    entries = read_documents(str(ROOT / path))
    done = run_cli("text", path, "--entry", "1")
    assert done.returncode == 0 and done.stdout == entries[1].text
    for k, record in enumerate(extract_file(str(ROOT / path))):
        for ep in record["endpoints"]:
            s, e = ep["span"]
            assert entries[k].text[s:e] == ep["quote"]
    assert run_cli("text", path, "--entry", "3").returncode == 1


# ------------------------------------------------------------------ XML and HTML

def test_jats_article_fields_and_sections():
    (doc,) = docs("article.xml")
    assert doc.fields["authors"] == ["Mila Achterberg", "Tunde Oyelaran"]
    assert doc.fields["year"] == 2025 and doc.fields["doi"] == "10.5555/jigo.2025.0310"
    assert doc.fields["journal"] == "Journal of Image-Guided Oncology"
    assert [r for _, r in roles(doc)] == ["title", "background", "methods", "results", "conclusions",
                                          "introduction", "methods", "methods", "results", "results",
                                          "discussion"]


def test_jats_body_leaves_out_introduction_discussion_captions_references_and_licence():
    (doc,) = docs("article.xml")
    text = body(doc)
    assert "Median progression-free survival was 5.2 months." in text
    assert "Grade 3 or higher adverse events occurred in 9.8%." in text  # a results sub-section
    for other in ("12% with pembrolizumab alone", "20.0% response", "Swimmer plot", "Someone A", "Creative"):
        assert other not in text
    assert "Swimmer plot" not in doc.text and "Someone A" not in doc.text


def test_html_meta_tags_give_the_fields():
    (doc,) = docs("page.html")
    assert doc.fields["title"] == "Laser ablation with toripalimab for recurrent hepatocellular carcinoma"
    assert doc.fields["authors"] == ["Quispe, Rosa", "Lindgren, Oskar"]
    assert doc.fields["year"] == 2024 and doc.fields["doi"] == "10.5555/jto.2024.15"
    assert doc.fields["journal"] == "Journal of Thermal Oncology"


def test_html_script_style_noscript_and_navigation_are_never_text():
    (doc,) = docs("page.html")
    for hidden in ("99.9%", "99.0 months", "88.0 months", "77.0 months", "Log in", "color: red"):
        assert hidden not in doc.text


def test_html_sections_mark_introduction_discussion_and_references_outside_the_body():
    (doc,) = docs("page.html")
    assert ("Introduction", "introduction") in roles(doc) and ("References", "references") in roles(doc)
    text = body(doc)
    assert "44.8%" in text and "Median progression-free survival was 8.3 months." in text
    for other in ("15%.", "30%.", "Doe J", "Thermal Oncology Press"):
        assert other not in text


# ------------------------------------------------------------------ JSON of any shape

def test_json_with_unusual_keys_is_read_from_its_longest_prose_and_a_title_like_string():
    (doc,) = docs("search_hit.json")
    assert doc.fields["title"] == "Thermal ablation and PD-1 blockade for liver metastases: a prospective cohort"
    assert "local control rate was 90.9%" in body(doc)
    assert "An older trial" not in body(doc)  # the reference tail is not body
    # The DOI inside a publisher URL loses the article number and title slug after it.
    assert doc.fields["doi"] == "10.5555/hit.2024.77"


def test_a_json_record_on_its_own_line_inside_a_saved_page_is_the_document():
    (doc,) = docs("page_with_json.txt")
    assert doc.fields["title"] == "Percutaneous ethanol injection with nivolumab for small liver tumours"
    assert doc.fields["authors"] == ["Amara Nwosu", "Pietro Conti"]  # "et al." is not a name
    assert "600 patients" not in doc.text  # the page around the record is not the paper


def test_json_array_of_records_gives_one_document_each():
    raw = json.dumps([{"title": "Cryoablation with nivolumab for renal tumours", "abstract": "Ten were treated."},
                      {"title": "Radioembolization with atezolizumab for liver tumours", "abstract": "Eight."}])
    entries = decode_bytes(raw.encode(), "a.json")
    assert [d.fields["title"][:12] for d in entries] == ["Cryoablation", "Radioemboliz"]
    with pytest.raises(SourceError, match="holds 2 records"):
        decode_text(raw, "a.json")


# ------------------------------------------------------------------ PDF

def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose text layer holds `lines` (Helvetica, one line each)."""
    ops = "BT /F1 11 Tf 50 750 Td 14 TL " + " ".join(
        "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") Tj T*" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(ops)} >>\nstream\n{ops}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = "%PDF-1.4\n", []
    for k, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{k} 0 obj\n{obj}\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n" + "".join(f"{o:010d} 00000 n \n" for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return out.encode("latin-1")


def test_pdf_text_layer_is_read_and_marked_pdf():
    raw = _pdf(["Irreversible electroporation with durvalumab for liver metastases",
                "We treated 18 patients. The objective response rate was 38.9%."])
    (doc,) = decode_bytes(raw, "paper.pdf")
    assert doc.format == "pdf"
    assert "objective response rate was 38.9%" in doc.text
    assert body(doc).startswith("Irreversible electroporation with durvalumab")


def test_broken_pdf_is_refused_with_a_reason():
    with pytest.raises(SourceError, match="could not be read as pdf"):
        decode_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 4, "broken.pdf")


# ------------------------------------------------------------------ robustness

def test_json_nested_thousands_of_levels_deep_is_a_source_error_not_a_recursion_error():
    deep = '{"title": "Ablation", "x": ' + "[" * 5000 + "]" * 5000 + "}"
    with pytest.raises(SourceError, match="nested too deeply"):
        decode_bytes(deep.encode(), "deep.json")
    with pytest.raises(SourceError):
        detect_format(deep) and decode_text(deep, "deep.json")


def test_lone_surrogate_escape_is_replaced_and_the_record_prints(tmp_path):
    path = tmp_path / "surrogate.json"
    path.write_text('{"title": "Ablation \\ud800 with nivolumab for liver tumours", '
                    '"abstract": "We treated 20 patients \\udfff; the response rate was 40.0%."}', encoding="utf-8")
    (doc,) = read_documents(str(path))
    assert "\ufffd" in doc.text and not any("\ud800" <= c <= "\udfff" for c in doc.text)
    done = run_cli("extract", str(path), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["title"].startswith("Ablation \ufffd with nivolumab")
    assert run_cli("text", str(path)).returncode == 0


def test_old_mac_line_endings_are_line_breaks_and_spans_index_the_printed_text(tmp_path):
    lines = ["Cryoablation plus camrelizumab for liver metastases", "", "Methods: We enrolled 30 patients.",
             "Results: The objective response rate was 40.0% and the median PFS was 7.1 months."]
    path = tmp_path / "mac.txt"
    path.write_bytes("\r".join(lines).encode())
    (doc,) = read_documents(str(path))
    assert "\r" not in doc.text and doc.text == "\n".join(lines)
    assert run_cli("text", str(path)).stdout == doc.text
    assert [r for _, r in roles(doc)] == ["title", "methods", "results"]
    for record in extract_file(str(path)):
        for ep in record["endpoints"]:
            assert doc.text[slice(*ep["span"])] == ep["quote"]


def test_windows_line_endings_read_as_the_same_text(tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"Microwave ablation with sintilimab in liver cancer\r\n\r\nWe treated 12 patients.\r\n")
    assert read_documents(str(path))[0].text == "Microwave ablation with sintilimab in liver cancer\n\nWe treated 12 patients.\n"


def test_a_readers_unexpected_error_becomes_a_source_error_naming_the_format(monkeypatch):
    def broken(text, path):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(readers.ris, "read_ris", broken)
    raw = (FIXTURES / "export.ris").read_bytes()
    with pytest.raises(SourceError, match=r"could not be read as ris: ZeroDivisionError"):
        decode_bytes(raw, "x.ris")


def test_malformed_xml_is_a_source_error():
    with pytest.raises(SourceError):
        decode_bytes(b"<?xml version='1.0'?><article><front><article-meta>", "cut.xml")


def test_xml_entities_are_never_expanded_from_outside():
    raw = (b'<?xml version="1.0"?><!DOCTYPE article [<!ENTITY ext SYSTEM "file:///etc/hostname">]>'
           b"<article><front><article-meta><title-group><article-title>Ablation and nivolumab for liver "
           b"tumours &ext;</article-title></title-group></article-meta></front></article>")
    (doc,) = decode_bytes(raw, "ent.xml")
    assert doc.fields["title"].startswith("Ablation and nivolumab for liver tumours")
    assert len(doc.text) < 200


# ------------------------------------------------------------------ sections

def test_corpus_style_dotted_headings_get_roles():
    text = ("TITLE:\nA trial of ablation\n\nABSTRACT.BACKGROUND:\nOld data.\n\nABSTRACT.RESULTS:\nORR 40%.\n\n"
            "BODY.INTRODUCTION:\nOthers found 10%.\n\nBODY.RESULTS:\nPFS 7 months.\n\nBODY.TUMOUR RESPONSE:\n"
            "ORR 40%.\n\nBODY.DISCUSSION:\nEarlier 12%.\n")
    assert [r for _, _, r in find_headings(text)] == ["title", "background", "results", "introduction", "results",
                                                      "results", "discussion"]


def test_inline_all_caps_labels_and_a_second_background_after_results():
    text = ("Title line here\nBACKGROUND: Little is known. RESULTS: ORR was 40%. CONCLUSIONS: Good.\n"
            "Background\nHepatocellular carcinoma is common.\nDiscussion\nOthers found 12%.\n")
    assert [r for _, _, r in find_headings(text)] == ["background", "results", "conclusions", "introduction",
                                                      "discussion"]


@pytest.mark.parametrize("heading, role", [
    ("RESULTS:", "results"), ("2. Materials and Methods", "methods"), ("## Discussion", "discussion"),
    ("Conclusions and Relevance", "conclusions"), ("Findings", "results"), ("References", "references"),
    ("Funding", "other"), ("Keywords", "other"), ("Objective", "background"), ("Lorem ipsum", None),
    ("Strengths and limitations", "discussion"), ("Strengths and weaknesses of the study", "discussion"),
])
def test_section_role_of_printed_headings(heading, role):
    assert section_role(heading) == role


def test_surrogate_character_references_in_xml_and_html_become_replacement_characters():
    xml = (b'<?xml version="1.0"?><article><front><article-meta><title-group><article-title>Ablation &#xD800; '
           b"with nivolumab for liver tumours</article-title></title-group></article-meta></front></article>")
    html = b"<html><body><h1>Ablation &#55296; with nivolumab for liver tumours</h1><p>We treated 9.</p></body></html>"
    for raw, name in ((xml, "s.xml"), (html, "s.html")):
        (doc,) = decode_bytes(raw, name)
        assert doc.fields["title"] == "Ablation \ufffd with nivolumab for liver tumours"
        doc.text.encode("utf-8")  # printable


def test_corpus_full_text_layout_keeps_only_the_studys_own_results():
    """A bare "BODY:" opens the introduction; "BODY.RESULTS.<anything>" is results even with no
    bare "BODY.RESULTS:" line; "BODY.METHODS.OUTCOMES" stays methods; subgroup and limitation parts
    are left out."""
    from livingreview.extract.arms import extract_arms
    from livingreview.extract.endpoints import extract_endpoints
    text = (Path(__file__).parent / "fixtures" / "readers" / "fulltext_corpus_layout.txt").read_text(encoding="utf-8")
    roles = [r for _, _, r in find_headings(text)]
    assert roles == ["abstract", "introduction", "methods", "methods", "results", "results", "other", "discussion",
                     "discussion"]
    doc = decode_text(text, "trial.txt")
    eps = extract_endpoints(doc, extract_arms(doc, None))
    got = sorted((e["endpoint"], e["measure"], e["value"]) for e in eps)
    assert got == [("OS", "HR", 0.7), ("OS", "median", 30.1), ("OS", "median", 38.2)]


def test_a_bare_body_label_with_no_headed_part_after_it_is_no_heading():
    text = "TITLE:\nA trial\n\nBODY:\nMedian overall survival was 12.0 months.\n"
    assert [r for _, _, r in find_headings(text)] == ["title"]
