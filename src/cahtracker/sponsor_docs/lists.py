"""Lists of states as the documents print them, read against the known names.

The layout rules (line breaks and hyphens, dashes, asterisks, 'the', a final full stop,
'&', bullets) live in `cahtracker.names` (`NameIndex.read_list`), shared with the
commands that take lists. Here: what documents add around a list — the kind tail
(`LIST: draft resolution`), a group the sponsor acts for (`Cuba [on behalf of the Group
of 77 and China]`), and collecting readings and unknown names, bounded, for one file.
"""

from __future__ import annotations

import re

from cahtracker.names import NameIndex, StateRef, printed
from cahtracker.sponsor_docs.model import Reading, SponsorImport, UnknownName

MAX_UNKNOWN_LISTED = 50  # unknown names kept in one import; the rest are counted
MAX_SUGGESTED = 20  # of those, how many get suggestions (each costs a pass over the names)
MAX_LIST_CHARS = 200_000  # every member's long name with a line break inside is under 20 000

# ': draft resolution', ': revised draft resolution', ': draft decision',
# ': amendment to draft resolution A/C.3/78/L.51', ': amendments to ...', at the list's end
KIND_TAIL = re.compile(
    r"\s*:\s*(?P<kind>(?:revised\s+)?draft\s+(?:resolution|decision)"
    r"|amendments?\b[^:]*)\s*\.?\s*$",
    re.IGNORECASE,
)
# [on behalf of the Group of 77 and China] or (on behalf of the European Union)
ON_BEHALF = re.compile(r"\s*[\[(]\s*(?P<note>on\s+behalf\s+of\s+[^\])]*)[\])]", re.IGNORECASE)


def split_kind_tail(text: str) -> tuple[str, str | None]:
    """('A and B', 'draft resolution') for 'A and B: draft resolution'."""
    match = KIND_TAIL.search(text)
    if not match:
        return text, None
    return text[: match.start()], " ".join(match.group("kind").split())


class NameReader:
    """Reads the lists of one file and collects what they could not read, within bounds."""

    def __init__(self, names: NameIndex, result: SponsorImport, close: bool = True) -> None:
        self.names = names
        self.result = result
        self.close = close
        self._seen_unknown: set[tuple[str, str]] = set()

    def states(
        self, text: str, where: str, on: str | None = None
    ) -> tuple[list[StateRef], list[str]]:
        """The states of one list, and the 'on behalf of ...' notes found in it."""
        from cahtracker.errors import CahError

        if len(text) > MAX_LIST_CHARS:
            raise CahError(
                f"{self.result.origin}: the list in {where} has {len(text)} characters, more "
                f"than any list of states (at most {MAX_LIST_CHARS}); give the document itself."
            )
        groups = [" ".join(m.group("note").split()) for m in ON_BEHALF.finditer(text)]
        text = ON_BEHALF.sub("", text)
        reading = self.names.read_list(text, on=on, close=self.close)
        for name, ref in reading.readings:
            self.result.readings.append(Reading(printed(name), ref.iso3, ref.name, where))
        for name in reading.unknown:
            self.unknown(printed(name), where)
        for name, found in reading.ambiguous:
            options = tuple(ref.label() for ref in found)
            self.unknown(printed(name), where, options)
        return reading.refs, groups

    def unknown(self, name: str, where: str, suggestions: tuple[str, ...] | None = None) -> None:
        if (name, where) in self._seen_unknown:
            return
        self._seen_unknown.add((name, where))
        if len(self.result.unknown) >= MAX_UNKNOWN_LISTED:
            self.result.unknown_not_listed += 1
            return
        if suggestions is None:
            suggestions = ()
            if len(self.result.unknown) < MAX_SUGGESTED:
                suggestions = tuple(ref.label() for ref in self.names.suggestions(name))
        self.result.unknown.append(UnknownName(name, where, suggestions))
