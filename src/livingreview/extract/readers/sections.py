"""Sections: headings found in a decoded text, each given a role (document.SECTION_ROLES).

Headings are recognised as printed: a line that is only a heading ("Results", "RESULTS:",
"2. Methods", "## Discussion"), a label opening a line ("Results: ..."), the corpus style
"ABSTRACT.RESULTS." / "BODY.DISCUSSION:", or an ALL-CAPS label after a sentence inside a
paragraph ("... at 12 months. CONCLUSIONS: ..."). A second "Background" or "Introduction" met
after the abstract's results or conclusions starts the full text: its role is "introduction".
`Rendering` builds the text of a structured format (JSON, XML, HTML, MEDLINE, RIS) part by part,
recording the body ranges and sections as it goes so that spans always index the text it makes.
"""
from __future__ import annotations

import re

from livingreview.extract.document import Section

# Heading words -> role. Matched against the heading lower-cased, stripped of numbering and colons.
_ROLE_NAMES = (
    ("abstract", r"abstract|summary|structured abstract|key points|highlights|research in context"),
    ("background", r"background|context|rationale|objectives?|purpose|aims?(?: of the study)?|"
                   r"importance|question|introduction and (?:aims|objectives)|background and (?:aims?|objectives?|purpose)|"
                   r"background/aims?|objective and methods?"),
    ("introduction", r"introduction"),
    ("methods", r"methods?|materials? and methods?|methods? and materials?|patients and methods|"
                r"subjects and methods|participants and methods|methods and analysis|methods and design|"
                r"study design|design|design, setting,? and participants|setting|participants|patients|"
                r"interventions?|main outcomes? and measures?|outcome measures|statistical analysis|"
                r"statistics|experimental design|research design and methods|procedures?|"
                r"study population|eligibility criteria|treatment|data sources|measurements?"),
    ("results", r"results?|findings|outcomes|results and discussion|main results|key findings|"
                r"efficacy|safety|results and conclusions?"),
    ("conclusions", r"conclusions?|interpretation|conclusions? and relevance|meaning|implications|"
                    r"conclusions? and implications|significance|tl;dr|what this study adds|"
                    r"clinical relevance|why it matters|take-home message"),
    ("discussion", r"discussion|comments?|limitations|(?:study )?limitations(?: of (?:the|this) study)?|"
                   r"(?:strengths and (?:limitations|weaknesses)|limitations and strengths)(?: of (?:the|this|our) study)?"),
    ("references", r"references|bibliography|literature cited|works cited|reference list"),
    ("other", r"keywords?|key words|funding(?: sources| information)?|acknowledge?ments?|"
              r"competing interests|conflicts? of interest(?: statement)?|declaration of interests|"
              r"disclosures?|author contributions|data availability(?: statement)?|"
              r"ethics(?: statement| approval)?|statement of ethics|abbreviations|trial registration|"
              r"registration|supplementary (?:material|materials|information|data)|"
              r"electronic supplementary material|supporting information|footnotes|notes|"
              r"figures?(?: and tables)?|tables?|authors?|affiliations?|copyright|licen[cs]e|"
              r"consent for publication|availability of data and materials|pre-?publication history|"
              r"clinical trial registration|level of evidence"),
)
_ROLE_RE = [(role, re.compile(rf"(?:{names})")) for role, names in _ROLE_NAMES]
_HEADING_WORDS = "|".join(names for _, names in _ROLE_NAMES)

# "ABSTRACT.RESULTS." / "BODY.METHODS:" / "ABSTRACT.SUMMARY.FINDINGS." (one corpus's layout).
_DOTTED = re.compile(r"(?m)^(?P<scope>ABSTRACT|BODY|TITLE)(?:\.(?P<h>[A-Z][A-Za-z0-9 ,&/()'-]*(?:\.[A-Z][A-Za-z0-9 ,&/()'-]*)*))?[.:]*[ \t]*$")
# A heading alone on its line: optional numbering, a known heading, optional colon.
_ALONE = re.compile(rf"(?im)^[ \t]*(?:#{{1,6}}[ \t]+)?(?:(?:\d{{1,2}}|[IVX]{{1,4}})(?:\.\d{{1,2}})*\.?[ \t]+)?"
                    rf"(?P<h>(?:{_HEADING_WORDS}))[ \t]*[:.]?[ \t]*$")
# A label opening a line: "Results: ...", "RESULTS - ...".
_LEADING = re.compile(rf"(?im)^[ \t]*(?P<h>(?:{_HEADING_WORDS}))[ \t]*(?::|\s[-\u2013\u2014][ \t])[ \t]*(?=\S)")
# An ALL-CAPS label after a sentence, inside a paragraph: "... months. CONCLUSIONS: ...".
_INLINE = re.compile(r"(?<=[.!?)\]][ ])(?P<h>[A-Z][A-Z &/,-]{2,48}[A-Z])[ \t]*:[ \t]+(?=\S)")

_INTRO_LIKE = ("background", "introduction")


def is_bare_heading(line: str) -> bool:
    """True for a line that is only a known heading ("Results", "2. Methods", "ABSTRACT")."""
    return bool(_ALONE.match(line))


def section_role(heading: str, full_text: bool = False) -> str | None:
    """The role of a heading as printed, or None if it is not a known heading."""
    h = re.sub(r"^(?:#+\s*)?(?:(?:\d{1,2}|[IVX]{1,4})(?:\.\d{1,2})*\.?\s+)?", "", heading.strip())
    h = " ".join(h.strip(" :.\t").lower().split())
    if not h:
        return None
    for role, rx in _ROLE_RE:
        if rx.fullmatch(h):
            if full_text and role == "background":
                return "introduction"
            return role
    if full_text and h.endswith(" and methods") or h.endswith(" methods"):
        return "methods"
    return None


# A full-text heading part naming analyses other than the main population's comparison.
_NOT_OWN_PART = re.compile(r"(?i)\bsub-?groups?\b|\bprognostic\b|\bpredictive\b|\bcorrelations?\b|\bassociat\w*"
                           r"|\bbiomarkers?\b|\bexploratory\b|\bsensitivity\s+analys|\bper[-\s]?protocol\b|\bpost[-\s]?hoc\b")


def _dotted_role(scope: str, heading: str | None) -> tuple[str | None, bool]:
    if scope == "TITLE":
        return "title", False
    if not heading:
        # a bare "BODY:" opens the full text's unheaded first part, its introduction
        return ("abstract", False) if scope == "ABSTRACT" else ("opening", True)
    parts = heading.split(".")
    role = section_role(parts[-1], full_text=scope == "BODY")
    if scope == "BODY" and any(_NOT_OWN_PART.search(p) for p in parts):
        return "other", True  # "BODY.RESULTS.SUBGROUP ANALYSES": not the main population's results
    if scope == "BODY" and len(parts) > 1 and role not in NOT_BODY:
        # the top-level part decides: "BODY.METHODS.OUTCOMES" is methods, "BODY.RESULTS.PATIENTS" results
        role = section_role(parts[0], full_text=True) or role
    if role is None:
        role = "inherit" if scope == "BODY" else "abstract"
    return role, scope == "BODY"


_LINE = re.compile(r"[^\n]+")
_INLINE_CUE = re.compile(r"[A-Z]{3}[A-Z &/,-]*[ \t]*:")


def find_headings(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, str, str]]:
    """(offset, heading as printed, role) of every heading in text[start:end], in order.
    Read line by line, each pattern tried only on lines that can hold it (speed)."""
    end = len(text) if end is None else end
    found: dict[int, tuple[int, str, str]] = {}
    for line_m in _LINE.finditer(text, start, end):
        line, at = line_m.group(), line_m.start()
        head = line.lstrip()[:8]
        if head.startswith(("ABSTRACT", "BODY", "TITLE")):
            m = _DOTTED.match(line)
            if m:
                role, _ = _dotted_role(m.group("scope"), m.group("h"))
                if role:
                    found[at] = (at, m.group(0).strip(), role)
                continue
        m = _ALONE.match(line) if len(line) <= 90 else None
        if m is None and (":" in line[:70] or " - " in line[:70] or "\u2013" in line[:70] or "\u2014" in line[:70]):
            m = _LEADING.match(line)
        if m is not None:
            role = section_role(m.group("h"))
            if role is not None:
                if role == "introduction" and m.re is _LEADING:
                    role = "background"  # "Introduction: ..." labels an abstract's opening part
                found[at] = (at + m.start("h"), m.group("h"), role)
        if len(line) > 40 and _INLINE_CUE.search(line):
            for m in _INLINE.finditer(line):
                role = section_role(m.group("h"))
                pos = at + m.start("h")
                if role is not None and pos not in found and not (m.start("h") == 0 and at in found):
                    found[pos] = (pos, m.group("h"), "background" if role == "introduction" else role)
    heads = sorted(found.values())
    # A second round of background/introduction after results or conclusions: the full text.
    out, seen_results = [], False
    for k, (pos, heading, role) in enumerate(heads):
        if role == "opening":  # the introduction when headed parts follow, else no heading at all
            if k + 1 == len(heads):
                continue
            role = "introduction"
        if role == "inherit":  # an unknown sub-heading of the full text: its parent's role
            role = out[-1][2] if out and out[-1][2] in ("methods", "results") else "other"
        if role in _INTRO_LIKE and seen_results:
            role = "introduction"
        if role in ("results", "conclusions"):
            seen_results = True
        out.append((pos, heading, role))
    return out


def find_sections(text: str, body: tuple | list) -> tuple[Section, ...]:
    """Sections over the stretch of `text` from the body's start to the text's end: the title
    (the first body range) and one section per heading, each running to the next heading."""
    if not body:
        return ()
    title_s, title_e = body[0]
    opening = find_headings(text, title_s, title_e)
    if opening and opening[0][0] == title_s:  # the body opens with a heading: no title
        sections, title_e = [], title_s
    else:
        sections = [Section(text[title_s:title_e], "title", title_s, title_e)]
    heads = [h for h in find_headings(text, title_e) if h[0] >= title_e]
    for k, (pos, heading, role) in enumerate(heads):
        stop = heads[k + 1][0] if k + 1 < len(heads) else len(text)
        while stop > 0 and text[stop - 1].isspace():  # = len(text[:stop].rstrip()), without the copy
            stop -= 1
        if stop > pos:
            sections.append(Section(heading, role, pos, stop))
    return tuple(sections)


#: Roles whose text is never the study's own results: dropped from the body.
NOT_BODY = ("introduction", "discussion", "references", "other")


def drop_from_body(body, sections) -> list[tuple[int, int]]:
    """Body ranges minus those lying wholly inside a section that is not the study's own words."""
    out = []
    skip = [(s.start, s.end) for s in sections if s.role in NOT_BODY]
    for s, e in body:
        if any(a <= s and e <= b for a, b in skip):
            continue
        out.append((s, e))
    return out if out else list(body[:1])


class Rendering:
    """A text assembled from parts, recording body ranges and sections at the offsets it makes."""

    def __init__(self):
        self._parts: list[str] = []
        self._len = 0
        self.body: list[tuple[int, int]] = []
        self.sections: list[Section] = []

    def _add(self, s: str) -> tuple[int, int]:
        start = self._len
        self._parts.append(s)
        self._len += len(s)
        return start, self._len

    def _gap(self, blank: bool) -> None:
        if self._len:
            self._add("\n\n" if blank else "\n")

    def title(self, title: str) -> None:
        """The title: first line, body, section "title"."""
        if title:
            self._gap(True)
            s, e = self._add(title)
            self.body.append((s, e))
            self.sections.append(Section(title, "title", s, e))

    def block(self, heading: str | None, paragraphs, role: str | None = None, body: bool = True) -> None:
        """A blank line, the heading on its own line (not body), then one line per paragraph."""
        paragraphs = [p for p in paragraphs if p]
        if not heading and not paragraphs:
            return
        self._gap(True)
        start = self._len
        if heading:
            self._add(heading)
        for p in paragraphs:
            if self._len > start:
                self._add("\n")
            s, e = self._add(p)
            if body:
                self.body.append((s, e))
        if heading or role:
            self.sections.append(Section(heading or "", role or section_role(heading or "") or "other",
                                         start, self._len))

    def line(self, text: str, body: bool = False) -> None:
        """One line of its own (front matter such as a dateline), body or not."""
        if text:
            self._gap(False)
            s, e = self._add(text)
            if body:
                self.body.append((s, e))

    def text(self) -> str:
        return "".join(self._parts)


_LABEL_AT = re.compile(r"[.!?)\]][ \t]+(?P<label>[A-Za-z][A-Za-z &/,-]{1,48}?)[ \t]*:[ \t]+(?=\S)")


def split_labels(paragraph: str) -> list[str]:
    """A one-paragraph structured abstract cut before each label ("... P = .03. CONCLUSIONS: ..."):
    an ALL-CAPS label, or a known heading in any case ("Results:")."""
    cuts = []
    for m in _LABEL_AT.finditer(paragraph):
        label = m.group("label")
        if (label.isupper() and len(label) >= 4) or section_role(label) is not None:
            cuts.append(m.start("label"))
    if not cuts:
        return [paragraph.strip()] if paragraph.strip() else []
    bounds = [0] + cuts + [len(paragraph)]
    return [p for p in (paragraph[a:b].strip() for a, b in zip(bounds, bounds[1:])) if p]


def render_title_abstract(title: str, paragraphs: list[str]) -> tuple[str, list, tuple]:
    """(text, body, sections) of a title and abstract paragraphs: the title, a blank line, one
    line per paragraph. Used by the tagged exports (MEDLINE, RIS), whose abstract is one field."""
    r = Rendering()
    r.title(title)
    r.block(None, paragraphs)
    text = r.text()
    sections = find_sections(text, r.body) if r.body else ()
    return text, r.body, sections
