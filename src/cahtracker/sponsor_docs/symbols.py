"""UN document symbols: find them in text, and what a symbol says (body, revised text)."""

from __future__ import annotations

import re

# A/C.3/78/L.41, A/C.3/78/L.49/Rev.1, A/78/481/Add.3, S/2019/179, A/RES/78/220
SYMBOL = r"(?:A|S|E)/(?:[A-Z][A-Za-z.]*\d*/)*\d+(?:/(?:[A-Z][A-Za-z]*\.?\d*|\d+))*"
SYMBOL_RE = re.compile(rf"(?<![\w/])({SYMBOL})(?![\w/])")
SYMBOL_LINE = re.compile(rf"^[ \t]*({SYMBOL})[ \t]*$", re.MULTILINE)
_REVISION = re.compile(r"^(?P<base>.+?)/Rev\.(?P<n>\d+)$")
_COMMITTEE = re.compile(r"^A/C\.(\d)/")
_ORDINALS = {1: "First", 2: "Second", 3: "Third", 4: "Fourth", 5: "Fifth", 6: "Sixth"}

KIND_WORDS = (  # printed kind -> cahtracker.documents.KINDS
    ("amendment", "amendment"),
    ("draft decision", "draft decision"),
    ("draft resolution", "draft resolution"),
)


def body_of(symbol: str) -> str | None:
    """The body a symbol belongs to: A/C.3/... the Third Committee, S/... the Security
    Council, A/RES/... and A/... the General Assembly."""
    if match := _COMMITTEE.match(symbol):
        return f"{_ORDINALS.get(int(match.group(1)), match.group(1))} Committee"
    if symbol.startswith("S/"):
        return "Security Council"
    if symbol.startswith("A/HRC/"):
        return "Human Rights Council"
    if symbol.startswith("A/"):
        return "General Assembly"
    if symbol.startswith("E/"):
        return "Economic and Social Council"
    return None


def revised_symbol(symbol: str) -> str | None:
    """The text a revision revises: L.49/Rev.1 revises L.49, L.49/Rev.2 revises L.49/Rev.1."""
    match = _REVISION.match(symbol)
    if not match:
        return None
    n = int(match.group("n"))
    return match.group("base") if n <= 1 else f"{match.group('base')}/Rev.{n - 1}"


def kind_of(text: str) -> str:
    """The kind (documents.KINDS) a printed description names: 'revised draft resolution /'
    is a draft resolution, 'amendment to draft resolution A/C.3/78/L.51 /' an amendment,
    anything else ('note /', 'statement /') other."""
    folded = " ".join(text.casefold().split())
    for words, kind in KIND_WORDS:
        if words in folded:
            return kind
    return "other"


def amended_symbol(text: str) -> str | None:
    """The draft an 'amendment to draft resolution SYMBOL' amends."""
    if "amendment" not in text.casefold():
        return None
    match = SYMBOL_RE.search(text)
    return match.group(1) if match else None
