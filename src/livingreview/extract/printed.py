"""A record's numbers as their quotes print them ("4.60", not 4.6), never re-rounded."""
from __future__ import annotations

import re

_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def as_printed(value, quote: str | None = None) -> str:
    """The number as the source prints it: the first token of ``quote`` equal to ``value`` (keeps
    "4.60" and "75.0"), else the shortest exact decimal form of ``value``; never rounded."""
    if value is None:
        return ""
    for token in _NUMBER.findall(quote or ""):
        if float(token) == float(value):
            return token
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def format_ci(ci, quote: str | None = None) -> str:
    """A CI as "low–high" with both bounds as printed; empty when there is none."""
    if not ci:
        return ""
    return f"{as_printed(ci[0], quote)}–{as_printed(ci[1], quote)}"
