"""Names and codes of states in an imported file, resolved by date (dated aliases, former states)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

_DATED = object()
MAX_LABEL = 80  # a name from a file is cut to this in messages


def shown(text: str | None) -> str:
    """A name or code from a file as messages show it: cut when long, "(blank)" when empty."""
    if not text or not text.strip():
        return "(blank)"
    return text if len(text) <= MAX_LABEL else text[:MAX_LABEL] + "…"


class StateResolver:
    """Code/name -> ISO3 with a cache; dated aliases and former states are decided by date."""

    def __init__(self, names) -> None:
        from cahtracker.names import name_key

        self.names = names
        self.key = name_key
        self.cache: dict[tuple[str, str], Any] = {}
        self.dated_cache: dict[tuple[str, str, str | None], tuple[str, str]] = {}

    def depends_on_date(self, code: str, name: str) -> bool:
        """Whether what this code and name mean depends on the date (dated aliases, former states)."""
        keys = {self.key(code), self.key(name)} - {""}
        return any(k in self.names.dated or k in self.names.former for k in keys)

    def resolve(self, code: str, name: str, on: str | None) -> tuple[str, str]:
        """('ok', iso3) | ('former', name) | ('unknown', label)."""
        pair = (code, name)
        hit = self.cache.get(pair)
        if hit is not None and hit is not _DATED:
            return hit
        if hit is _DATED:
            dated = self.dated_cache.get((code, name, on))
            if dated is None:
                dated = self.dated_cache[(code, name, on)] = self._resolve(code, name, on)
            return dated
        if self.depends_on_date(code, name):
            self.cache[pair] = _DATED
            return self.resolve(code, name, on)
        result = self.cache[pair] = self._resolve(code, name, on)
        return result

    def _resolve(self, code: str, name: str, on: str | None) -> tuple[str, str]:
        by = {}
        for part, text in (("code", code), ("name", name)):
            if text and text.strip():
                found = self.names.lookup(text, on)
                if len(found) == 1:
                    by[part] = next(iter(found))
        if len(set(by.values())) > 1:  # a code and a name of two different states
            named = self.names.names
            return (
                "unknown",
                f"{shown(name)} ({shown(code)}): the code is {named[by['code']]}'s, the name "
                f"{named[by['name']]}'s",
            )
        if by:
            return ("ok", next(iter(by.values())))
        for text in (name, code):
            if text and text.strip():
                former = self.names.former_state(text, on)
                if former:
                    return ("former", former)
        label = f"{shown(name)} ({shown(code)})" if name and code else shown(name or code)
        return ("unknown", label)


def unknown_message(names, path: Path, unknown: dict[str, int]) -> str:
    parts = []
    for label, rows in list(unknown.items())[:12]:
        bare = label.split(" (")[0]
        hints = names.suggestions(bare)
        hint = f" (did you mean {', '.join(h.label() for h in hints)}?)" if hints else ""
        parts.append(f"'{label}' ×{rows}{hint}")
    more = f" and {len(unknown) - 12} more" if len(unknown) > 12 else ""
    return (
        f"Unknown states in {path}: {'; '.join(parts)}{more}. Nothing was imported; "
        "add an alias, or pass --skip-unknown to import the rest."
    )
