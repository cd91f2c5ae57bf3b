"""State names: resolve any spelling (UN name, vote-record name, alias, ISO2/ISO3) to an ISO3 code.

Matching ignores case, accents, apostrophe style and spacing, so `Côte d'Ivoire`,
`COTE D'IVOIRE`, `Côte d’Ivoire`, `CIV` and `Ivory Coast` are one state. Dated aliases
(`state_aliases.valid_from/valid_to`) count only when a date is given and falls in their
range; former states (`former_states`) are recognised so that importers can skip them.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from cahtracker.errors import CahError

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
_SPACES = re.compile(r"\s+")


def name_key(text: str) -> str:
    """The comparison key of a name: no accents, case-folded, one kind of apostrophe and space."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


@dataclass(frozen=True)
class StateRef:
    iso3: str
    name: str

    def label(self) -> str:
        return f"{self.name} ({self.iso3})"


@dataclass
class NameIndex:
    """All spellings of all states, loaded once per command from the database."""

    names: dict[str, str] = field(default_factory=dict)  # iso3 -> UN name
    keys: dict[str, set[str]] = field(default_factory=dict)  # key -> iso3 codes
    dated: dict[str, list[tuple[str, str | None, str | None]]] = field(default_factory=dict)
    former: dict[str, str] = field(default_factory=dict)  # key -> former state's name

    @classmethod
    def load(cls, store) -> NameIndex:
        index = cls()
        for row in store.query("SELECT iso3, iso2, name, un_vote_name FROM states"):
            index.names[row["iso3"]] = row["name"]
            for spelling in (row["iso3"], row["iso2"], row["name"], row["un_vote_name"]):
                index._add(spelling, row["iso3"])
        for row in store.query("SELECT alias, iso3, valid_from, valid_to FROM state_aliases"):
            if row["valid_from"] is None and row["valid_to"] is None:
                index._add(row["alias"], row["iso3"])
            else:
                index.dated.setdefault(name_key(row["alias"]), []).append(
                    (row["iso3"], row["valid_from"], row["valid_to"])
                )
        for row in store.query("SELECT name, iso2 FROM former_states"):
            index.former[name_key(row["name"])] = row["name"]
        return index

    def _add(self, spelling: str | None, iso3: str) -> None:
        if spelling:
            self.keys.setdefault(name_key(spelling), set()).add(iso3)

    def ref(self, iso3: str) -> StateRef:
        return StateRef(iso3, self.names[iso3])

    def lookup(self, text: str, on: str | None = None) -> set[str]:
        """ISO3 codes the text may name (empty: unknown). `on` is an ISO date for dated aliases."""
        key = name_key(text)
        found = set(self.keys.get(key, ()))
        if on is not None:
            for iso3, valid_from, valid_to in self.dated.get(key, ()):
                if (valid_from is None or valid_from <= on) and (
                    valid_to is None or on <= valid_to
                ):
                    found.add(iso3)
        return found

    def former_state(self, text: str, on: str | None = None) -> str | None:
        """The former state a name means on that date (None if it is a current state's name)."""
        key = name_key(text)
        if key in self.former and not self.lookup(text, on):
            return self.former[key]
        return None

    def suggestions(self, text: str, limit: int = 3) -> list[StateRef]:
        key = name_key(text)
        # a misspelt name is compared with names, not with 2- and 3-letter codes ('Rusia' ~ 'USA')
        candidates = [k for k in self.keys if len(k) > 3] if len(key) > 3 else list(self.keys)
        matches = difflib.get_close_matches(key, candidates, n=12, cutoff=0.6)
        if not matches:  # a fragment such as 'Korea' or 'Congo'
            matches = [k for k in self.keys if len(key) >= 3 and key in k]
        refs: list[StateRef] = []
        for match in matches:
            for iso3 in sorted(self.keys[match]):
                ref = self.ref(iso3)
                if ref not in refs:
                    refs.append(ref)
        return refs[:limit]

    def unknown_message(self, text: str) -> str:
        hints = self.suggestions(text)
        if hints:
            return f"Unknown state '{text}'. Did you mean: {', '.join(h.label() for h in hints)}?"
        return f"Unknown state '{text}'. Use a UN name, an alias or an ISO code (see `cahtracker states list`)."

    def resolve(self, text: str, on: str | None = None) -> StateRef:
        """One state for one name, or a CahError that says what would be right."""
        if not text.strip():
            raise CahError("Empty state name; give a UN name, an alias or an ISO code.")
        found = self.lookup(text, on)
        if len(found) == 1:
            return self.ref(next(iter(found)))
        if not found:
            raise CahError(self.unknown_message(text.strip()))
        options = ", ".join(self.ref(i).label() for i in sorted(found))
        raise CahError(
            f"Ambiguous state '{text.strip()}': it may mean {options}; use the ISO code."
        )

    def resolve_list(self, text: str, on: str | None = None) -> list[StateRef]:
        """Every state of a list as UN documents print it; one unknown name refuses the list."""
        refs: list[StateRef] = []
        unknown: list[str] = []
        for name in split_state_list(text, lambda n: bool(self.lookup(n, on))):
            try:
                ref = self.resolve(name, on)
            except CahError:
                if self.lookup(name, on):
                    raise  # ambiguous, not unknown: the message names the states it may mean
                unknown.append(name)
                continue
            if ref not in refs:
                refs.append(ref)
        if unknown:
            if len(unknown) == 1:
                raise CahError(self.unknown_message(unknown[0]))
            parts = []
            for name in unknown:
                hints = self.suggestions(name)
                parts.append(
                    f"'{name}'"
                    + (f" (did you mean {', '.join(h.label() for h in hints)}?)" if hints else "")
                )
            raise CahError(f"Unknown states: {'; '.join(parts)}. Nothing was recorded.")
        return refs


# "and" only between spaces: on a line of its own "AND" is Andorra's ISO code
# an "and" after a comma is a conjunction unless another " and " follows ("Austria, AND and Fiji")
_SEPARATORS = re.compile(
    r"([ \t]*[,;\n\r]+[ \t]*(?:and[ \t]+(?!and[ \t]))?|[ \t]+and[ \t]+)", re.IGNORECASE
)
_LEADING_AND = re.compile(r"^(?:and|&)[ \t]+", re.IGNORECASE)
_MAX_RUN = 4  # no state name spans more than three separators ("Korea, Republic of")


def split_state_list(text: str, is_name=lambda name: False) -> list[str]:
    """Split "A, B; C and D" (or one name a line) into names.

    A comma, semicolon or " and " that belongs to a name ("Korea, Republic of",
    "Trinidad and Tobago") is kept whenever `is_name` recognises the longer form;
    the longest recognised run of pieces wins.
    """
    pieces = _SEPARATORS.split(_LEADING_AND.sub("", text.strip()))
    texts, seps = pieces[0::2], pieces[1::2]  # pieces alternate text, separator, text, ...
    names: list[str] = []
    i = 0
    while i < len(texts):
        taken = 1
        for j in range(min(len(texts), i + _MAX_RUN), i + 1, -1):  # longest run first
            if is_name(_join(texts, seps, i, j)):
                taken = j - i
                break
        names.append(_join(texts, seps, i, i + taken))
        i += taken
    return [n for n in names if n]


def _join(texts: list[str], seps: list[str], start: int, stop: int) -> str:
    out = texts[start]
    for k in range(start + 1, stop):
        out += seps[k - 1] + texts[k]
    return _SPACES.sub(" ", out).strip()
