"""Numbers, confidence intervals and p-values as abstracts print them.

Low-level scanning shared by arm detection and endpoint extraction. Everything
keeps character offsets into the source text, so quotes can be cut exactly.
Decimal middle dots ("12·6"), Unicode dashes and thin/no-break spaces are read
as printed; nothing here rounds or converts a number.
"""
from __future__ import annotations

import re

# A decimal number as printed: "19.6", "12·6", "100". No sign, no thousands
# separators: endpoint values (months, %, ratios) never need either.
NUM = r"\d+(?:[.·]\d+)?"
# Hyphen, non-breaking hyphen, figure dash, en dash, em dash, minus sign.
DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2212"
_RANGE_SEP = rf"(?:\s*[{DASHES}~]\s*|\s+to\s+|\s*,\s*)"

CI_RE = re.compile(
    rf"(?:95\s?%\s?)?(?:CIs?\b|confidence\s+intervals?)"
    rf"(?:\s*[(\[]\s*CI\s*[)\]])?"
    rf"(?:\s*(?:[:=,]|was|of|is))?\s*"
    rf"(?P<lo>{NUM})(?:\s?%(?=\s*[{DASHES}~]|\s+to\s))?{_RANGE_SEP}(?P<hi>{NUM})(?!\s?%?\s?[{DASHES}]?\d)",
    re.IGNORECASE,
)
P_RE = re.compile(
    r"(?<![A-Za-z])[Pp](?:\s*[-\s]?\s*values?)?\s*"
    r"(?P<pcmp><\s?=|>\s?=|[<>=≤≥⩽⩾≦≧]|&lt;|&gt;|\bof\b|\bwas\b|\bis\b)\s*"
    r"(?P<pval>\d*[.·]\d+|\d+)(?![.·]?\d)"
)
_CMP = {"<=": "≤", ">=": "≥", "⩽": "≤", "⩾": "≥", "≦": "≤", "≧": "≥",
        "&lt;": "<", "&gt;": ">", "of": "=", "was": "=", "is": "="}
NUMBER_RE = re.compile(NUM)


# ------------------------------------------------------------ case folding
# Case-insensitive regexes are slow in Python's engine (every literal goes through
# case folding); a pattern written in lower case, run on lower-cased text, finds the
# same matches at the same offsets several times faster. That holds for any text
# without these four characters, whose lower case is not one character or which
# match an ASCII letter only under IGNORECASE (dotted/dotless i, long s, Kelvin).
_FOLD_UNSAFE_CHARS = "\u0130\u0131\u017f\u212a"
_FOLD_UNSAFE = re.compile(f"[{_FOLD_UNSAFE_CHARS}]")


def folded(text: str) -> str | None:
    """`text` lower-cased for a folded pattern, or None when folding could move or change a match."""
    # = _FOLD_UNSAFE.search(text), faster: an ASCII text holds none, and `in` beats the regex.
    if not text.isascii() and any(c in text for c in _FOLD_UNSAFE_CHARS):
        return None
    return text.lower()


def fold_pattern(pattern: str) -> str:
    """`pattern` (meant for IGNORECASE, with no scoped "(?-i:...)") with its literals lower-cased.

    Escapes ("\\D", "\\S") and "(?P<" are kept as written; ranges such as "A-Z"
    become "a-z", which is what they can match in lower-cased text.
    """
    if "(?-i" in pattern:
        raise ValueError("a pattern with case-sensitive parts cannot be folded")
    out, i = [], 0
    while i < len(pattern):
        if pattern[i] == "\\":
            out.append(pattern[i:i + 2])
            i += 2
        elif pattern.startswith("(?P", i):
            out.append("(?P")
            i += 3
        else:
            out.append(pattern[i].lower())
            i += 1
    return "".join(out)


class FoldedTest:
    """A case-insensitive yes/no regex test, run on lower-cased text whenever that is exact."""

    __slots__ = ("exact", "fast")

    def __init__(self, pattern: str):
        body = pattern[4:] if pattern.startswith("(?i)") else pattern
        self.exact = re.compile(body, re.IGNORECASE)
        self.fast = re.compile(fold_pattern(body))

    def __call__(self, text: str) -> bool:
        low = folded(text)
        return bool(self.exact.search(text) if low is None else self.fast.search(low))


def to_number(printed: str) -> int | float:
    """The value of a printed number: an int when printed without decimals."""
    s = printed.replace("·", ".")
    return float(s) if "." in s else int(s)


def numbers_in(text: str) -> list[int | float]:
    """Every number printed in `text`, for checking that a value is in its quote."""
    return [to_number(m.group()) for m in NUMBER_RE.finditer(text)]


def parse_ci(text: str) -> tuple[float, float] | None:
    """The first confidence interval stated in `text`, bounds as printed."""
    m = CI_RE.search(text)
    return (to_number(m["lo"]), to_number(m["hi"])) if m else None


def normalise_p(cmp: str, val: str) -> str:
    """A p-value in the schema's form: comparator then number, no space."""
    cmp = re.sub(r"\s", "", cmp)
    return _CMP.get(cmp, cmp) + val.replace("·", ".")


def parse_p(text: str) -> str | None:
    """The first p-value stated in `text` ("P<0.0001" -> "<0.0001")."""
    m = P_RE.search(text)
    return normalise_p(m["pcmp"], m["pval"]) if m else None

