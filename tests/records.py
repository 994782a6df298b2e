"""Hand-built study records for the modelling, chart, table and synthesis tests.

Values, quotes and spans are copied by hand from the seed documents in data/sources (quotes are
the exact source sentences, spans index the seed text), so these records are what a correct
extraction should produce. Each accessor returns a fresh deep copy so tests may mutate freely.
"""

from __future__ import annotations

import copy


def _ep(endpoint, measure, arm, value, unit, quote, span, ci=None, timepoint=None, p=None):
    return {"endpoint": endpoint, "measure": measure, "arm": arm, "value": value, "unit": unit,
            "ci": ci, "timepoint_months": timepoint, "p": p, "quote": quote, "span": span}


LIAO_PFS_Q = ("2.38 times [10.95 vs. 4.60 months, 95% confidence interval (CI): 1.087-3.106, "
              "P<0.0001]")
LIAO_OS_Q = "1.84 times (19.6 vs. 10.67 months, 95% CI: 1.087-3.106, P=0.0418)"
LIAO_PFS_SPAN = [2247, 2334]
LIAO_OS_SPAN = [2339, 2404]

_LIAO = {
    "id": "liao2025_hifu_ici",
    "source_path": "data/sources/000_8aa2e63870508255.txt",
    "source_format": "pubmed_page",
    "is_primary_study": True,
    "title": ("High‑intensity focused ultrasound thermal ablation boosts the efficacy of immune "
              "checkpoint inhibitors in advanced cancers with liver metastases: A single‑center "
              "retrospective cohort study"),
    "authors": ["Yao Liao"],
    "journal": "Oncol Lett",
    "year": 2025,
    "doi": "10.3892/ol.2025.14871",
    "design": "retrospective",
    "n_patients": 94,
    "local_therapy": ["HIFU"],
    "systemic_therapy": ["ICI"],
    "population": "newly diagnosed patients with cancer and liver metastases on first-line ICI",
    "arms": [{"name": "HIFU + ICI", "n": 28}, {"name": "ICI alone", "n": None}],
    "endpoints": [
        _ep("PFS", "median", "HIFU + ICI", 10.95, "months", LIAO_PFS_Q, LIAO_PFS_SPAN),
        _ep("PFS", "median", "ICI alone", 4.6, "months", LIAO_PFS_Q, LIAO_PFS_SPAN),
        _ep("PFS", "ratio", "HIFU + ICI vs ICI alone", 2.38, "ratio", LIAO_PFS_Q, LIAO_PFS_SPAN,
            ci=[1.087, 3.106], p="<0.0001"),
        _ep("OS", "median", "HIFU + ICI", 19.6, "months", LIAO_OS_Q, LIAO_OS_SPAN),
        _ep("OS", "median", "ICI alone", 10.67, "months", LIAO_OS_Q, LIAO_OS_SPAN),
        _ep("OS", "ratio", "HIFU + ICI vs ICI alone", 1.84, "ratio", LIAO_OS_Q, LIAO_OS_SPAN,
            ci=[1.087, 3.106], p="=0.0418"),
    ],
    "flags": [
        {"check": "identical_ci", "severity": "warning",
         "message": "PFS and OS ratios report the identical 95% CI 1.087-3.106",
         "quote": LIAO_OS_Q},
    ],
}

WANG_Q = ("Median survival was 52 months, with 1-year survival at 100%, 2-year survival at 93.3% "
          "and 3-year survival at 72%.")
WANG_SPAN = [1264, 1377]

_WANG = {
    "id": "wang2025_hifu",
    "source_path": "data/sources/001_cc81be9555d241ef.txt",
    "source_format": "semantic_scholar_json",
    "is_primary_study": True,
    "title": ("Clinical observation and immune effect of high-intensity focused ultrasound (HIFU) "
              "treatment on patients with colorectal cancer liver metastasis."),
    "authors": ["Shasha Wang", "Zhanmeng Zhang", "Libin Sun"],
    "journal": "International journal of hyperthermia",
    "year": 2025,
    "doi": "10.1080/02656736.2025.2519344",
    "design": "retrospective",
    "n_patients": 64,
    "local_therapy": ["HIFU"],
    "systemic_therapy": ["chemotherapy"],
    "population": "colorectal cancer liver metastases",
    "arms": [{"name": "HIFU", "n": 64}],
    "endpoints": [
        _ep("OS", "median", "HIFU", 52, "months", WANG_Q, WANG_SPAN),
        _ep("OS", "rate", "HIFU", 100, "%", WANG_Q, WANG_SPAN, timepoint=12),
        _ep("OS", "rate", "HIFU", 93.3, "%", WANG_Q, WANG_SPAN, timepoint=24),
        _ep("OS", "rate", "HIFU", 72, "%", WANG_Q, WANG_SPAN, timepoint=36),
    ],
    "flags": [],
}

RT_ORR_Q = "the overall response rate was 75.0%"
RT_SURV_Q = "Median overall survival and progression-free survival were 17.0 and 12.6 months, respectively."
RT_AE_Q = "Grade ≥3 adverse events were observed in 30.6% of patients."

_RT = {
    "id": "anon2025_radiotherapy_ici_hcc",
    "source_path": "data/sources/002_2966cda17c42fb2e.txt",
    "source_format": "catalogue_record",
    "is_primary_study": True,
    "title": ("Combined radiation and immune checkpoint inhibitor therapy for metastatic or "
              "recurrent hepatocellular carcinoma: a real-world study of 108 patients"),
    "authors": [],
    "journal": "Frontiers in Immunology",
    "year": 2025,
    "doi": "10.3389/fimmu.2025.1594577",
    "design": "retrospective",
    "n_patients": 108,
    "local_therapy": ["radiotherapy"],
    "systemic_therapy": ["ICI"],
    "population": "stage IV or recurrent hepatocellular carcinoma",
    "arms": [{"name": "Radiotherapy + ICI", "n": 108}],
    "endpoints": [
        _ep("ORR", "rate", None, 75.0, "%", RT_ORR_Q, [2042, 2077]),
        _ep("OS", "median", None, 17.0, "months", RT_SURV_Q, [2130, 2224]),
        _ep("PFS", "median", None, 12.6, "months", RT_SURV_Q, [2130, 2224]),
        _ep("AE_grade3plus", "rate", None, 30.6, "%", RT_AE_Q, [2275, 2334]),
    ],
    "flags": [],
}

HOU_TECH_Q = ("Technical success, technical efficacy and major complications were 100, 96.8, and "
              "21%, respectively.")
HOU_PFS_Q = "the median PFS was 11.4 months (95% CI 10.1–12.8)"
HOU_PFS_RATES_Q = "the 1- and 2-year PFS rates were 43.5 and 10.2%, respectively"
HOU_OS_Q = "The mOS was 33.0 months (95% CI 26.9–39.1)"
HOU_OS_RATES_Q = "the 1-, 2- and 3-year OS rates were 98.4, 78.7% and 43.7%, respectively"

_HOU = {
    "id": "hou2025_ablation",
    "source_path": "data/sources/003_76a6f3fffcb77d04.txt",
    "source_format": "markdown_summary",
    "is_primary_study": True,
    "title": ("Thermal ablation for pulmonary oligometastases from hepatocellular carcinoma: "
              "initial experience and retrospective study"),
    "authors": ["Rongna Hou", "Xueliang Zhou", "Yipu Li"],
    "journal": "Cancer Imaging",
    "year": 2025,
    "doi": "10.1186/s40644-025-00896-8",
    "design": "retrospective",
    "n_patients": 62,
    "local_therapy": ["thermal ablation"],
    "systemic_therapy": [],
    "population": "pulmonary oligometastases from hepatocellular carcinoma",
    "arms": [{"name": "Thermal ablation", "n": 62}],
    "endpoints": [
        _ep("technical_success", "rate", None, 100, "%", HOU_TECH_Q, [1700, 1800]),
        _ep("technical_efficacy", "rate", None, 96.8, "%", HOU_TECH_Q, [1700, 1800]),
        _ep("PFS", "median", None, 11.4, "months", HOU_PFS_Q, [1858, 1907], ci=[10.1, 12.8]),
        _ep("PFS", "rate", None, 43.5, "%", HOU_PFS_RATES_Q, [1909, 1970], timepoint=12),
        _ep("PFS", "rate", None, 10.2, "%", HOU_PFS_RATES_Q, [1909, 1970], timepoint=24),
        _ep("OS", "median", None, 33.0, "months", HOU_OS_Q, [2166, 2208], ci=[26.9, 39.1]),
        _ep("OS", "rate", None, 98.4, "%", HOU_OS_RATES_Q, [2214, 2285], timepoint=12),
        _ep("OS", "rate", None, 78.7, "%", HOU_OS_RATES_Q, [2214, 2285], timepoint=24),
        _ep("OS", "rate", None, 43.7, "%", HOU_OS_RATES_Q, [2214, 2285], timepoint=36),
    ],
    "flags": [],
}

_QA = {
    "id": "qa_ici_liver_metastases",
    "source_path": "data/sources/004_eb0078f696d6e8f3.txt",
    "source_format": "plain_text",
    "is_primary_study": False,
    "title": "How do immune checkpoint inhibitors work for patients with liver metastases?",
    "authors": [],
    "journal": None,
    "year": None,
    "doi": None,
    "design": None,
    "n_patients": None,
    "local_therapy": [],
    "systemic_therapy": ["ICI"],
    "population": None,
    "arms": [],
    "endpoints": [],
    "flags": [],
}


def liao() -> dict:
    """Two-arm retrospective HIFU + ICI study with ratios and a shared-CI warning flag."""
    return copy.deepcopy(_LIAO)


def wang() -> dict:
    """Single-arm HIFU study: OS median plus 1/2/3-year rates (the 1-year rate is 100%)."""
    return copy.deepcopy(_WANG)


def radiotherapy() -> dict:
    """Single-arm radiotherapy + ICI HCC study; endpoints carry no arm name."""
    return copy.deepcopy(_RT)


def hou() -> dict:
    """Single-arm thermal ablation study with CIs and landmark rates for OS and PFS."""
    return copy.deepcopy(_HOU)


def qa_page() -> dict:
    """Patient Q&A page: not a primary study, no endpoints."""
    return copy.deepcopy(_QA)


def all_records() -> list[dict]:
    """The five seed records in seed order."""
    return [liao(), wang(), radiotherapy(), hou(), qa_page()]
