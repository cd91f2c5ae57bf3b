"""Documents own document identity: lookup, the default document, creation, revisions.

A revision (`.../Rev.1`) names the text it revises as its parent and inherits its sponsors
(`revision_chain`); an amendment names the draft it amends and has its own sponsors.
`docs use` stores the document other commands default to in `settings`. A symbol names
one document in any letter case (`document` finds it so; the schema's unique index on
`upper(symbol)` keeps it so), and every document is created by `create_document`, which
validates its kind, inside the write that needs it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from cahtracker.db.changes import (
    at_once,
    register_dependents,
    register_describer,
    register_references,
    verb,
)
from cahtracker.errors import CahError

KINDS = (
    "draft resolution",
    "draft decision",
    "amendment",
    "resolution",
    "decision",
    "programme budget implications",
    "report",
    "other",
)
DEFAULT_SETTING = "default_document"
_SESSION = re.compile(r"^A/(?:RES/|DEC/|C\.\d/|INF/)?(\d{1,3})/", re.IGNORECASE)
_REVISION = re.compile(r"^(?P<base>.+?)/Rev\.\d+$")
SUGGESTIONS_SHOWN = 20  # an unknown symbol's message names at most this many documents


def document(store, symbol: str) -> dict[str, Any]:
    """The document row (any letter case), or a CahError naming symbols that look alike."""
    row = store.one("SELECT * FROM documents WHERE symbol = ?", (symbol,))
    if row is None:
        row = store.one("SELECT * FROM documents WHERE upper(symbol) = upper(?)", (symbol,))
    if row is None:
        raise unknown_document(store, symbol)
    return row


def unknown_document(store, symbol: str, hint: str = "") -> CahError:
    """The refusal of a symbol no document has, naming symbols that look alike."""
    return CahError(
        f"Unknown document '{symbol}'. {_near_symbols(store, symbol)}{' ' + hint if hint else ''}"
    )


def _near_symbols(store, symbol: str) -> str:
    import difflib

    known = [r["symbol"] for r in store.query("SELECT symbol FROM documents ORDER BY symbol")]
    close = difflib.get_close_matches(symbol, known, n=3, cutoff=0.5)
    if close:
        return f"Did you mean: {', '.join(close)}?"
    shown = ", ".join(known[:SUGGESTIONS_SHOWN])
    more = f" and {len(known) - SUGGESTIONS_SHOWN} more" if len(known) > SUGGESTIONS_SHOWN else ""
    return (
        f"Known documents: {shown}{more} (see `cahtracker docs list`)."
        if known
        else ("No documents yet; add one with `cahtracker docs add`.")
    )


def default_symbol(store) -> str:
    symbol = store.setting(DEFAULT_SETTING)
    if not symbol:
        raise CahError(
            "No document given and no default set; pass --doc SYMBOL or run `cahtracker docs use SYMBOL`."
        )
    return symbol


def resolve_symbol(store, symbol: str | None) -> str:
    """The canonical symbol of `--doc` (any case), else the `docs use` default."""
    return document(store, symbol or default_symbol(store))["symbol"]


def revises(symbol: str, parent: str | None) -> bool:
    """Whether `parent` is a text that `symbol` revises (L.2/Rev.1 revises L.2, and Rev.2
    revises Rev.1), so that `symbol` inherits its sponsors (an amendment's parent does not)."""
    match = _REVISION.match(symbol)
    return bool(parent and match and _REVISION.sub(r"\g<base>", parent) == match.group("base"))


def revision_chain(store, symbol: str) -> list[str]:
    """The document and every text it revises, newest first (Rev.1, then the original)."""
    chain = [symbol]
    current = document(store, symbol)
    while True:
        parent = current.get("parent_symbol")
        if not revises(current["symbol"], parent):
            return chain
        if parent in chain:  # a cycle typed by hand: stop rather than loop
            return chain
        chain.append(parent)
        current = document(store, parent)


def list_documents(store) -> list[dict[str, Any]]:
    from cahtracker.sourcing import is_unsourced

    default = store.setting(DEFAULT_SETTING)
    rows = store.query(
        "SELECT d.symbol, d.kind, d.body, d.session, d.title, d.parent_symbol, d.date, "
        "CASE WHEN d.date IS NULL THEN 'unknown' ELSE d.date_precision END AS date_precision, "
        "d.url, d.source, "
        "(SELECT count(*) FROM sponsorship_events e WHERE e.symbol = d.symbol) AS sponsorship_events "
        "FROM documents d ORDER BY d.session IS NULL, d.session, d.symbol"
    )
    for row in rows:
        row["unsourced"] = is_unsourced(row["source"])
        row["is_default"] = row["symbol"] == default
    return rows


def show_document(store, symbol: str) -> dict[str, Any]:
    """One document with its revision chain, the texts that name it as parent, and counts."""
    from cahtracker.sourcing import is_unsourced
    from cahtracker.sponsors import current_sponsors

    row = document(store, symbol)
    symbol = row["symbol"]
    children = [
        f"{r['symbol']} ({r['kind']})"
        for r in store.query(
            "SELECT symbol, kind FROM documents WHERE parent_symbol = ? ORDER BY symbol", (symbol,)
        )
    ]
    return {
        **row,
        "date_precision": row["date_precision"] if row["date"] else "unknown",
        "revises": revision_chain(store, symbol)[1:],
        "children": children,
        "sponsors": len(current_sponsors(store, symbol)),
        "count_claims": store.scalar(
            "SELECT count(*) FROM count_claims WHERE symbol = ?", (symbol,)
        ),
        "votes": store.scalar("SELECT count(*) FROM votes WHERE symbol = ?", (symbol,)),
        "unsourced": is_unsourced(row["source"]),
        "is_default": store.setting(DEFAULT_SETTING) == symbol,
        "notes": [f"{n['text']} ({n['source']})" for n in document_notes(store, symbol)],
    }


def document_notes(store, symbol: str) -> list[dict[str, Any]]:
    """What sources say about a document besides its sponsors, in the order recorded."""
    return store.query(
        "SELECT text, source, source_kind FROM document_notes WHERE symbol = ? ORDER BY id",
        (symbol,),
    )


def resolve_kind(text: str) -> str:
    key = " ".join(text.casefold().replace("-", " ").split())
    aliases = {"draft": "draft resolution", "pbi": "programme budget implications"}
    kind = aliases.get(key, key)
    if kind not in KINDS:
        raise CahError(f"Unknown document kind '{text}'; use one of: {', '.join(KINDS)}.")
    return kind


def body_key(text: str) -> str:
    """How body names compare: case-folded, spaces trimmed and collapsed."""
    return " ".join(text.casefold().split())


def known_bodies(store) -> list[str]:
    """The bodies the database already names (documents, votes, timeline events), one
    spelling each: where a body is stored in several letter cases, its most used spelling."""
    rows = store.query(
        "SELECT body, count(*) AS uses FROM ("
        "SELECT body FROM documents UNION ALL SELECT body FROM votes "
        "UNION ALL SELECT body FROM events) WHERE trim(coalesce(body, '')) <> '' "
        "GROUP BY body ORDER BY uses DESC, body"
    )
    spelling: dict[str, str] = {}
    for row in rows:
        spelling.setdefault(body_key(row["body"]), row["body"])
    return sorted(spelling.values(), key=str.casefold)


def resolve_body(store, text: str, new: bool = False) -> str | None:
    """The stored spelling of a known body (any letter case, spaces ignored); a body not
    yet known only with `new` (--new-body), so a typo is not stored as a body of its own.
    Blank means no body (None)."""
    import difflib

    name = " ".join(text.split())
    if not name:
        return None
    known = known_bodies(store)
    by_key = {body_key(b): b for b in known}
    if body_key(name) in by_key:
        return by_key[body_key(name)]
    if new:
        return name
    close = difflib.get_close_matches(body_key(name), list(by_key), n=3, cutoff=0.75)
    if close:
        raise CahError(
            f"Unknown body '{name}'. Did you mean: {', '.join(by_key[k] for k in close)}? "
            "Pass --new-body to record a new body."
        )
    listed = ", ".join(known) if known else "none yet"
    raise CahError(
        f"Unknown body '{name}'; known bodies: {listed}. Pass --new-body to record a new body."
    )


def session_of(symbol: str) -> int | None:
    """The General Assembly session a symbol belongs to (A/C.6/79/L.2 -> 79), if it says."""
    match = _SESSION.match(symbol)
    return int(match.group(1)) if match else None


def kind_of_symbol(symbol: str) -> str:
    """The kind a UN symbol shows (A/RES/...: resolution; .../L.n: draft resolution), else 'other'."""
    upper = symbol.upper()
    if "/RES/" in upper or upper.startswith("R/"):
        return "resolution"
    if "/DEC/" in upper:
        return "decision"
    if "/L." in upper:
        return "draft resolution"
    return "other"


def check_symbol(symbol: str) -> str:
    symbol = symbol.strip()
    if not symbol or any(ch.isspace() for ch in symbol):
        raise CahError(
            f"Bad document symbol '{symbol}'; give a UN symbol without spaces, e.g. A/C.6/80/L.3."
        )
    return symbol


def create_document(
    store,
    symbol: str,
    kind: str,
    body: str | None = None,
    *,
    title: str | None = None,
    parent_symbol: str | None = None,
    when=None,
    url: str | None = None,
    source: str | None = None,
    session: int | None = None,
) -> dict[str, Any]:
    """Insert one new document and log it; inside the caller's write, kind checked.

    The caller has looked the symbol up in the same transaction (`find_document`); the
    unique index on upper(symbol) refuses a second spelling all the same.
    """
    row = document_row(
        symbol,
        kind,
        body,
        title=title,
        parent_symbol=parent_symbol,
        when=when,
        url=url,
        source=source,
        session=session,
    )
    create_documents(store, [row])
    return row


def create_documents(store, rows: list[dict[str, Any]], run=None) -> None:
    """Insert many new documents at once (a bulk import's), kinds checked, logged as inserts.

    Each row has every column of `documents` (`document_row` builds one). The rows and
    their log are made here; `run` (default: at once) is given the statements that write
    them (a bulk import runs them in its writing thread).
    """
    from cahtracker.db.changes import log_inserts

    if not rows:
        return
    for row in rows:
        if row["kind"] not in KINDS:
            raise CahError(
                f"Unknown document kind '{row['kind']}'; use one of: {', '.join(KINDS)}."
            )
    from cahtracker.db.ids import stamp

    rows[:] = [stamp(store, row) for row in rows]  # each a global id (db/ids.py)
    columns = list(rows[0])
    params = [tuple(row[c] for c in columns) for row in rows]

    def write() -> None:
        store.conn.executemany(
            f"INSERT INTO documents ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})",
            params,
        )

    (run or at_once)(write)
    log_inserts(store, "documents", rows, "symbol", run=run)


def document_row(
    symbol: str,
    kind: str,
    body: str | None = None,
    *,
    title: str | None = None,
    parent_symbol: str | None = None,
    when=None,
    url: str | None = None,
    source: str | None = None,
    session: int | None = None,
) -> dict[str, Any]:
    """Every column of a new document's row."""
    return {
        "symbol": symbol,
        "kind": kind,
        "body": body,
        "session": session if session is not None else session_of(symbol),
        "title": title,
        "parent_symbol": parent_symbol,
        "date": when.value if when else None,
        "date_precision": when.precision if when else "unknown",
        "url": url,
        "source": source,
    }


def known_symbols(store) -> set[str]:
    return {r[0] for r in store.conn.execute("SELECT symbol FROM documents")}


def find_document(store, symbol: str) -> dict[str, Any] | None:
    """The document of a symbol in any letter case, or None."""
    return store.one("SELECT * FROM documents WHERE symbol = ?", (symbol,)) or store.one(
        "SELECT * FROM documents WHERE upper(symbol) = upper(?)", (symbol,)
    )


def add_document(
    store,
    symbol: str,
    title: str,
    kind: str,
    body: str,
    parent: str | None = None,
    when=None,
    url: str | None = None,
    source: str | None = None,
    session: int | None = None,
    new_body: bool = False,
    unsourced: bool = False,
) -> dict[str, Any]:
    """Add a document with its source (or knowingly none: `unsourced`); the parent must
    exist, the symbol must be new and the body known (or `new_body`). Every check runs
    inside the write, so concurrent adds cannot race."""
    from cahtracker.sourcing import require_source

    source = require_source(source, unsourced, "docs add")
    symbol = check_symbol(symbol)
    if not title.strip():
        raise CahError("A document needs a title (--title).")
    kind = resolve_kind(kind)
    with store.write("docs add"):
        existing = find_document(store, symbol)
        if existing:
            raise CahError(
                f"Document {existing['symbol']} already exists; see `cahtracker docs show {existing['symbol']}`."
            )
        parent_symbol = document(store, parent)["symbol"] if parent else None
        return create_document(
            store,
            symbol,
            kind,
            resolve_body(store, body, new=new_body),
            title=title.strip(),
            parent_symbol=parent_symbol,
            when=when,
            url=url,
            source=source,
            session=session,
        )


def use_document(store, symbol: str) -> tuple[str, str | None]:
    """Make `symbol` the default document; returns (new, previous).

    The previous value is read inside the write, so the change log's `before` is always the
    value this write replaced, however many commands run at once.
    """
    with store.write("docs use"):
        symbol = document(store, symbol)["symbol"]
        before = store.one("SELECT key, value FROM settings WHERE key = ?", (DEFAULT_SETTING,))
        if before and before["value"] == symbol:
            return symbol, symbol
        store.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (DEFAULT_SETTING, symbol),
        )
        store.log_change(
            "settings", DEFAULT_SETTING, before, {"key": DEFAULT_SETTING, "value": symbol}
        )
    return symbol, before["value"] if before else None


def _default_refers_to(store, doc: dict[str, Any]) -> list[str]:
    """`db undo` of a document's insert: the default document setting depends on it."""
    if doc.get("symbol") is not None and store.setting(DEFAULT_SETTING) == doc["symbol"]:
        return [
            f"it is the default document (settings {DEFAULT_SETTING}); make another the "
            "default with `cahtracker docs use` first"
        ]
    return []


def _default_names_a_document(store, row: dict[str, Any]) -> list[str]:
    """The default document setting names a document that exists (undo and `db check`)."""
    value = row.get("value")
    if row.get("key") != DEFAULT_SETTING or not value:
        return []
    if store.one("SELECT 1 FROM documents WHERE symbol = ?", (value,)):
        return []
    return [
        f"the default document (settings {DEFAULT_SETTING}) is '{value}', which no document "
        "has; run `cahtracker docs use SYMBOL`"
    ]


def _default_among(store, symbols: list[str]) -> bool:
    """Whether the default document is one of `symbols` (the undo of an import, by sets)."""
    return store.setting(DEFAULT_SETTING) in set(symbols)


register_dependents("documents", _default_refers_to, among=_default_among)
register_references("settings", _default_names_a_document)


def document_family(store, symbol: str) -> list[str]:
    """The document, the texts it revises, and every text that names one of them as parent
    (amendments, their budget implications, the adopted resolution), recursively; by symbol."""
    chain = revision_chain(store, symbol)
    rows = store.query(
        "WITH RECURSIVE family(symbol) AS (SELECT value FROM json_each(?) "
        "UNION SELECT d.symbol FROM documents d JOIN family f ON d.parent_symbol = f.symbol) "
        "SELECT symbol FROM family ORDER BY symbol",
        (json.dumps(chain),),
    )
    return [r["symbol"] for r in rows]


# ---------------------------------------------------------------- the change log's words


def _describe_document(context, change: dict[str, Any]) -> str:
    """ "added document A/C.6/80/L.3 (draft resolution, parent A/C.6/80/L.2)"."""
    row = change["after"] or change["before"]
    parent = f", parent {row['parent_symbol']}" if row.get("parent_symbol") else ""
    return f"{verb(change)} document {row['symbol']} ({row['kind']}{parent})"


def _describe_setting(context, change: dict[str, Any]) -> str:
    before, after = change["before"], change["after"]
    key = (after or before)["key"]
    what = "the default document" if key == DEFAULT_SETTING else f"setting {key}"
    if after is None:
        return f"cleared {what} (was {before['value']})"
    was = f" (was {before['value']})" if before else ""
    return f"set {what} to {after['value']}{was}"


register_describer("documents", _describe_document, ("document", "documents"))
register_describer("settings", _describe_setting, ("setting", "settings"))
