"""Shared reading machinery: lines, boilerplate tables, titles, DOIs, HTML fragments."""
from __future__ import annotations

import re
from html.parser import HTMLParser

from livingreview.extract.readers.sections import is_bare_heading


class _TextExtractor(HTMLParser):
    _BLOCK = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
              "section", "blockquote", "title", "sec", "abstract"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def _is_block(self, tag: str) -> bool:
        return tag.rsplit(":", 1)[-1] in self._BLOCK

    def handle_starttag(self, tag, attrs):
        if self._is_block(tag):
            self.parts.append("\n")
        elif tag.rsplit(":", 1)[-1] == "sup":
            self.parts.append("^")

    def handle_endtag(self, tag):
        if self._is_block(tag):
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def strip_html(fragment: str) -> str:
    """Plain text of an HTML fragment: tags dropped, block tags as line breaks, entities unescaped.

    Superscripts keep a caret ("10<sup>9</sup>" -> "10^9") so two numbers never fuse.
    """
    parser = _TextExtractor()
    parser.feed(fragment)
    parser.close()
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def clean_inline(text: str) -> str:
    """`text` on one line: every run of whitespace one space, no outer whitespace."""
    return " ".join(text.split())


# ------------------------------------------------------------- line machinery



def line_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line in text[start:end], trimmed of outer whitespace."""
    end = len(text) if end is None else end
    spans = []
    pos = start  # split and strip (str.strip drops what str.isspace calls space, as `trimmed` does)
    for line in text[start:end].split("\n"):
        n = len(line)
        if n:
            rest = line.lstrip()
            if rest:
                spans.append((pos + n - len(rest), pos + len(line.rstrip())))
        pos += n + 1
    return spans


def merge_wrapped(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Join a line to the previous one when it continues a hard-wrapped sentence (single
    line break, previous line not ending in . ! ? : ;). The first span (the title) stays alone."""
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if len(merged) > 1 and _wrapped(text, merged[-1][1], s):
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def _wrapped(text: str, a: int, b: int) -> bool:
    gap = text[a:b]
    return gap.count("\n") == 1 and not gap.strip() and text[a - 1] not in ".!?:;"


def norm(s: str) -> str:
    return " ".join(s.split()).casefold()  # = re.sub(r"\s+", " ", s).strip(), faster


def dedupe(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Drop body lines that repeat an earlier one, and "..." teasers of a longer kept line."""
    lines = [(s, e) for span in spans for (s, e) in line_spans(text, *span)]
    seen: set[str] = set()
    kept = []
    whole = []  # the kept lines' keys, each normalised once
    for s, e in lines:
        key = norm(text[s:e])
        if key in seen:
            continue
        seen.add(key)
        kept.append((s, e))
        whole.append(key)
    result = []
    for (s, e), key in zip(kept, whole):
        # = re.sub(r"(?:\.\.\.|\u2026)$", "", key).strip(): keys hold no newline
        stem = (key[:-3] if key.endswith("...") else key[:-1] if key.endswith("\u2026") else key).strip()
        if stem != key and len(stem) > 20 and any(stem in other and other != key for other in whole):
            continue
        result.append((s, e))
    return merge_wrapped(result, text)


# --------------------------------------------------------- boilerplate tables

STOP = re.compile(
    r"(?i)^(?:references|bibliography|cited by|similar articles|linkout - more resources|"
    r"pubmed disclaimer|pmc disclaimer|conflicts? of interest(?: statement)?|competing interests|"
    r"declaration of competing interest|figures?(?: and tables)?|tables|supplementary (?:information|materials?|data)|"
    r"acknowledge?ments?|funding(?: information)?|author contributions|data availability(?: statement)?|"
    r"ethics (?:approval|declarations|statement)|rights and permissions|about this article|comment in|"
    r"mesh terms|substances|grants and funding|related information|publication types|"
    r"keywords?:?.*|key words:?.*|(?:\d\.?\s*)?introduction|main text|full text links|"
    r"similar content being viewed by others|associated data|footnotes|abbreviations|"
    r"copyright(?: notice)?|related articles|further reading|sources|read more)$")
SKIP = re.compile(
    r"(?i)^(?:skip to (?:main )?(?:page )?content|u\.s\. flag|an official website of the united states government|"
    r"dot gov|the \.gov means it.s official\..*|federal government websites often end in.*|https|"
    r"the site is secure\.|the https:// ensures.*|access keys .*|affiliations?|author information|"
    r"expand|collapse|show (?:more|less|all).*|full text links|cite(?: this article)?|share|save|email|send to|"
    r"display options|actions|collections|page navigation|permalink|copy|download pdf|download citation|"
    r"pdf|epub|print|article metrics|metrics|open access|original (?:research|article)|research article|"
    r"check for updates|menu|search|log ?in|sign ?in|register|subscribe|home|journals?|"
    r"abstract|summary|free (?:pmc )?article|review|item in clipboard|pmid:.*|pmcid:.*|doi:.*|"
    r"(?:published|received|accepted|revised|published online|first published|issue date)\s*:?\s*"
    r"(?:on\s+)?(?:\d{1,2}\s+)?(?:[a-z]+\.?\s+)?(?:\d{1,2},?\s+)?(?:19|20)\d{2}\b.*|"
    r"citation:.*|correspondence:?.*|\*?corresponding author.*|©.*|copyright ©.*|"
    r"this (?:question|page|article|content) (?:is|was) (?:drawn|provided|intended|written|for).*|"
    r"we do not provide individuali[sz]ed advice\.?|advertisement|related stories|"
    # Page metrics, one or several to a line: "3,091 Views 22 Citations", "Views: 310 | Downloads: 52".
    r"(?:[\d,.]+[k]?\s+(?:views|citations|downloads|accesses|reads|mentions|shares|altmetric)\b\s*[|\u00b7\u2022,;]?\s*)+|"
    r"(?:(?:views|citations|downloads|accesses|citation count|times cited)\s*[:|]?\s*[\d,]+\s*[|\u00b7\u2022,;]?\s*)+|"
    r"(?:journal\s+)?impact\s+factor\s*[:|]?\s*\d.*|citescore\s*[:|]?\s*\d.*|"
    # Figure and table captions: "Figure 2. Kaplan-Meier ...", "Fig. 3 | ...", "Table 1: ...".
    r"(?:supplementary\s+)?(?:fig(?:ure)?s?\.?|table)\s*S?\d+[a-z]?\s*(?:[.:|\u2013\u2014-]\s.*)?|"
    r"here.s how you know|official websites use \.gov.*|secure \.gov websites use https.*|"
    r"search pmc full-text archive|as a library, nlm provides access.*|learn more:.*|"
    r"article notes|copyright and license information|share this article|by [A-Z][^.]{0,60}|"
    r"引用次数\s*[:：]\s*\d+)$")
# Two more kinds of skipped line, kept apart from SKIP because they scan the whole line: each is
# tried only on a line holding its literal (";" for a citation line, "al." for an "et al." one).
SKIP_CITATION = re.compile(r"(?i)^(?:[^.;]{0,80}\.?\s*(?:19|20)\d{2}\b[^;]{0,30};.*)$")
SKIP_ET_AL = re.compile(r"(?i)^(?:.*\bet\s+al\.\s+.*\.\s*\.?\s*)$")
NAV_PIPES = re.compile(r"^(?:[^|]{1,30}\|){2,}[^|]{0,30}$")
ABSTRACT_HEAD = re.compile(r"(?i)^(?:abstract|summary|structured abstract)\s*[:.]?$")


def is_skip(line: str) -> bool:
    """Whether a line is page furniture left out of a body (SKIP, its two line-scanning kinds,
    navigation pipes)."""
    return bool(SKIP.match(line) or (";" in line and SKIP_CITATION.match(line))
                or ("al." in line.lower() and SKIP_ET_AL.match(line)) or NAV_PIPES.match(line))


# Lines that are never a title: site banners ("ASCO Meeting Library | Journal of ..."),
# breadcrumbs ("Home > News", "Journals » Volume 10"), "·"-separated facts, column-set
# navigation ("Login / Register    Submit"), domain names, citation lines ("JAMA Oncol.
# 2018;4(5):661-669"), licence and copyright lines, article-type labels, section labels
# opening a paragraph ("Introduction: This study ...").
_NOT_TITLE_CHARS = re.compile(r"\s[|>\u203a\u00bb\u00b7]\s|\S\s{3,}\S")
_NOT_TITLE_DOMAIN = re.compile(r"(?<![\w-])[\w-]+\.(?:gov|org|com|net|edu|io)\b", re.I)
_NOT_TITLE_CITATION = re.compile(r"\b(?:19|20)\d{2}(?:\s+[A-Za-z]{3}(?:\s+\d{1,2})?)?\s*;\s*\d+")
_NOT_TITLE_WORDS = re.compile(
    r"(?i)\bdoi\s*:|\bpublished online\b|creative commons|\blicen[cs]ed? under\b|all rights reserved|"
    r"^\s*(?:©|\(c\)|copyright\b)|"
    r"^(?:open access|original (?:research|article)|research (?:article|paper)|full[- ]text article|"
    r"review article|meeting abstract|press release|news release)\b|"
    r"^(?:introduction|background|objectives?|purpose|aims?|methods|results|conclusions?|summary)\s*:")
_NAV_WORDS = re.compile(r"(?i)\b(?:log ?in|sign ?in|register|subscribe|submit|my account|account|search|menu)\b")
_NAV_CUES = ("log", "sign", "regist", "subscri", "submit", "account", "search", "menu")


def boilerplate_line(line: str) -> bool:
    """True for a line that is page furniture, never a title: site banners ("ASCO Meeting
    Library | Journal of ..."), breadcrumbs ("Home > News", "Journals » Volume 10"),
    "·"-separated facts, column-set navigation ("Login / Register    Submit"), domain names,
    citation lines ("JAMA Oncol. 2018;4(5):661-669"), licence and copyright lines, article-type
    labels, section labels opening a paragraph ("Introduction: This study ...")."""
    if _NOT_TITLE_CHARS.search(line) or _NOT_TITLE_WORDS.search(line):
        return True
    if "." in line and _NOT_TITLE_DOMAIN.search(line):
        return True
    if ";" in line and _NOT_TITLE_CITATION.search(line):
        return True
    low = line.lower()
    return sum(1 for cue in _NAV_CUES if cue in low) >= 2 and len(_NAV_WORDS.findall(line)) >= 2


_NOT_TITLE_START = re.compile(r"(?i)^(?:department|division|school|faculty|institute|\d+\s*[A-Z]|https?:|www\.)")
_AFFILIATIONS = re.compile(r"(?i)^(?:affiliations?|author information)$")


def title_candidate(line: str) -> bool:
    words = line.split()
    if not 4 <= len(words) <= 60 or is_skip(line) or STOP.match(line) or boilerplate_line(line):
        return False
    if _NOT_TITLE_START.match(line):
        return False
    if author_line(line):
        return False
    return line.count(",") < max(3, len(words) // 4)


def plain_body_from(text: str, start: int, title_done: bool = False) -> list[tuple[int, int]]:
    """Body of a page read as lines: title, then the abstract (or all prose) up to a stop heading."""
    lines = line_spans(text, start)
    body: list[tuple[int, int]] = []
    toc = _contents_lines(text, lines)
    i = 0
    if not title_done:
        title_idx = find_title(text, lines)
        first_head = next((k for k in range(len(lines)) if k not in toc
                           and ABSTRACT_HEAD.match(text[slice(*lines[k])])), None)
        if first_head is not None and (title_idx is None or title_idx > first_head):
            title_idx = None  # no title before the abstract: the body is the abstract alone
            i = first_head
        elif title_idx is None:
            return []
        else:
            body.append(lines[title_idx])
            i = title_idx + 1
    heads = [k for k in range(i, len(lines)) if k not in toc and ABSTRACT_HEAD.match(text[slice(*lines[k])])]
    if heads and not any(STOP.match(text[slice(*lines[k])]) for k in range(i, heads[0]) if k not in toc):
        i = heads[0] + 1
    for s, e in lines[i:]:
        line = text[s:e]
        if STOP.match(line):
            break
        if not is_skip(line):
            body.append((s, e))
    return body


def _contents_lines(text: str, lines: list[tuple[int, int]]) -> set[int]:
    """Indices of lines in a table of contents: runs of three or more bare heading lines
    ("Abstract", "Introduction", "Materials and Methods", ...), but its last one."""
    out: set[int] = set()
    run: list[int] = []
    for k, span in enumerate(lines + [(0, 0)]):
        if k < len(lines) and is_bare_heading(text[slice(*span)]):
            run.append(k)
            continue
        if len(run) >= 3:
            out.update(run[:-1])  # the run's last heading heads the text that follows
        run = []
    return out


def _title_above(text: str, lines: list[tuple[int, int]], k: int, most_authors: int):
    """The title line just above line `k`, past at most `most_authors` author lines, or None."""
    back = k - 1
    while back >= 0 and k - 1 - back < most_authors and author_line(text[slice(*lines[back])]):
        back -= 1
    if back >= 0 and title_candidate(text[slice(*lines[back])]):
        return _main_title(text, lines, back)
    return None


def find_title(text: str, lines: list[tuple[int, int]]):
    """The title line: the one before "Affiliations" if there is one, else the first title-like line."""
    # Above "Affiliations" any number of author lines; on a publisher page the title stands just
    # before the "Abstract" heading with at most one author line between (the first title-like
    # line may be the journal's name).
    for marker, most_authors in ((_AFFILIATIONS, len(lines)), (ABSTRACT_HEAD, 1)):
        for k, (s, e) in enumerate(lines):
            if marker.match(text[s:e]):
                found = _title_above(text, lines, k, most_authors)
                if found is not None:
                    return found
                break
    for k, (s, e) in enumerate(lines):
        if title_candidate(text[s:e]):
            return k
    return None


def _main_title(text: str, lines: list[tuple[int, int]], k: int) -> int:
    """`k`, or the line before it when line `k` is a short subtitle ("A Randomized Clinical
    Trial") printed under a longer title line."""
    if k > 0 and len(text[slice(*lines[k])].split()) <= 6:
        prev = text[slice(*lines[k - 1])]
        if title_candidate(prev) and len(prev.split()) > 6 and not prev.rstrip().endswith((".", ":")):
            return k - 1
    return k


# ------------------------------------------------------------ format readers

_DOI = re.compile(r"\b10\.\d{4,9}/[^\s\"'<>|\]\[]+", re.IGNORECASE)
_DOI_SUFFIX = re.compile(r"(?i)(?:[.,;:)}]+|/full(?:text)?|/abstract|/pdf|\.pdf|/epdf|/html?|\.html?|/meta|/full\.md)$")


def find_doi(text: str):
    """The first DOI in `text`, bare and lower case, with URL tails ("/full", ".pdf") and
    trailing punctuation removed; None if there is none."""
    at = text.find("10.")  # every DOI starts with "10.": search from the first one (\b still sees the character before)
    m = _DOI.search(text, at) if at >= 0 else None
    if not m:
        return None
    doi = m.group(0)
    while True:
        trimmed = _DOI_SUFFIX.sub("", doi)
        if trimmed == doi:
            break
        doi = trimmed
    # A publisher URL may run on past the DOI into an article number and a title slug
    # (".../doi/10.1159/000541685/914338/Long-term-outcome-of-a"): cut the slug and numbers.
    parts = doi.split("/")
    if len(parts) > 2 and _SLUG.fullmatch(parts[-1]):
        parts.pop()
        while len(parts) > 2 and parts[-1].isdigit():
            parts.pop()
        doi = "/".join(parts)
    return doi.lower() if re.match(r"10\.\d{4,9}/\S+$", doi) else None


_SLUG = re.compile(r"(?=[^-]*[A-Za-z])[\w%]+(?:-[\w%]+){3,}")



def author_line(line: str):
    """"Yao Liao et al. Oncol Lett. ." or "Yao Liao 1, Xiao Li 2" -> authors (and journal);
    also lines with affiliation markers ("Han Li,1,* Ke Su,1,*", "Sang Min Yoon,1 ... and
    Young-Suk Lim4") and "Authors Li H, Su K" (parse_author_line)."""
    m = re.match(r"^(?P<first>[^\d.,;]{3,60}?)\s+et\s+al\.\s*(?P<journal>[A-Z][^.]{1,80})?\.?", line)
    if m:
        out = {"authors": [m.group("first").strip()]}
        if m.group("journal") and m.group("journal").strip():
            out["journal"] = m.group("journal").strip()
        return out
    names = [re.sub(r"[\d*†\s]+$", "", a).strip()
             for a in re.split(r",\s*|\s+&\s+|\s+and\s+", line.rstrip("."))]
    names = [n for n in names if n]
    name = r"(?:[A-Z][\w'\u00c0-\u024f-]*\.?\s?){2,4}|[A-Z][\w'\u00c0-\u024f-]+,?\s[A-Z]{1,3}"
    if len(names) >= 2 and all(re.fullmatch(name, n) and len(n.split()) <= 4 for n in names):
        return {"authors": names}
    names = parse_author_line(line)
    return {"authors": names} if names else None


# Affiliation and note markers printed after (or before) a name: digits, letters in
# superscript, asterisks, daggers; and superscript digits.
_MARKERS = re.compile(r"[\u00b9\u00b2\u00b3\u2070-\u2079*\u2020\u2021\u00a7\u00b6#]+|(?<=[^\W\d])\d+(?:,\d+)*|^\d+(?:,\d+)*\s*|\s\d+(?:,\d+)*$")
_NAME_TOKEN = r"[A-Z\u00c0-\u00de][\w'\u00c0-\u024f.-]*"
# "Given Surname", "G. H. Surname", "Surname AB", "Surname, Given", "van der Berg J".
_ONE_NAME = re.compile(
    rf"(?:{_NAME_TOKEN}\s+){{0,3}}(?:(?:van|von|de|der|den|del|della|di|da|du|le|la|dos|das|bin|al|el|ten|ter)\s+){{0,2}}{_NAME_TOKEN}"
    rf"(?:,?\s+(?:[A-Z]{{1,3}}|[A-Z]\.(?:\s?[A-Z]\.)*|Jr\.?|Sr\.?|II|III))?")
_NOT_NAME = re.compile(r"(?i)\b(?:department|university|hospital|institute|center|centre|school|college|"
                       r"faculty|clinic|laboratory|division|unit|china|usa|japan|korea|germany|italy|france|"
                       r"abstract|background|methods|results|introduction|journal|trial|study|patients|"
                       r"cancer|carcinoma|therapy|published|received|accepted|copyright|licen[cs]e|"
                       r"views|citations|download|press|news|reporter|staff|editor)\b")


def parse_author_line(line: str) -> list[str] | None:
    """The names on an author line, as printed minus markers, or None if it is not one.

    Takes "Han Li,1,* Ke Su,1,*", "Yoon SM, Ryoo BY, Lee SJ.", "A. Smith; B. Jones",
    "Sang Min Yoon,1 Baek-Yeol Ryoo,2 and Young-Suk Lim4", "Authors Li H, Su K", with or
    without a closing "et al."; at least two names, each of one to five words.
    """
    if "," not in line and ";" not in line and " and " not in line and " & " not in line:
        return None
    if len(line.split()) > 6 * (line.count(",") + line.count(";") + 2):
        return None  # prose, not a list of names of one to five words
    line = re.sub(r"^(?:authors?|by)\s*:?\s+", "", line.strip(), flags=re.I)
    line = re.sub(r",?\s*\bet\s+al\.?\s*$", "", line).strip().rstrip(".;")
    if not line or len(line) > 2000 or _NOT_NAME.search(line):
        return None
    sep = ";" if line.count(";") >= 1 else ","
    pieces = re.split(rf"\s*{sep}\s*|\s+(?:and|&)\s+", line)
    names = []
    for piece in pieces:
        piece = _MARKERS.sub("", piece).strip(" ,.;")
        piece = re.sub(r"^(?:and|&)\s+", "", piece)
        if not piece:
            continue  # a marker-only piece ("1", "*")
        if not _ONE_NAME.fullmatch(piece) or len(piece.split()) > 5:
            return None
        names.append(piece)
    return names if len(names) >= 2 else None
