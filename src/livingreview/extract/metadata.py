"""Study metadata from a Document: id, bibliographic fields, design, size, therapies, population.

Everything is read from the document's structure (`Document.fields`) or its
body (title + abstract); nothing is guessed beyond what the text states.

The `id` rule (deterministic, never random): NAME + YEAR + "_" + TOPIC.
* NAME: the first author's surname (the last word of "Given Surname", the
  first of "Surname G"/"Surname, Given"), ASCII-folded, lower case, letters
  only. With no authors: the first significant word of the journal name, else
  of the title (stop words such as "how", "the", "journal" skipped); else "source".
* YEAR: four digits; with no year "_nd" (liao2025 but immune_nd).
* TOPIC: the slug of the main local therapy (the first one the title names,
  else the first the abstract names: hifu, ablation, radiotherapy, tace, sirt,
  haic, surgery), then "ici" when ICIs are a systemic therapy, joined by "_";
  with neither, nothing is appended.
"""
from __future__ import annotations

import re
import unicodedata

from livingreview.extract.bibliographic import bibliographic
from livingreview.extract.document import Document
from livingreview.extract.numbers import FoldedTest
from livingreview.extract.vocabulary import DESIGN_CUED, LOCAL_SLUGS, find_therapies, has_cue, lowered


class CuedTest:
    """A case-insensitive yes/no regex test, run on lower-cased text (numbers.FoldedTest)
    and only when the text holds one of `cues`, lower-case literals one of which every match
    contains (None: always run)."""

    __slots__ = ("exact", "fast", "cues")

    def __init__(self, pattern: str, cues: tuple[str, ...] | None = None):
        test = FoldedTest(pattern)
        self.exact, self.fast, self.cues = test.exact, test.fast, cues

    def __call__(self, text: str) -> bool:
        low = lowered(text)
        if low is None:
            return bool(self.exact.search(text))
        return has_cue(self.cues, text, low) and bool(self.fast.search(low))


def _search(rx: re.Pattern, cues, text: str) -> re.Match | None:
    """rx.search(text), skipped when `text` lacks all of `cues` (literal_cues of rx)."""
    low = lowered(text)
    return rx.search(text) if low is None or has_cue(cues, text, low) else None

# ------------------------------------------------------------------ sentences

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\[])|(?<=[a-z]{2}[.?!])(?=[A-Z][a-z])|\n+")
_NO_SPLIT_BEFORE = re.compile(r"(?i)(?:\bet al|\bvs|\be\.g|\bi\.e|\bapprox|\bFig|\bNo|\bref)\.$")


# Every match of _SENTENCE_END starts just after ".", "!" or "?" or at a line feed, so only
# those places are tried; finditer would try the pattern at every character.
_END_PLACE = re.compile(r"[.!?\n]")


def _sentence_ends(text: str):
    """The matches of _SENTENCE_END.finditer(text), found faster."""
    pos = 0
    for c in _END_PLACE.finditer(text):
        p = c.start() if c.group() == "\n" else c.end()
        if p < pos:
            continue
        m = _SENTENCE_END.match(text, p)
        if m:
            yield m
            # After an empty match (the glued "collected.Results" break) no other can start there.
            pos = max(m.end(), p + 1)


def split_sentences(text: str) -> list[str]:
    """Sentences of `text` (lines first, then sentence punctuation; "et al." and "vs." kept whole)."""
    out: list[str] = []
    pos = 0
    for m in _sentence_ends(text):
        piece = text[pos:m.start()]
        # The abbreviation test reads the piece's last characters only (its longest match,
        # "approx.", is 7 characters; two more keep its word boundary as in the whole piece).
        if "\n" not in m.group(0) and _NO_SPLIT_BEFORE.search(piece[-9:]):
            continue
        if piece.strip():
            out.append(piece.strip())
        pos = m.end()
    if text[pos:].strip():
        out.append(text[pos:].strip())
    return out


# ------------------------------------------------------------------ kinds

# Yes/no tests are CuedTest: the same case-insensitive patterns, run faster.
_PATIENT_PAGE = CuedTest(
    r"(?i)\bask your (?:doctor|oncologist|care team)\b|\btalk (?:to|with) your (?:doctor|care team)\b|"
    r"\bthis question is drawn from\b|\bcommon patient questions\b|\bindividuali[sz]ed (?:medical )?advice\b|"
    r"\bpatient information (?:leaflet|sheet|page)\b",
    ("ask your", "talk ", "this question", "common patient", "advice", "patient information"))
_EDITORIAL_LINE = re.compile(
    r"(?im)^(?:editorial|commentary|invited commentary|editorial comment|perspective|viewpoint|"
    r"letter to the editor|correspondence)\s*$")
_EDITORIAL_LINE_CUES = ("editorial", "commentary", "perspective", "viewpoint", "letter", "correspondence")
_EDITORIAL_TEXT = CuedTest(r"(?i)\bthis (?:editorial|commentary)\b|\bin this issue of\b", ("this ",))
_NONPRIMARY_TYPES = re.compile(r"(?i)\b(?:review|meta-analysis|editorial|comment|letter|news|guideline)\b")


# A study of simulated patients or trials reports a method, not patients' outcomes.
_SIMULATION = CuedTest(r"(?i)\bsimulated (?:patients|trials|data(?:sets?)?|cohorts?)\b|\bsimulate (?:[\w-]+,?\s+){0,3}trials\b|"
                       r"\bcomputer simulations?\b|\b(?:this|a) simulation study\b", ("simulat",))


def document_kind(doc: Document) -> str | None:
    """"patient information", "editorial", "simulation" or None (an ordinary paper or page)."""
    if _PATIENT_PAGE(doc.text):
        return "patient information"
    if _SIMULATION(doc.body_text()):
        return "simulation"
    head = "\n".join(doc.text.splitlines()[:20])
    types = " ".join(doc.fields.get("publication_types", []))
    if _search(_EDITORIAL_LINE, _EDITORIAL_LINE_CUES, head) or _EDITORIAL_TEXT(doc.body_text()) or \
            re.search(r"(?i)\b(?:editorial|comment)\b", types):
        return "editorial"
    return None


# ------------------------------------------------------------------ design

_FUTURE = CuedTest(r"(?i)\b(?:warrant\w*|further|future|needed|should be|are required|remains? to be|"
                     r"would be|is required)\b",
                   ("warrant", "further", "future", "needed", "should be", "required", "remain", "would be"))
_OTHERS_WORK = CuedTest(r"(?i)\b(?:previous(?:ly)?|prior|earlier|published|reported|historical|literature)\b",
                        ("previous", "prior", "earlier", "published", "reported", "historical", "literature"))
# Sentences about others' studies ("previous retrospective studies", "published trials"); a
# patient's history ("previously untreated", "prior chemotherapy") is not one.
_OTHERS_STUDIES = CuedTest(
    r"(?i)\b(?:previous(?:ly)?|prior|earlier|published|historical)\s+(?:\w+\s+){0,2}?(?:stud(?:y|ies)|trials?|reports?|"
    r"work|research|analys[ie]s|series|literature|data)\b|\b(?:previously|were|been|was) (?:reported|published|"
    r"described)\b|\bliterature\b|\breported (?:by|in)\b",
    ("previous", "prior", "earlier", "published", "historical", "reported", "described", "literature"))
_SELF = CuedTest(r"(?i)\b(?:this|we|our|present|current)\b|\b(?:patients|participants) were randomly\b|"
                 r"\b(?:were|was|been|patients|participants|subjects) randomi[sz]ed\b|\brandomi[sz]ed (?:to|into|in)\b|"
                 r"\b(?:enrolled|recruited|randomly assigned|allocated)\b")


def design(title: str, sentences: list[str], publication_types: list[str] = (),
           background: str = "") -> str | None:
    """The study design from the title and the sentences about the document's own study.

    Sentences about future work ("warrants further prospective investigation")
    or others' work ("previous retrospective studies") do not count; review and
    randomized also need the title, a publication type, a sentence that refers to
    the document itself ("this", "we", "our"), or one outside the background
    section (`background`: the text of the document's background/introduction).
    """
    if any(re.search(r"(?i)\breview\b|\bmeta-analysis\b", t) for t in publication_types):
        return "review"
    own = [s for s in sentences if not _FUTURE(s) and not _OTHERS_STUDIES(s)]
    own_self = [s for s in own if _SELF(s)]
    own_methods = [s for s in own if background and s not in background] if background else own_self
    for label, rx, cues in DESIGN_CUED:
        pool = [title] + (own_self if label == "review" else own_methods + own_self if label == "randomized" else own)
        if any(_search(rx, cues, c) for c in pool if c):
            return label
    return None


# ------------------------------------------------------------------ patients

_UNITS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
          "fifteen sixteen seventeen eighteen nineteen").split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
# A number word is never empty: "one hundred (and) eight", "sixty-four", "twelve". (An
# empty alternative here once let a match start at ", " and swallow ", sixty patients".)
_HUNDREDS = r"(?:(?:" + "|".join(_UNITS[1:10]) + r")[\s-]+hundred(?:[\s-]+(?:and[\s-]+)?)?)"
_BELOW_100 = (r"(?:(?:" + "|".join(_TENS) + r")(?:[\s-]+(?:" + "|".join(_UNITS[1:10]) + r"))?|"
              + "|".join(sorted(_UNITS[1:], key=len, reverse=True)) + r")")
_WORD_NUM = rf"(?:{_HUNDREDS}{_BELOW_100}?|{_BELOW_100})"
# The lookahead lets the engine skip positions that cannot start a number (digits, or
# the first letters of the number words: o, t, f, s, e, n).
_NUM = r"(?=[\dotfsen])(?P<num>\d{1,3}(?:,\d{3})+|\d+|" + _WORD_NUM + r")"
_NOUNS = ("patients", "participants", "subjects", "cases", "individuals", "people", "persons", "adults",
          "children", "women", "men", "volunteers")
_NOUN = "(?:" + "|".join(_NOUNS) + ")"
_CANDIDATE = re.compile(r"(?i)(?<![\w.])" + _NUM + r"(?P<mid>(?:\s+(?![\d(])[\w\u0300-\u036f-]+){0,5}?)\s+" + _NOUN + r"\b")
# "Patients (n=168) were randomised", "the Danish subcohort (N = 1396)"
_N_EQUALS = re.compile(r"(?i)\b(?:patients|participants|subjects|women|men|(?:sub)?cohort|population)\s*"
                       r"\(\s*n\s*=\s*(?P<num>\d{1,3}(?:,\d{3})+|\d+)\s*\)")
_ENROLLED_WORDS = ("enrolled", "included", "analysed", "analyzed", "recruited", "randomised", "randomized",
                   "eligible", "registered")
_ENROLLED_VERB = re.compile(r"(?i)(?<![\w.])" + _NUM + r"\s+(?:were|was)\s+(?:enrolled|included|analy[sz]ed|recruited|"
                            r"randomi[sz]ed|eligible|registered)\b")
_MID_BLOCK = re.compile(r"(?i)\b(?:of|the|these|whom|them|those|were|was|and|or|with|vs|than|more|fewer|other)\b")
_NEG_AFTER = re.compile(r"(?i)\b(?:(?:were|was) (?:reviewed|screened|assessed|excluded)|screened|"
                        r"excluded|assessed for eligibility)\b")
# Words between a count and its verb: never a number or another clause's verb.
_BETWEEN = r"(?:(?!(?:were|was|of|whom)\b)[^\W\d][\w\u0300-\u036f-]*,?\s+|\([^)]*\)\s*)"
_WEAK_AFTER = re.compile(r"(?i)^\W*(?:\([^)]*\)\s*)?" + _BETWEEN + r"{0,8}?(?:were|was) identified\b")
# A bare count right after these is a grade, stage or list item, not a number of patients.
_NOT_A_COUNT_BEFORE = re.compile(r"(?i)\b(?:grades?|stages?|or|and|to|types?|phases?|class|arms?|groups?|cohorts?)\s*$")
_NEG_BEFORE = re.compile(r"(?i)(?:subgroup of|of whom|of these|of them|among them|among these|matched (?:with|to)|"
                         r"versus|vs\.?|compared (?:with|to)|than)\s*$")
# Randomised counts come first (the trial's own population, over those screened or enrolled).
_RANDOMISED_AFTER = re.compile(r"(?i)^\W*(?:\([^)]*\)\s*)?" + _BETWEEN + r"{0,12}?(?:were|was) (?:randomi[sz]ed|"
                               r"randomly (?:assigned|allocated)|(?:assigned|allocated) at random)\b")
_RANDOMISED_BEFORE = re.compile(r"(?i)\b(?:randomi[sz]ed|randomly (?:assigned|allocated)|(?:assigned|allocated) at random)\s*$")
_STRONG_AFTER = re.compile(r"(?i)^\W*(?:\([^)]*\)\s*)?" + _BETWEEN + r"{0,8}?(?:were|was) (?:\w+ly )?(?:enrolled|included|"
                           r"recruited|analy[sz]ed|evaluated|studied|registered|examined|entered|assigned|allocated)\b")
_STRONG_BEFORE = re.compile(r"(?i)\b(?:a total of|total of|enrolled|included|recruited|study of|cohort of|"
                            r"series of|analysis of|comprised|involving|enrolling|including(?: a total of)?|"
                            r"records of|data (?:of|from)|specimens from|samples from|evaluated|analy[sz]ed)\s*$")
_MEDIUM = re.compile(r"(?i)\b(?:treated|underwent|received|receiving|undergoing|conducted on)\b")


def _holds_any(words: tuple[str, ...], low: str) -> bool:
    for word in words:  # a plain loop: any() with a generator costs more than these tests
        if word in low:
            return True
    return False


def words_to_int(words: str) -> int | None:
    """"Sixty-four" -> 64, "one hundred and eight" -> 108; None if not a number word."""
    total, current = 0, 0
    tokens = [t for t in re.split(r"[\s-]+", words.lower()) if t and t != "and"]
    if not tokens:
        return None
    for tok in tokens:
        if tok in _UNITS:
            current += _UNITS.index(tok)
        elif tok in _TENS:
            current += 10 * (_TENS.index(tok) + 2)
        elif tok == "hundred":
            current = max(current, 1) * 100
        else:
            return None
    return total + current


def _as_int(num: str) -> int | None:
    if num[0].isdigit():
        return int(num.replace(",", ""))
    return words_to_int(num)


def n_patients(title: str, sentences: list[str]) -> int | None:
    """Patients enrolled or analysed, as stated; not those screened or reviewed, nor subgroups.

    Each "N patients" (digits or words) is scored by its clause: "a total of",
    "were enrolled/included/analysed", "study of" are strong; "treated",
    "underwent", "received" are weaker; "reviewed", "screened", "subgroup of",
    "matched with" or a following "(53.7%)" rule it out. The best score wins,
    the earliest on ties.
    """
    best: tuple[float, int, int] | None = None  # (-score, order, n)
    order = 0
    for sentence in [title] + sentences:
        low = sentence.lower()  # cheap substring tests before the regexes
        found = [(m, True) for m in _CANDIDATE.finditer(sentence)] if _holds_any(_NOUNS, low) else []
        if _holds_any(_ENROLLED_WORDS, low):
            found += [(m, False) for m in _ENROLLED_VERB.finditer(sentence)]
        if "=" in low:
            found += [(m, False) for m in _N_EQUALS.finditer(sentence)]
        for m, with_noun in sorted(found, key=lambda x: x[0].start()):
            order += 1
            num = m.group("num")
            if not num or not num.strip():
                continue
            n = _as_int(num.strip())
            if n is None or n == 0 or (with_noun and _MID_BLOCK.search(m.group("mid"))):
                continue
            before, after = sentence[:m.start()], sentence[m.end():]
            if not with_noun and _NOT_A_COUNT_BEFORE.search(before[-12:]):
                continue
            if _NEG_BEFORE.search(before[-40:]) or _NEG_AFTER.search(after[:120]) or \
                    re.match(r"\s*\(\d+(?:\.\d+)?\s?%", after):
                continue
            if _RANDOMISED_BEFORE.search(before[-40:]) or _RANDOMISED_AFTER.search(after) or \
                    "randomi" in m.group().lower():
                score = 4.0
            elif _WEAK_AFTER.search(after):
                score = 1.5  # "were identified": perhaps before exclusions
            elif not with_noun or _STRONG_BEFORE.search(before[-40:]) or _STRONG_AFTER.search(after):
                score = 3.0
            elif _MEDIUM.search(after[:60]) or _MEDIUM.search(before[-40:]) or re.search(r"(?i)\b(?:in|for)\s*$", before):
                score = 2.0
            else:
                score = 1.0
            key = (-score, order, n)
            if best is None or key < best:
                best = key
    return best[2] if best else None


# ------------------------------------------------------------------ therapies

_STUDY_CUE = CuedTest(r"(?i)\b(?:this|we|our|patients?|participants|group|arm|cohort|received|receiving|"
                      r"underwent|treated|enrolled|included|combined|combination|plus)\b")
_STANDARD = CuedTest(r"(?i)\bstandard\b", ("standard",))


_SURGERY_AS_OUTCOME = re.compile(r"(?i)\bdown-?stag\w*|\bconver(?:sion|ted)\s+(?:to|therapy|surgery|resection)"
                                 r"|\bsalvage\s+(?:surgery|resection|hepatectomy|transplant\w*)|\bbridg\w*\s+to\b"
                                 r"|\bwent\s+on\s+to\b|\bsubsequent(?:ly)?\s+(?:underwent\s+)?(?:surgery|resection|hepatectomy|transplant\w*)")


def study_therapies(title: str, sentences: list[str], primary: bool) -> tuple[list[str], list[str]]:
    """Therapies the study itself used: the title's, plus those in abstract sentences about
    this study's patients (not sentences about earlier, others' or standard treatments).
    For a non-primary document only the title counts."""
    t_local, t_sys = find_therapies(title)
    local = {l: (0, o) for o, l in t_local}
    systemic = {l: (0, o) for o, l in t_sys}
    if primary or not (t_local or t_sys):
        pool = sentences if primary else []
        for k, s in enumerate(pool, start=1):
            if _OTHERS_WORK(s) or not _STUDY_CUE(s) or _STANDARD(s):
                continue
            s_local, s_sys = find_therapies(s)
            for o, l in s_local:
                if l == "surgery" and _SURGERY_AS_OUTCOME.search(s):
                    continue  # "downstaged enough to undergo curative resection": an outcome, not the study's treatment
                local.setdefault(l, (k, o))
            for o, l in s_sys:
                systemic.setdefault(l, (k, o))
    return sorted(local, key=local.get), sorted(systemic, key=systemic.get)


# ------------------------------------------------------------------ population

_AIM = CuedTest(r"(?i)\b(?:aim\w*|to (?:evaluate|explore|investigate|assess|compare|determine|examine)|"
                r"we (?:investigated|evaluated|explored|assessed|compared|report)|this study)\b",
                ("aim", "to ", "we ", "this study"))
_POP = re.compile(r"(?i)\b(?P<pop>(?:(?:[\w-]+\s+){0,2}?)patients\s+with\s+.+?)"
                  r"(?=\s+(?:in an?|in our|at|from \d|between|during|treated at|were|was|and (?:to|the)|"
                  r"followed by|to the|every)\b|[.;:]|,\s|$)")
_POP_CUES = ("patients",)
_TITLE_POP = re.compile(r"(?i)\b(?:for|in|on|among)\s+(?P<pop>(?:patients\s+with\s+)?[^:;,]+?)(?=\s*[:;,(]|\s+[-\u2013\u2014]\s|$)")
_POP_LEAD = re.compile(r"(?i)^(?:the|of|in|on|for|and|\d+)\s+")


def population(title: str, sentences: list[str]) -> str | None:
    """Who was studied, in the document's words: "patients with ..." from the aim sentence,
    else the title's "for/in ... <population>", else the enrolment sentence."""
    aims = [s for s in sentences if _AIM(s)]
    for s in aims:
        m = _search(_POP, _POP_CUES, s)
        if m:
            return _clean_pop(m.group("pop"))
    m = _TITLE_POP.search(title)
    if m and re.search(r"(?i)carcinoma|cancer|metasta|tumou?r|neoplasm|patients|oligometasta", m.group("pop")):
        return _clean_pop(m.group("pop"))
    for s in sentences:
        m = _search(_POP, _POP_CUES, re.sub(r"\s*\([^()]*\)", "", s))
        if m:
            return _clean_pop(m.group("pop"))
    return None


def _clean_pop(pop: str) -> str:
    pop = re.sub(r"\s+", " ", pop).strip(" .,;")
    pop = re.sub(r"(?i)^.*?\b\d+\s+(?=(?:[\w-]+\s+){0,2}patients\b)", "", pop)
    pop = re.sub(r"(?i)^(?:enrolled|included|analy[sz]ed|recruited|treated|studied|evaluated)\s+", "", pop)
    while _POP_LEAD.match(pop):
        pop = _POP_LEAD.sub("", pop, count=1)
    return pop


# ------------------------------------------------------------------ id

_STOPWORDS = set("""a an the of for in on and or with to at by from how do does what why when which who is are can
should will your my our their this that these those journal international annals archives american european
british chinese japanese clinical""".split())


def _fold(word: str) -> str:
    return re.sub(r"[^a-z]", "", unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().lower())


def surname(author: str) -> str:
    """Surname of "Given Surname", "Surname G" (PubMed style) or "Surname, Given"."""
    author = author.strip()
    if "," in author:
        return author.split(",")[0].strip()
    parts = author.split()
    if len(parts) > 1 and re.fullmatch(r"[A-Z]{1,3}\.?", parts[-1]):
        return " ".join(parts[:-1])
    return parts[-1] if parts else ""


def _first_significant(text: str | None) -> str:
    for word in re.findall(r"[^\W\d_]+", text or ""):
        folded = _fold(word)
        if folded and folded not in _STOPWORDS and len(folded) > 1:
            return folded
    return ""


def make_id(authors: list[str], journal: str | None, title: str | None, year: int | None,
            local: list[str], systemic: list[str]) -> str:
    """The study id by the rule in the module docstring."""
    name = _fold(surname(authors[0])) if authors else ""
    name = name or _first_significant(journal) or _first_significant(title) or "source"
    stem = f"{name}{year}" if year else f"{name}_nd"
    topic = ([LOCAL_SLUGS[local[0]]] if local else []) + (["ici"] if "ICI" in systemic else [])
    return "_".join([stem] + topic)


# ------------------------------------------------------------------ entry point

def extract_metadata(doc: Document) -> dict:
    """id, title, authors, journal, year, doi, design, n_patients, local_therapy,
    systemic_therapy, population, is_primary_study and publication_type of `doc`."""
    fields = doc.fields
    spans = list(doc.body)
    bib = bibliographic(doc)
    title = bib["title"] or ""
    body = "\n".join(doc.text[s:e] for s, e in spans)
    title_in_body = spans and _norm(doc.text[slice(*spans[0])]) == _norm(title)
    sentences = split_sentences("\n".join(doc.text[s:e] for s, e in (spans[1:] if title_in_body else spans)))
    types = list(fields.get("publication_types", []))

    kind = document_kind(doc)
    background = "\n".join(doc.text[x.start:x.end] for x in doc.sections if x.role in ("background", "introduction"))
    the_design = "other" if kind == "simulation" else None if kind else design(title, sentences, types, background)
    n = n_patients(title, sentences)
    primary = kind is None and the_design != "review" and not _nonprimary_type(types) and (
        n is not None or the_design is not None or bool(re.search(
            r"(?i)\b(?:we (?:enrolled|included|analy[sz]ed|conducted|retrospectively|prospectively)|"
            r"(?:patients|participants) were (?:enrolled|included|recruited|randomi[sz]ed)|"
            r"this (?:study|trial))\b", body)))
    local, systemic = study_therapies(title, sentences, primary)
    doi, year, authors, journal = bib["doi"], bib["year"], bib["authors"], bib["journal"]
    return {
        "id": make_id(authors, journal, title, year, local, systemic),
        "title": re.sub(r"\s+", " ", title).rstrip(".") or None,
        "authors": authors,
        "journal": journal,
        "year": year,
        "doi": doi,
        "design": the_design,
        "n_patients": n if primary else None,
        "local_therapy": local,
        "systemic_therapy": systemic,
        "population": population(title, sentences) if primary else None,
        "is_primary_study": primary,
        "publication_type": kind or the_design == "review" and "review" or (types[0] if types else None),
    }


# PubMed's author line with several names: "Lena Okafor, Tomasz Brandt, Hui Zhang et al.
# J Immunother Cancer. ." (the reader takes "Yao Liao et al. Oncol Lett. ." and bare name lists).
def _nonprimary_type(types: list[str]) -> bool:
    return any(_NONPRIMARY_TYPES.search(t) for t in types)


def _norm(s: str) -> str:
    return " ".join(s.split()).casefold()
