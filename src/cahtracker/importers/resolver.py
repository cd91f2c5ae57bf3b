"""Names and codes of states in an imported file, resolved by date (dated aliases, former states)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cahtracker.importers.reading import ImportedVote

_DATED = object()


class StateResolver:
    """Code/name -> ISO3 with a cache; dated aliases and former states are decided by date."""

    def __init__(self, names) -> None:
        from cahtracker.names import name_key

        self.names = names
        self.key = name_key
        self.cache: dict[tuple[str, str], Any] = {}
        self.dated_cache: dict[tuple[str, str, str | None], tuple[str, str]] = {}
        self.static: dict[tuple[str, str], str] = {}

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
        keys = {self.key(code), self.key(name)} - {""}
        depends = any(k in self.names.dated or k in self.names.former for k in keys)
        if depends:
            self.cache[pair] = _DATED
            return self.resolve(code, name, on)
        result = self.cache[pair] = self._resolve(code, name, on)
        if result[0] == "ok":
            self.static[pair] = result[1]
        return result

    def code_alone(self, code: str) -> str | None:
        """The state a code names whatever the date and the name beside it, else None.

        `_resolve` tries the code first and a unique, undated match settles it, so such a
        code can be looked up alone (one dict lookup per ballot on the import's hot path).
        """
        key = self.key(code) if code else ""
        if not key or key in self.names.dated:
            return None
        found = self.names.keys.get(key, ())
        return next(iter(found)) if len(found) == 1 else None

    def _resolve(self, code: str, name: str, on: str | None) -> tuple[str, str]:
        for text in (code, name):
            if text and text.strip():
                found = self.names.lookup(text, on)
                if len(found) == 1:
                    return ("ok", next(iter(found)))
        for text in (name, code):
            if text and text.strip():
                former = self.names.former_state(text, on)
                if former:
                    return ("former", former)
        label = f"{name} ({code})" if name and code else (name or code or "(blank)")
        return ("unknown", label)


def duplicate_message(names, resolver, path: Path, record: ImportedVote) -> str:
    seen: set[str] = set()
    for code, name, _ in record.ballots:
        status, iso3 = resolver.resolve(code, name, record.date)
        if status == "ok" and iso3 in seen:
            return (
                f"{path}: {names.ref(iso3).label()} has two ballots in the vote on {record.symbol} "
                f"({record.date}); each state votes once. Nothing was imported."
            )
        seen.add(iso3)
    return f"{path}: a state has two ballots in the vote on {record.symbol}; nothing was imported."


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
