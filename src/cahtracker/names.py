"""State names: resolve any spelling (UN name, vote-record name, alias, ISO2/ISO3) to an ISO3 code.

Matching ignores case, accents, apostrophe style and spacing, so `Côte d'Ivoire`,
`COTE D'IVOIRE`, `Côte d’Ivoire`, `CIV` and `Ivory Coast` are one state. Dated aliases
(`state_aliases.valid_from/valid_to`) count only when a date is given and falls in their
range; former states (`former_states`) are recognised so that importers can skip them.
"""

from __future__ import annotations

import difflib
import itertools
import re
import unicodedata
from dataclasses import dataclass, field

from cahtracker.errors import CahError

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
_SPACES = re.compile(r"\s+")


def _compact(key: str) -> str:
    """A key with only its letters and digits: 'ir eland' and 'ireland' are the same letters."""
    return "".join(ch for ch in key if ch.isalnum())


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
    _long: list | None = field(default=None, repr=False, compare=False)
    _lengths: list = field(default_factory=list, repr=False, compare=False)
    _compact: dict | None = field(default=None, repr=False, compare=False)
    _longest: int = field(default=0, repr=False, compare=False)

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
            key = name_key(spelling)
            self.keys.setdefault(key, set()).add(iso3)
            self._longest = max(self._longest, len(key))
            self._long = self._compact = None

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

    def _long_keys(self) -> list[tuple[str, frozenset[str]]]:
        """Keys of names (not 2- and 3-letter codes), with their states, shortest first."""
        if self._long is None:
            self._long = sorted(
                ((k, frozenset(v)) for k, v in self.keys.items() if len(k) > 3),
                key=lambda pair: len(pair[0]),
            )
            self._lengths = [len(k) for k, _ in self._long]
        return self._long

    def _close_keys(self, key: str, cutoff: float) -> list[tuple[float, str]]:
        """(ratio, key) of the known keys whose difflib ratio with `key` is at least `cutoff`,
        best first. O(names), and cheaper: only keys of a length that can reach the cutoff
        (2·min/(a+b) bounds the ratio) are looked at, and difflib's quick upper bound
        discards most of those before the quadratic ratio is computed."""
        import bisect

        keys = self._long_keys()
        length = len(key)
        low = bisect.bisect_left(self._lengths, length * cutoff / (2 - cutoff) - 1e-9)
        high = bisect.bisect_right(self._lengths, length * (2 - cutoff) / cutoff + 1e-9)
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(key)  # seq2 is the one difflib caches
        scored = []
        for candidate, _ in keys[low:high]:
            matcher.set_seq1(candidate)
            if matcher.quick_ratio() >= cutoff and (ratio := matcher.ratio()) >= cutoff:
                scored.append((ratio, candidate))
        scored.sort(reverse=True)  # the order of difflib.get_close_matches
        return scored

    def suggestions(self, text: str, limit: int = 3) -> list[StateRef]:
        key = name_key(text)
        # a misspelt name is compared with names, not with 2- and 3-letter codes ('Rusia' ~ 'USA')
        if len(key) > 3:
            matches = [k for _, k in self._close_keys(key, 0.6)[:12]]
        else:
            matches = difflib.get_close_matches(key, list(self.keys), n=12, cutoff=0.6)
        if not matches:  # a fragment such as 'Korea' or 'Congo'
            matches = [k for k in self.keys if len(key) >= 3 and key in k]
        refs: list[StateRef] = []
        for match in matches:
            for iso3 in sorted(self.keys[match]):
                ref = self.ref(iso3)
                if ref not in refs:
                    refs.append(ref)
        return refs[:limit]

    def close_match(self, text: str) -> StateRef | None:
        """The one state a mis-keyed name means, or None: 'Ir eland' is Ireland (the same
        letters), 'Venezuela (Bolivarian Republic)' is Venezuela (a close spelling of one
        state only). None when no state, or more than one state, is that close."""
        key = name_key(text)
        if len(key) < CLOSE_MIN_LENGTH:
            return None
        if self._compact is None:
            self._compact = {}
            for k, codes in self._long_keys():
                self._compact.setdefault(_compact(k), set()).update(codes)
        same_letters = self._compact.get(_compact(key), set())
        if len(same_letters) == 1:
            return self.ref(next(iter(same_letters)))
        if same_letters:
            return None
        keys = dict(self._long_keys())
        states = {iso3 for _, k in self._close_keys(key, CLOSE_CUTOFF) for iso3 in keys[k]}
        return self.ref(states.pop()) if len(states) == 1 else None

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
        reading = self.read_list(text, on)
        if reading.ambiguous:
            name, found = reading.ambiguous[0]
            options = ", ".join(ref.label() for ref in found)
            raise CahError(f"Ambiguous state '{name}': it may mean {options}; use the ISO code.")
        unknown = reading.unknown
        if unknown:
            if len(unknown) == 1:
                raise CahError(self.unknown_message(unknown[0]))
            parts = []
            for name in unknown[:MAX_SUGGESTED]:
                hints = self.suggestions(name)
                parts.append(
                    f"'{name}'"
                    + (f" (did you mean {', '.join(h.label() for h in hints)}?)" if hints else "")
                )
            more = len(unknown) - MAX_SUGGESTED
            if more > 0:
                parts.append(f"and {more} more")
            raise CahError(f"Unknown states: {'; '.join(parts)}. Nothing was recorded.")
        return reading.refs

    def read_list(self, text: str, on: str | None = None, close: bool = False) -> ListReading:
        """A list as UN documents print it, read without raising: the states in order (each
        once), and apart the names it could not read. With `close`, a name that is no known
        spelling but close to exactly one state's (`Ir eland`) is read as that state and
        listed in `readings`; see `split_state_list` for the layouts understood."""
        reading = ListReading()
        pieces = _list_pieces(text)
        items = _match_runs(pieces, lambda name: self._lookup_forms(name, on), self._longest)
        if close:
            items = self._read_close(pieces, items)
        for item in items:
            text = printed(item.text)
            if item.states is None:
                reading.unknown.append(text)
            elif len(item.states) > 1:
                reading.ambiguous.append((text, [self.ref(i) for i in sorted(item.states)]))
            else:
                ref = self.ref(next(iter(item.states)))
                if item.close:
                    reading.readings.append((text, ref))
                if ref not in reading.refs:
                    reading.refs.append(ref)
        return reading

    def _lookup_forms(self, name: str, on: str | None) -> tuple[str, set[str]] | None:
        for form in _name_forms(name):
            found = self.lookup(form, on)
            if found:
                return form, found
        return None

    def _read_close(self, pieces: _Pieces, items: list[_Item]) -> list[_Item]:
        """Unknown runs of pieces read as the one state they closely spell, longest first;
        at most MAX_CLOSE_TRIES guesses a list (a page of junk is refused, not searched)."""
        reach = self._longest * (2 - CLOSE_CUTOFF) / CLOSE_CUTOFF + 8  # 'the ', a full stop
        tries = MAX_CLOSE_TRIES
        out: list[_Item] = []
        k = 0
        while k < len(items):
            if items[k].states is not None:
                out.append(items[k])
                k += 1
                continue
            stop = k  # a stretch of unknown pieces
            while stop < len(items) and items[stop].states is None:
                stop += 1
            i = k
            while i < stop:
                for j in range(min(stop, i + MAX_RUN), i, -1):
                    text = pieces.join(items[i].start, items[j - 1].stop)
                    if len(text) > reach or tries <= 0:
                        continue  # too long to be close to any name, or tried enough
                    tries -= 1
                    ref = next(filter(None, map(self.close_match, _name_forms(text))), None)
                    if ref is not None:
                        out.append(_Item(text, items[i].start, items[j - 1].stop, {ref.iso3}, True))
                        i = j
                        break
                else:
                    out.append(items[i])
                    i += 1
            k = stop
        return out


@dataclass
class ListReading:
    """What `NameIndex.read_list` made of a list: no exception, the caller decides."""

    refs: list[StateRef] = field(default_factory=list)
    readings: list[tuple[str, StateRef]] = field(default_factory=list)  # (as printed, read as)
    unknown: list[str] = field(default_factory=list)
    ambiguous: list[tuple[str, list[StateRef]]] = field(default_factory=list)


CLOSE_CUTOFF = 0.9  # difflib ratio: 'Venezuela (Bolivarian Republic)' scores 0.95
CLOSE_MIN_LENGTH = 5  # a short name is one letter from another ('Niger', 'Nigeria')
MAX_CLOSE_TRIES = 400  # close guesses in one list: a real list has a few misprints
MAX_SUGGESTED = 20  # unknown names given suggestions in one message; the rest are counted
MAX_RUN = 10  # pieces one name may span: 'United Kingdom of Great Britain and Northern Ireland' wrapped at every space
MAX_PIECES = 2000  # a list of every member state, each with a line break inside, is under 1000

# "and" only between spaces: on a line of its own "AND" is Andorra's ISO code (a lone
# lowercase "and" between line breaks is a conjunction: see _match_runs); an "and" after a
# comma or at a line start is a conjunction unless another " and " follows ("Austria, AND and Fiji")
_CONJUNCTION = r"(?:and[ \t]+(?!and[ \t])|&[ \t]+)"
_SEPARATORS = re.compile(
    r"([ \t]*[,;][ \t]*(?:\n[ \t]*)*" + _CONJUNCTION + "?"
    r"|[ \t]*\n[ \t\n]*" + _CONJUNCTION + "?"
    r"|[ \t]+(?:and|&)[ \t]*\n[ \t\n]*"
    r"|[ \t]+(?:and|&)[ \t]+)",
    re.IGNORECASE,
)
# a list may begin with a conjunction ("and Fiji"), unless it is Andorra's code ("AND and Fiji")
_LEADING_AND = re.compile(r"^" + _CONJUNCTION, re.IGNORECASE)
_LONE_CONJUNCTIONS = {"and", "&"}
_LINE_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_LINE_BREAKS = re.compile(r"\r\n?|[\f\v\u2028\u2029\x85]")
# "1." "2)" "(3)" or a bullet at the start of a line: a numbered or bulleted list
_BULLET = re.compile(r"^[ \t]*(?:\(?\d{1,3}[.)]|[-–—•·▪◦‣●○+])[ \t]+", re.MULTILINE)
_DASHES = re.compile(r"(?<=\w)[‐‑‒–—―](?=\w)")  # en and em dashes inside a name
# a hyphen at a line end: a word break (Argen-/tina) or the name's own (Timor-/Leste)
_LINE_END_HYPHEN = re.compile(r"(?<=\w)[-‐‑‒–—\u00ad][ \t]*\n[ \t]*(?=\w)")
SOFT_HYPHEN = "\u00ad"
_MAX_SOFT = 3  # line-end hyphens inside one name tried in every combination


def clean_list_text(text: str) -> str:
    """A list's text with the layout of printed documents undone: one kind of space and line
    break, no footnote asterisks, no list bullets or numbers, en and em dashes inside a name
    as hyphens, and a hyphen at a line end kept as a soft hyphen (U+00AD) for the names to
    decide whether it is part of the name."""
    text = _LINE_BREAKS.sub("\n", text)
    text = _LINE_SPACES.sub(" ", text).replace("*", "")
    text = _BULLET.sub("", text)
    text = _DASHES.sub("-", text)
    return _LINE_END_HYPHEN.sub(SOFT_HYPHEN, text)


def _name_forms(name: str) -> list[str]:
    """The spellings a printed name may stand for, most literal first: as printed, without a
    final full stop, without a leading 'the', with each line-end hyphen kept or dropped."""
    forms = [name]
    if name.endswith("."):
        forms.append(name[:-1].rstrip())
    for form in list(forms):
        if form[:4].casefold() == "the " and len(form) > 4:
            forms.append(form[4:])
    if SOFT_HYPHEN not in name:
        return forms
    out = []
    for form in forms:
        parts = form.split(SOFT_HYPHEN)
        if len(parts) - 1 > _MAX_SOFT:
            out += ["-".join(parts), "".join(parts)]
            continue
        for choice in itertools.product(("-", ""), repeat=len(parts) - 1):
            out.append(parts[0] + "".join(c + p for c, p in zip(choice, parts[1:], strict=True)))
    return out


def printed(name: str) -> str:
    """A name as the document prints it, for messages: a line-end hyphen shown as a hyphen."""
    return name.replace(SOFT_HYPHEN, "-")


@dataclass
class _Pieces:
    texts: list[str]
    seps: list[str]

    def join(self, start: int, stop: int) -> str:
        out = self.texts[start]
        for k in range(start + 1, stop):
            out += self.seps[k - 1] + self.texts[k]
        return _SPACES.sub(" ", out).strip()


@dataclass
class _Item:
    text: str
    start: int
    stop: int
    states: set[str] | None  # None: unknown
    close: bool = False
    form: str | None = None  # the known spelling the text was read as


def _list_pieces(text: str) -> _Pieces:
    pieces = _SEPARATORS.split(_LEADING_AND.sub("", clean_list_text(text).strip()))
    if len(pieces) > 2 * MAX_PIECES:
        raise CahError(
            f"A list of {len(pieces) // 2 + 1} names is longer than any list of states "
            f"(at most {MAX_PIECES}); give the sponsors or votes of one document."
        )
    return _Pieces(pieces[0::2], pieces[1::2])  # pieces alternate text, separator, text, ...


def _match_runs(pieces: _Pieces, lookup, longest: int = 0) -> list[_Item]:
    """The longest run of pieces that is a known name, at each place; else one piece.
    `lookup(text)` gives (the known spelling it matched, what it found) or None."""
    items: list[_Item] = []
    texts = pieces.texts
    i = 0
    while i < len(texts):
        runs = []
        for j in range(i + 1, min(len(texts), i + MAX_RUN) + 1):
            run = pieces.join(i, j)
            if runs and longest and len(run) > longest + 8:
                break  # longer than any known name (+ 'the ' and a full stop)
            runs.append((j, run))
        for j, run in reversed(runs[1:]):
            found = lookup(run)
            if found:
                items.append(_Item(run, i, j, found[1], form=found[0]))
                i = j
                break
        else:
            name = runs[0][1]
            if name and name not in _LONE_CONJUNCTIONS:
                found = lookup(name)
                items.append(
                    _Item(name, i, i + 1, found[1] if found else None, form=found and found[0])
                )
            i += 1
    return items


def split_state_list(text: str, is_name=lambda name: False) -> list[str]:
    """Split "A, B; C and D" (or one name a line) into names.

    A comma, semicolon, line break or " and " that belongs to a name ("Korea, Republic of",
    "Trinidad and Tobago", "Papua New" / "Guinea") is kept whenever `is_name` recognises the
    longer form; the longest recognised run of pieces wins. The layout of printed lists is
    understood (see `clean_list_text`): footnote asterisks, bullets and numbers, en and em
    dashes, a hyphen at a line end (the names decide whether it is part of the name), a
    leading 'the', a final full stop, '&' for 'and'. A lone lowercase 'and' on a line of its
    own is a conjunction; 'AND' there is Andorra's ISO code.
    """

    def lookup(name: str):
        return next(((form, True) for form in _name_forms(name) if is_name(form)), None)

    pieces = _list_pieces(text)
    return [item.form or printed(item.text) for item in _match_runs(pieces, lookup)]
