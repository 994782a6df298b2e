"""Synthetic source documents for the benchmarks: invented studies in the seed formats.

Seeded, so a given (n, seed) always gives the same documents. The studies,
names, journals and DOIs (prefix 10.5555, reserved for examples) are made up;
the numbers are random but internally consistent (CIs contain their
estimates, percentages come from integer counts of n).
"""
from __future__ import annotations

import json
import math
import random
from statistics import NormalDist

LOCAL = [
    ("high-intensity focused ultrasound (HIFU) ablation", "HIFU"),
    ("microwave ablation", "MWA"),
    ("radiofrequency ablation", "RFA"),
    ("stereotactic body radiotherapy (SBRT)", "SBRT"),
]
ICIS = ["pembrolizumab", "camrelizumab", "sintilimab", "atezolizumab", "nivolumab", "tislelizumab"]
DISEASES = [
    "colorectal liver metastases", "hepatocellular carcinoma", "liver metastases from gastric cancer",
    "liver metastases from non-small cell lung cancer", "intrahepatic cholangiocarcinoma",
]
JOURNALS = [
    ("Journal of Hepatic Oncology", "J Hepatic Oncol"), ("Interventional Cancer Therapy", "Interv Cancer Ther"),
    ("Radiation and Immunity", "Radiat Immun"), ("Liver Tumour Reports", "Liver Tumour Rep"),
]
FIRST = ["Mei", "Arjun", "Sofia", "Kenji", "Amara", "Lukas", "Ines", "Tariq", "Hana", "Pavel", "Noor", "Elena"]
SYLLABLES = ["ka", "lo", "mi", "ren", "sa", "to", "vik", "dor", "an", "bel", "chu", "fen", "gar", "hol"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
FORMATS = ("pubmed_page", "semantic_scholar_json", "catalogue_record", "markdown_summary", "plain_text")


def _ci(rng: random.Random, value: float) -> tuple[float, float]:
    return round(value - rng.uniform(0.8, 4.0), 1), round(value + rng.uniform(0.8, 5.0), 1)


def _p_from_ci(hr: float, lo: float, hi: float) -> str:
    """The Wald p-value a ratio's 95% CI implies, printed as a paper would."""
    se = (math.log(hi) - math.log(lo)) / (2 * NormalDist().inv_cdf(0.975))
    p = 2 * (1 - NormalDist().cdf(abs(math.log(hr)) / se))
    return "P<0.001" if p < 0.001 else f"P={p:.3f}"


def _pct(k: int, n: int) -> str:
    return f"{100 * k / n:.1f}"


def _names(rng: random.Random, used: set[str], k: int) -> list[str]:
    out = []
    while len(out) < k:
        last = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        if last not in used:
            used.add(last)
            out.append(f"{rng.choice(FIRST)} {last}")
    return out


def study(rng: random.Random, i: int, used: set[str]) -> dict:
    """One invented study: metadata and an abstract in a researcher's plain phrasing."""
    local, short = rng.choice(LOCAL)
    icis = rng.choice(ICIS)
    disease = rng.choice(DISEASES)
    n = rng.randint(24, 180)
    year = rng.randint(2019, 2025)
    two_arm = rng.random() < 0.4
    os_ = round(rng.uniform(9, 40), 1)
    pfs = round(rng.uniform(3, os_ - 1), 1)
    sentences = [
        f"This study evaluated {local} combined with {icis} in patients with {disease}.",
        f"Between January {year - 5} and December {year - 1}, {n} patients were "
        f"{rng.choice(['enrolled', 'included', 'analysed'])} in this retrospective study.",
    ]
    if two_arm:
        k = rng.randint(n // 4, n // 2)
        ctrl_os, ctrl_pfs = round(os_ * rng.uniform(0.4, 0.8), 1), round(pfs * rng.uniform(0.4, 0.8), 1)
        hr = round(rng.uniform(0.35, 0.85), 2)
        # A CI symmetric on the log scale that stays below 1, as its P < 0.05 requires.
        width = math.exp(rng.uniform(0.1, 0.9) * math.log(1 / hr))
        lo, hi = round(hr / width, 2), round(hr * width, 2)
        sentences += [
            f"Of these, {k} received {short} plus {icis} and {n - k} received {icis} alone.",
            f"The median OS was {os_} vs. {ctrl_os} months (HR {hr}, 95% CI {lo}-{hi}, "
            f"{_p_from_ci(hr, lo, hi)}).",
            f"Median PFS was {pfs} months with {short} plus {icis} and {ctrl_pfs} months with "
            f"{icis} alone (P<0.001).",
        ]
    else:
        lo, hi = _ci(rng, os_)
        orr_k, ae_k = rng.randint(n // 5, n // 2), rng.randint(1, n // 4)
        r1 = round(rng.uniform(70, 98), 1)
        r2 = round(r1 * rng.uniform(0.5, 0.9), 1)
        sentences += [
            rng.choice([
                f"The median overall survival was {os_} months (95% CI {lo}–{hi}).",
                f"Median OS was {os_} months (95% CI: {lo}-{hi}).",
            ]),
            rng.choice([
                f"The median progression-free survival was {pfs} months.",
                f"Median PFS reached {pfs} months.",
            ]),
            f"The 1- and 2-year OS rates were {r1}% and {r2}%, respectively.",
            f"The objective response rate was {_pct(orr_k, n)}%.",
            f"Grade ≥3 adverse events occurred in {ae_k} patients ({_pct(ae_k, n)}%).",
        ]
    sentences.append(f"{short} combined with {icis} was feasible, with manageable toxicity.")
    journal, abbrev = rng.choice(JOURNALS)
    return {
        "title": f"{local[0].upper()}{local[1:]} plus {icis} for {disease}: a retrospective "
                 f"{'comparative ' if two_arm else ''}cohort study",
        "authors": _names(rng, used, rng.randint(2, 6)),
        "journal": journal, "abbrev": abbrev, "year": year,
        "doi": f"10.5555/bench.{year}.{i:05d}",
        "abstract": " ".join(sentences),
    }


def pubmed_page(s: dict, rng: random.Random) -> str:
    first = s["authors"][0]
    return (
        "Skip to main page content\n\nAn official website of the United States government\n\n"
        "Access keys NCBI Homepage MyNCBI Homepage Main Content Main Navigation\n"
        f". {s['year']} {rng.choice(MONTHS)} {rng.randint(1, 28)};{rng.randint(5, 40)}"
        f"({rng.randint(1, 12)}):{rng.randint(10, 900)}.\n"
        f"doi: {s['doi']}. Epub {s['year']}.\n\n{s['title']}\n\nAffiliations\n\n{s['title']}\n\n"
        f"{first} et al. {s['abbrev']}. .\n\nAbstract\n\n{s['abstract']}\n\n"
        "Keywords: ablation; immunotherapy; liver.\n\nPubMed Disclaimer\n\n"
        "Conflict of interest statement\n\nThe authors declare no competing interests.\n\n"
        "References\n\n    1. Example A, Sample B. An earlier cohort. J Ex. 2018;1:1-9. - PubMed\n"
    )


def semantic_scholar_json(s: dict, rng: random.Random) -> str:
    half = len(s["abstract"]) // 2
    cut = s["abstract"].index(". ", half) + 1
    record = {
        "title": s["title"], "authors": ", ".join(s["authors"]), "doi": s["doi"],
        "abstract": f"<p><strong>Methods: </strong>{s['abstract'][:cut]}</p>"
                    f"<p><strong>Results: </strong>{s['abstract'][cut + 1:]}</p>",
        "journal": {"name": s["journal"], "volume": str(rng.randint(1, 40))},
        "publicationDate": f"{s['year']}-0{rng.randint(1, 9)}-01",
        "publicationTypes": "Journal Article", "citationCount": str(rng.randint(0, 30)),
        "platform": "Semanticscholar",
    }
    return json.dumps(record, ensure_ascii=False) + "\n"


def catalogue_record(s: dict, rng: random.Random) -> str:
    # Some catalogues list blank author names, as one seed does.
    blank = rng.random() < 0.3
    authors = ", ".join("" if blank else a for a in s["authors"])
    return (
        f"{s['title']}\n{s['abstract'][:160]}...\nSaved in:\n"
        f"Main Authors: | {authors} |\n---|---|\nFormat: | Article |\nLanguage: | English |\n"
        f"Published: |\nExample Academic Press\n{s['year']}-0{rng.randint(1, 9)}-15\n|\n"
        f"Series: | {s['journal']} |\nSubjects: | |\n"
        f"Online Access: | https://journals.example.org/articles/{s['doi']}/full |\n"
        "Tags: |\nAdd Tag\nNo Tags, Be the first to tag this record!\n|\n"
        f"Summary: | {s['abstract']} |\n"
    )


def markdown_summary(s: dict, rng: random.Random) -> str:
    return (
        f"# {s['title']}\n\n**Authors:** {', '.join(s['authors'])}\n\n"
        f"PMC · DOI: {s['doi']} · {s['journal']} · {s['year']}-0{rng.randint(1, 9)}-10\n\n"
        "## TL;DR\n\nLocal therapy before immunotherapy looked safe in this cohort.\n\n"
        f"## Abstract\n\n{s['abstract']}\n"
    )


def plain_text(s: dict, rng: random.Random) -> str:
    """A patient-information page: no study of its own."""
    return (
        f"Questions about {s['title'].split(':')[0].lower()}\n"
        "People whose cancer has reached the liver often ask whether treating the liver tumours "
        "directly can help immunotherapy. Research is ongoing and results so far are mixed.\n"
        "What to ask your doctor\n- Is a local treatment possible for me?\n"
        "- How would it fit with my immunotherapy?\n"
    )


RENDER = {f: globals()[f] for f in FORMATS}


def documents(n: int, seed: int = 2026, non_studies: bool = True) -> list[tuple[str, str, str]]:
    """`n` (file name, format, text) triples cycling through the formats."""
    rng = random.Random(seed)
    used: set[str] = set()
    formats = FORMATS if non_studies else FORMATS[:-1]
    out = []
    for i in range(n):
        fmt = formats[i % len(formats)]
        ext = {"markdown_summary": ".md", "semantic_scholar_json": ".json"}.get(fmt, ".txt")
        out.append((f"bench_{i:03d}{ext}", fmt, RENDER[fmt](study(rng, i, used), rng)))
    return out


def _wrap_tag(tag: str, value: str, width: int = 80) -> str:
    """A MEDLINE field: "TAG - " then the value wrapped at `width`, continued on 6-space lines."""
    words, lines, line = value.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width - 6:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return f"{tag:<4}- " + "\n      ".join(lines)


def medline_export(n: int, seed: int = 2026) -> str:
    """A MEDLINE (.nbib) export of `n` invented records, as PubMed writes a search's results."""
    rng = random.Random(seed)
    records = []
    for i in range(n):
        s = study(rng, i, set())  # surnames unique within a record only: an export has thousands
        labelled = s["abstract"]
        cut = labelled.find(" Between ")
        if cut > 0:  # a structured abstract: BACKGROUND / METHODS / RESULTS labels
            labelled = f"BACKGROUND: {labelled[:cut]} METHODS:{labelled[cut:]}"
        lines = [f"PMID- {41000000 + i}", "OWN - NLM", "STAT- MEDLINE",
                 f"DP  - {s['year']} {rng.choice(MONTHS)}", _wrap_tag("TI", s["title"] + "."),
                 f"LID - {s['doi']} [doi]", _wrap_tag("AB", labelled)]
        for name in s["authors"]:
            given, last = name.split(" ", 1)
            lines += [f"FAU - {last}, {given}", f"AU  - {last} {given[0]}"]
        lines += ["LA  - eng", "PT  - Journal Article", f"TA  - {s['abbrev']}", f"JT  - {s['journal']}"]
        records.append("\n".join(lines))
    return "\n\n".join(records) + "\n"
