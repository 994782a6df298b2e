"""Study metadata for the five seeds (expected values read off the documents by hand) and fixtures."""
from pathlib import Path

import pytest

from seeds import all_seeds, seed
from livingreview.extract.metadata import extract_metadata, make_id, n_patients, surname, words_to_int
from livingreview.book.sources import read_source
from livingreview.extract.vocabulary import therapies

FIXTURES = Path(__file__).parent / "fixtures" / "documents"


def meta(path) -> dict:
    return extract_metadata(read_source(str(path)))


def seed_meta(prefix: str) -> dict:
    return meta(seed(prefix))


def test_seed_000_pubmed_liao():
    m = seed_meta("000")
    assert m["id"] == "liao2025_hifu_ici"
    assert m["title"].startswith("High‑intensity focused ultrasound thermal ablation boosts the efficacy")
    assert m["authors"] == ["Yao Liao"]  # "Yao Liao et al.": only what is stated
    assert m["journal"] == "Oncol Lett"
    assert m["year"] == 2025
    assert m["doi"] == "10.3892/ol.2025.14871"
    assert m["design"] == "retrospective"  # not "prospective" from "warrants further prospective..."
    assert m["n_patients"] == 94  # enrolled, not the 438 reviewed
    assert m["local_therapy"] == ["HIFU"]  # HIFU "thermal ablation" is HIFU, not thermal ablation
    assert m["systemic_therapy"] == ["ICI"]
    assert "patients with cancer with LIM who received first-line immune checkpoint inhibitor" in m["population"]
    assert m["is_primary_study"] is True


def test_seed_001_semantic_scholar_wang():
    m = seed_meta("001")
    assert m["id"] == "wang2025_hifu"
    assert m["authors"][0] == "Shasha Wang" and m["authors"][-1] == "Wensheng Qiu"
    assert m["year"] == 2025
    assert m["doi"] == "10.1080/02656736.2025.2519344"
    assert m["design"] == "retrospective"
    assert m["n_patients"] == 64  # not the 24 vs 21 matched subgroup
    assert m["local_therapy"] == ["HIFU"]
    assert m["systemic_therapy"] == ["chemotherapy"]  # no ICI stated
    assert m["population"] == "patients with colorectal cancer liver metastasis"
    assert m["is_primary_study"] is True


def test_seed_002_catalogue_radiotherapy_ici():
    m = seed_meta("002")
    assert m["id"] == "frontiers2025_radiotherapy_ici"
    assert m["authors"] == []
    assert m["journal"] == "Frontiers in Immunology"
    assert m["year"] == 2025
    assert m["doi"] == "10.3389/fimmu.2025.1594577"  # only in the Online Access URL
    assert m["design"] == "other"  # "real-world study": neither pro- nor retrospective is stated
    assert m["n_patients"] == 108  # not 69 (63.9%) with portal vein thrombosis
    assert m["local_therapy"] == ["radiotherapy"]
    assert m["systemic_therapy"] == ["ICI"]
    assert m["population"] == "patients with metastatic and recurrent HCC"
    assert m["is_primary_study"] is True


def test_seed_003_markdown_hou_ablation():
    m = seed_meta("003")
    assert m["id"] == "hou2025_ablation"
    assert m["authors"][0] == "Rongna Hou" and len(m["authors"]) == 8
    assert m["journal"] == "Cancer Imaging"
    assert m["year"] == 2025
    assert m["doi"] == "10.1186/s40644-025-00896-8"
    assert m["design"] == "retrospective"
    assert m["n_patients"] == 62  # patients, not the 145 POs
    assert m["local_therapy"] == ["thermal ablation"]
    assert m["systemic_therapy"] == []
    assert m["population"] == "pulmonary oligometastases from hepatocellular carcinoma"
    assert m["is_primary_study"] is True


def test_seed_004_patient_page_is_not_a_primary_study():
    m = seed_meta("004")
    assert m["id"] == "immune_nd_ici"
    assert m["is_primary_study"] is False
    assert m["authors"] == [] and m["journal"] is None and m["year"] is None and m["doi"] is None
    assert m["design"] is None and m["n_patients"] is None and m["population"] is None
    assert m["local_therapy"] == []  # TACE/HAIC are mentioned in passing, not studied
    assert m["systemic_therapy"] == ["ICI"]
    assert m["publication_type"] == "patient information"


@pytest.mark.parametrize("name, expected", [
    ("pubmed_sbrt_camrelizumab.txt", dict(id="chen2024_radiotherapy_ici", journal="J Hepatocell Oncol", year=2024,
                                          design="prospective", n_patients=41, is_primary_study=True,
                                          local_therapy=["radiotherapy"], systemic_therapy=["ICI"])),
    ("pmc_mwa_pd1.txt", dict(id="weber2023_ablation_ici", authors=["Tomas Weber", "Lena Hoffmann", "Karl Brandt"],
                             design="retrospective", n_patients=76, local_therapy=["thermal ablation"],
                             systemic_therapy=["ICI", "chemotherapy"], doi="10.5555/for.2023.1187")),
    ("journal_page_tace_ici.txt", dict(id="kim2024_tace_ici", journal="Hepatic Oncology Reports",
                                       doi="10.5555/hor.2024.0087", n_patients=152, design="retrospective",
                                       local_therapy=["TACE"], systemic_therapy=["TKI", "ICI"])),
    ("s2_sirt_durvalumab.json", dict(id="rossi2023_sirt_ici", doi="10.5555/jlc.2023.7712", design="prospective",
                                     n_patients=24, journal="Journal of Liver Cancer Research")),
    ("crossref_rfa_sintilimab.json", dict(id="zhang2022_ablation_ici", n_patients=58,
                                          local_therapy=["thermal ablation"],  # "after hepatectomy" is prior
                                          journal="International Journal of Hepatology Practice")),
    ("catalogue_hifu_record.txt", dict(id="novak2024_hifu_ici", n_patients=18, design="prospective",
                                       authors=["Novak, Petra", "Horvat, Luka", "Kovac, Ana"],
                                       doi="10.5555/cirl.2024.0099")),
    ("markdown_sbrt_summary.md", dict(id="lindqvist2024_radiotherapy_ici", n_patients=35, design="retrospective",
                                      journal="Acta Oncologica Nordica")),
    ("news_hifu_trial.txt", dict(is_primary_study=True, design="randomized", n_patients=120, authors=[],
                                 population="patients with hepatocellular carcinoma")),
    ("patient_page_ablation.txt", dict(is_primary_study=False, n_patients=None, local_therapy=[])),
    ("narrative_review.txt", dict(is_primary_study=False, design="review", n_patients=None)),
    ("editorial_local_ici.txt", dict(is_primary_study=False, publication_type="editorial", n_patients=None)),
])
def test_fixture_metadata(name, expected):
    m = meta(FIXTURES / name)
    for key, value in expected.items():
        assert m[key] == value, key


def test_ids_are_slugs_and_deterministic():
    for path in all_seeds() + list(FIXTURES.iterdir()):
        first, second = meta(path)["id"], meta(path)["id"]
        assert first == second
        assert first.replace("_", "").isalnum() and first == first.lower() and first.isascii()


def test_make_id_rule():
    assert make_id(["Ángel Núñez-Ruiz"], None, None, 2021, ["TACE", "HIFU"], ["TKI", "ICI"]) == "nunezruiz2021_tace_ici"
    assert make_id(["Liao Y"], None, None, 2025, [], []) == "liao2025"
    assert make_id([], "The Journal of Liver Oncology", "x", None, [], ["ICI"]) == "liver_nd_ici"
    assert make_id([], None, None, None, [], []) == "source_nd"


@pytest.mark.parametrize("author, name", [("Yao Liao", "Liao"), ("Liao Y", "Liao"), ("Novak, Petra", "Novak"),
                                          ("de Santibañes E", "de Santibañes")])
def test_surname(author, name):
    assert surname(author) == name


@pytest.mark.parametrize("words, n", [("Sixty-four", 64), ("one hundred and eight", 108), ("Eighteen", 18),
                                      ("ninety nine", 99), ("patients", None)])
def test_words_to_int(words, n):
    assert words_to_int(words) == n


def test_n_patients_prefers_enrolled_over_screened_and_subgroups():
    sentences = ["Of 210 patients screened, 150 were enrolled.",
                 "A subgroup of 40 patients received SBRT.", "Thirty patients (20.0%) had PVTT."]
    assert n_patients("", sentences) == 150


@pytest.mark.parametrize("text, local, systemic", [
    ("FOLFOX-HAIC plus lenvatinib and sintilimab", ["HAIC"], ["TKI", "ICI"]),
    ("selective internal radiation therapy (SIRT) with nivolumab", ["SIRT"], ["ICI"]),
    ("MR-guided focused ultrasound thermal ablation (HIFU)", ["HIFU"], []),
    ("microwave ablation (MWA) with no ionizing radiation", ["thermal ablation"], []),
    ("concurrent chemoradiotherapy", ["radiotherapy"], ["chemotherapy"]),
    ("RT-PCR confirmed infection", [], []),
    ("patients refractory to sorafenib received SBRT and durvalumab", ["radiotherapy"], ["ICI"]),
    ("intrahepatic recurrence after hepatectomy", [], []),
])
def test_therapy_vocabulary(text, local, systemic):
    assert therapies(text) == (local, systemic)


@pytest.mark.parametrize("sentence", [
    "In total, sixty-two patients were enrolled.",
    "Between 2019 and 2023, sixty-two patients were enrolled.",
    "Sixty-two patients were enrolled.",
])
def test_patient_counts_in_words_are_found_after_a_comma(sentence):
    # A number-word pattern that could match nothing once let ", sixty-two patients" slip by.
    assert n_patients("", [sentence]) == 62


def test_pubmed_author_line_with_several_names_gives_authors_journal_and_id():
    # "Lena Okafor, Tomasz Brandt, Hui Zhang et al. J Immunother Cancer. ." (seed 000 has one name)
    m = meta(Path(__file__).parent / "fixtures" / "new_paper" / "pubmed_sbrt_pd1.txt")
    assert m["authors"] == ["Lena Okafor", "Tomasz Brandt", "Hui Zhang"]
    assert m["journal"] == "J Immunother Cancer"
    assert m["id"] == "okafor2026_radiotherapy_ici"


def test_pubmed_author_list_is_only_read_between_title_and_abstract():
    from livingreview.extract.readers import decode_text
    title = "Radiofrequency ablation with sintilimab for small hepatocellular carcinoma"
    page = ("Skip to main page content\n\nAn official website of the United States government\n\n"
            "Access keys NCBI Homepage MyNCBI Homepage Main Content Main Navigation\n"
            ". 2024 Mar 3;9(1):12.\ndoi: 10.5555/x.2024.1.\n\n"
            f"{title}\n\nAffiliations\n\n{title}\n\n"
            "Ana Ruiz, Pedro Gil et al. Liver Res. .\n\nAbstract\n\n"
            "Background: We enrolled 30 patients who received radiofrequency ablation and sintilimab.\n\n"
            "PubMed Disclaimer\n\nSimilar articles\n\nKim Ahn, Lee Bora et al. J Old Res. .\n")
    doc = decode_text(page, "page.txt")
    assert doc.format == "pubmed_page"
    m = extract_metadata(doc)
    assert m["authors"] == ["Ana Ruiz", "Pedro Gil"] and m["journal"] == "Liver Res"
    assert m["id"] == "ruiz2024_ablation_ici"
    no_line = decode_text(page.replace("Ana Ruiz, Pedro Gil et al. Liver Res. .\n\n", ""), "page.txt")
    assert no_line.format == "pubmed_page"
    m = extract_metadata(no_line)
    assert m["authors"] == [] and m["journal"] is None  # not the "Similar articles" line after the abstract


# ------------------------------------------------------------ study descriptors (invented sentences)
from livingreview.extract.metadata import design  # noqa: E402


@pytest.mark.parametrize("sentences, n", [
    (["Ninety-six patients were enrolled and 91 patients were randomised to drug A or drug B."], 91),
    (["One hundred and forty-three patients with measurable, non-resectable cancer were randomised in a "
      "multicentre study.", "Among 143 randomised patients, 141 were analysed."], 143),
    (["Patients (n=168) were randomised to receive either immediate or delayed treatment."], 168),
    (["A total of 474 adult patients with glioma (astrocytoma) grade 3 or 4 were randomised."], 474),
    (["191 chemotherapy-nai\u0308ve patients were randomized to receive drug A or drug B."], 191),
    (["In this trial, 4162 women with early breast cancer were randomly assigned to two regimens."], 4162),
    (["We reviewed the records of 145 patients with liver cancer treated between 2018 and 2022."], 145),
])
def test_n_patients_reads_the_randomised_or_studied_count(sentences, n):
    assert n_patients("A trial", sentences) == n


@pytest.mark.parametrize("title, sentences, expected", [
    ("Drug A in advanced kidney cancer", ["In a randomised phase III trial of untreated patients, drug A improved PFS.",
                                          "Patients randomised to drug A had longer benefit."], "randomized"),
    ("Drug A in advanced kidney cancer: the phase 3 ALPHA trial", [], "randomized"),
    ("Survival after surgery", ["Patients were identified from the national cancer database."], "retrospective"),
    ("Resection versus TACE: a propensity score matching analysis", [], "retrospective"),
    ("Drug A by prior chemotherapy use", ["Patients were stratified by prior chemotherapy use and were randomly "
                                          "assigned (1:1) to drug A or placebo."], "randomized"),
    ("Drug A for liver cancer", ["Previous retrospective studies suggested a benefit.",
                                 "This single-arm phase II trial enrolled 40 patients."], "prospective"),
])
def test_design_in_the_texts_own_words(title, sentences, expected):
    assert design(title, sentences) == expected


def test_a_simulation_study_is_not_primary_and_its_design_is_other():
    m = meta(Path(__file__).parent / "fixtures" / "metadata" / "simulation_study.txt")
    assert m["is_primary_study"] is False and m["design"] == "other" and m["n_patients"] is None


def test_a_registry_analysis_is_retrospective_with_its_identified_total():
    m = meta(Path(__file__).parent / "fixtures" / "metadata" / "registry_analysis.txt")
    assert (m["design"], m["n_patients"]) == ("retrospective", 5120)
    assert sorted(m["local_therapy"]) == ["radiotherapy", "surgery"]


@pytest.mark.parametrize("sentence, local, systemic", [
    ("For patients who cannot take an anti-VEGF drug, patients received durvalumab.", [], ["ICI"]),
    ("Of the 410 patients, 204 were naive to chemotherapy and received drug A.", [], []),
    ("Curative resection became possible after downstaging in 5 patients treated with TACE.", ["TACE"], []),
    ("Four patients (9.5%) in the TACE group were downstaged enough to undergo curative resection.", ["TACE"], []),
    ("Two patients treated with SBRT subsequently underwent resection.", ["radiotherapy"], []),
    ("Patients received atezolizumab plus bevacizumab after TACE.", ["TACE"], ["ICI", "anti-VEGF"]),
])
def test_study_therapies_leave_out_what_was_not_given(sentence, local, systemic):
    from livingreview.extract.metadata import study_therapies
    got_local, got_systemic = study_therapies("A study", [sentence], True)
    assert sorted(got_local) == sorted(local) and sorted(got_systemic) == sorted(systemic)
