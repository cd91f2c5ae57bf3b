"""Global row ids: what names a fact in every copy of a database (`db merge`).

Integer keys (`votes.id`, `positions.id`, ...) stay local: two members who each copied one
database and worked apart both wrote `positions.id = 80`, and those are different facts.
Each fact table has a `gid` too, a UUIDv7 in text (RFC 9562: a 48-bit Unix time in
milliseconds, the version, then random bits), and an `origin`: who wrote the row (`--who`,
`$CAHTRACKER_WHO` or the database's `who` setting; NULL when nobody said).

Why UUIDv7 written here rather than python-ulid: it is 30 lines with no dependency (Python
3.11's uuid module has no uuid7), its text is the standard 8-4-4-4-12 form every SQLite
tool and Datasette shows as it is, and its time prefix keeps the ids of one member in the
order they were written, which keeps the unique index on `gid` appending.

Rows a vote owns (ballots, statements, source records, ballot differences) have no gid of
their own: they are named by their vote's gid and their own natural key (the state; the
source key), which is what makes "the same ballot" the same in two copies.

Seed rows (data/seed.sql) get deterministic ids instead, `seed_gid(table, values)`: a
UUIDv5 of the table and the row's seeded values, so that two databases created from the
same seed name the seed's facts alike and a merge of them finds those facts the same. The
migration that introduced gids (m015) gives an existing row that still holds a seed row's
values that seed row's gid; every other existing row a new UUIDv7.
"""

from __future__ import annotations

import os
import time

# the tables whose rows are facts with a global id, in the order a merge brings them in
FACT_TABLES = (
    "documents",
    "document_notes",
    "sponsorship_events",
    "count_claims",
    "votes",
    "positions",
    "events",
)
SEED_ORIGIN = "seed"
WHO_ENV = "CAHTRACKER_WHO"
WHO_SETTING = "who"
MAX_WHO = 100  # characters of a --who name

_HEX = "[0-9a-f]"
# a gid as cahtracker writes it: a UUID in lower-case 8-4-4-4-12 text (SQLite GLOB)
GID_GLOB = "-".join(_HEX * n for n in (8, 4, 4, 4, 12))

_last = [0, 0]  # (milliseconds, counter) of the newest id made by this process


def new_gid() -> str:
    """A new UUIDv7 (text). Ids made by one process in one millisecond count up in the 12
    bits after the version (RFC 9562, method 1), so they sort in the order they were made."""
    ms = time.time_ns() // 1_000_000
    if ms <= _last[0]:
        ms = _last[0]
        counter = _last[1] + 1
        if counter > 0xFFF:  # 4,096 ids in one millisecond: borrow the next one
            ms, counter = ms + 1, int.from_bytes(os.urandom(2), "big") & 0x7FF
    else:
        counter = int.from_bytes(os.urandom(2), "big") & 0x7FF  # room to count up
    _last[0], _last[1] = ms, counter
    rand_b = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | counter << 64 | 0b10 << 62 | rand_b
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


# the namespace of the seed's ids (a fixed UUIDv4, chosen once; never change it)
SEED_NAMESPACE = "5b0b7a52-3c1e-4f3e-9d0a-8a2f6c1e7d41"


def seed_gid(table: str, values: dict) -> str:
    """The gid of a seed row: a UUIDv5 of the table and its values (column order ignored)."""
    import json
    import uuid

    text = table + "\n" + json.dumps(values, sort_keys=True, ensure_ascii=False)
    return str(uuid.uuid5(uuid.UUID(SEED_NAMESPACE), text))


def derived_gid(gid: str, content: dict) -> str:
    """The gid of a second version of the fact `gid` kept beside the first (`db merge
    --on-conflict keep-both`): derived from both, so that merging again finds it the same."""
    return seed_gid("version of " + gid, content)


def stamp(store, row: dict) -> dict:
    """`row` with a gid (a new one unless it has one) and an origin (the store's `who`)."""
    out = dict(row)
    if not out.get("gid"):
        out["gid"] = new_gid()
    if "origin" not in out:
        out["origin"] = store.who
    return out


def fill_missing(conn, origin: str | None) -> int:
    """Give every fact row without a gid one (and `origin`), inside the caller's write: the
    safety net under every insert path (an undo that puts back a row logged before gids
    existed, a path that forgot). A lookup in each table's unique index on gid; returns the
    rows given an id. Nothing to do in a database older than the gids."""
    if not conn.execute("SELECT 1 FROM pragma_table_info('votes') WHERE name = 'gid'").fetchone():
        return 0
    filled = 0
    for table in FACT_TABLES:
        rows = conn.execute(f"SELECT rowid FROM {table} WHERE gid IS NULL").fetchall()
        if rows:
            conn.executemany(
                f"UPDATE {table} SET gid = ?, origin = coalesce(origin, ?) WHERE rowid = ?",
                [(new_gid(), origin, r[0]) for r in rows],
            )
            filled += len(rows)
    return filled


def clean_who(text: str | None, source: str = "--who") -> str | None:
    """A --who name as stored: runs of spaces folded into one, no control character (a
    newline, tab or CR is refused, not folded), at most MAX_WHO characters; None for
    none. A bad name is a CahError naming `source` (where the name came from: --who,
    CAHTRACKER_WHO, the who setting, a merged row). The text goes into the message as
    given (the output layer escapes it once)."""
    from cahtracker.errors import CahError

    if text is None:
        return None
    # spaces are folded, but a line break, CR or tab is refused rather than folded
    name = " ".join(part for part in text.split(" ") if part)
    if name and len(name) <= MAX_WHO and name.isprintable():
        return name
    shown = text if len(text) <= 40 else text[:40] + "…"
    raise CahError(
        f"{source} must be a name of 1 to {MAX_WHO} printable characters "
        f"(for example --who 'Amnesty Geneva'), not '{shown}'."
    )
