"""`cahtracker publish`: a read-only copy of the database for Datasette, and its metadata.json.

The copy is made with VACUUM INTO, which reads one consistent snapshot (other commands may
write meanwhile), and every derived table is computed from that copy, so the tables agree
with one another. In the copy:

- the data tables (`PUBLISHED_TABLES`) are kept; every other table and view is dropped,
  not hidden: the change log (`changes`, which holds undone text), `settings`, the
  migrations' bookkeeping, and any table a later release adds until it is listed here;
  so is the `origin` column (who wrote each row: a coalition member's name), while `gid`,
  the row's global id, stays as it is (it names the fact in every member's copy, so a
  citation finds it; a UUIDv7 shows when the fact was entered, which metadata.json and the
  README say); a `merge <file name> ...` key of ballot_differences (`db merge
  --on-conflict keep-both`) names a member's file: it becomes `merge N`; sources stay as
  recorded;
- the answers the domain derives in Python are materialised as tables, each computed by
  the function the commands call (so `current_sponsors` holds the rows of
  `sponsors list -f json`): `current_sponsors`, `latest_stances`, `vote_tallies`,
  `sponsor_count_vs_claims`;
- `regional_groups` (code, name) holds the groups' usual codes, and `regional_group`
  everywhere in the copy holds the code (WEOG, GRULAC, ...), a foreign key to it, so that
  Datasette filters `?regional_group=WEOG` and shows the group's name as the link's label;
- sqlite-utils' `enable_fts` indexes titles, quotes, statements, notes and sources;
- VACUUM then rewrites the file, so that no free page keeps text of what was dropped.

The copy and metadata.json are written into a staging folder and renamed into place
(outputs.py): a run that fails leaves nothing, and `--force` replaces only a folder an
earlier publish wrote and nobody changed since (its marker file lists what it holds, with
each file's SHA-256).
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

from cahtracker.errors import CahError

DATABASE_NAME = "cahtracker"  # the file's stem: Datasette serves it at /cahtracker
DATABASE_FILE = f"{DATABASE_NAME}.db"
METADATA_FILE = "metadata.json"
MARKER = ".cahtracker-publish"
MARKER_LINE = "cahtracker publish"
WHAT = "published copy"

# where the rows come from, in the copy's own words (data/SOURCES.md and data/CAH_SOURCES.md,
# section by section: those files are not published, so metadata.json never points at them)
SOURCE_COLUMN = "each row's own `source` column, as it was recorded"
ROW_SOURCES = (
    "each row's own `source` column (with `source_kind`: official, government, press, ngo or "
    "secondary), as it was recorded"
)
STATES_SOURCES = (
    'name and regional_group: the UN DGACM page "Regional groups of Member States" '
    "(https://www.un.org/dgacm/en/content/regional-groups, read through a mirror), with the "
    "UNSD M49 names (https://unstats.un.org/unsd/methodology/m49/) where the mirror was cut; "
    "Türkiye and the United States are in WEOG for electoral purposes, as "
    "https://ask.un.org/faq/14521 says; un_vote_name: the spellings of the UN Digital "
    "Library's voting records (https://digitallibrary.un.org), as a public scraper's logs "
    'recorded them; admitted_on: Wikipedia\'s table "Member states of the United Nations", '
    '88 dates checked against worldometers and the UN\'s "United Nations Member States"; '
    "iso3, iso2 and m49: ISO 3166 (pycountry), checked against UNSD M49"
)
ALIASES_SOURCES = (
    "undated names: the UN Digital Library's current and older spellings, the unvotes data "
    "set's names, the un.org Member States page and Our World in Data's names, ISO 3166 "
    "names (pycountry) and country_converter's names; dated names: each row's own `source` column"
)
LICENCE = (
    "None stated for the data: the rows are facts read from the public sources each row or "
    "table names, and cahtracker states no licence for them"
)

# table -> (title, description, source) of every table the copy keeps as it is
PUBLISHED_TABLES: dict[str, tuple[str, str, str]] = {
    "states": (
        "States",
        "The 193 UN member states and the 2 observer states; regional_group is the group's "
        "code (see regional_groups).",
        STATES_SOURCES,
    ),
    "state_aliases": (
        "State name aliases",
        "Other names of each state (older names, voting-record spellings), some dated.",
        ALIASES_SOURCES,
    ),
    "former_states": (
        "Former states",
        "States that no longer hold a seat, as the voting records name them.",
        SOURCE_COLUMN,
    ),
    "membership_gaps": (
        "Membership gaps",
        "Periods in which a member state held no seat of its own.",
        SOURCE_COLUMN,
    ),
    "topics": (
        "Topics",
        "The questions on which states' stances are recorded.",
        "cahtracker's own list of questions; each stance (positions) names its source",
    ),
    "documents": (
        "Documents",
        "UN documents of the process: drafts, revisions, amendments, resolutions.",
        ROW_SOURCES,
    ),
    "document_notes": (
        "Document notes",
        "What a source says about a document besides its sponsors.",
        ROW_SOURCES,
    ),
    "sponsorship_events": (
        "Sponsorship events",
        "Each time a state joined or withdrew as a sponsor of a document (current sponsors "
        "are derived from these: see current_sponsors).",
        ROW_SOURCES,
    ),
    "count_claims": (
        "Reported sponsor counts",
        "Sponsor counts as sources reported them, each kept beside the others.",
        ROW_SOURCES,
    ),
    "votes": (
        "Votes",
        "Decisions on the documents: recorded votes and decisions without a vote.",
        ROW_SOURCES,
    ),
    "vote_sources": ("Vote sources", "Each source record of a vote.", ROW_SOURCES),
    "ballots": (
        "Ballots",
        "Each state's ballot in a recorded vote.",
        "the vote's source (votes.source)",
    ),
    "ballots_not_recorded": (
        "Ballots not recorded",
        "Ballots a vote's source gave that the vote does not record (a former state without "
        "a continuing seat, or a name not known here), so a tally can be set against the "
        "source's count.",
        "the vote's source (votes.source)",
    ),
    "ballot_differences": (
        "Ballot differences",
        "Where a later source's ballot is not the vote's, kept beside it.",
        "the vote source named by key (vote_sources.key); `merge N` is the N-th member's copy "
        "a coordinator merged (`db merge`), numbered in no meaningful order",
    ),
    "vote_statements": (
        "Vote statements",
        "Explanations of vote and dissociations.",
        "the vote's source (votes.source)",
    ),
    "positions": (
        "Positions",
        "Every stance a state took on a topic, with its quote and source (the history; "
        "latest_stances holds the stance that counts now).",
        ROW_SOURCES,
    ),
    "events": ("Timeline", "Meetings, sessions and deadlines of the process.", ROW_SOURCES),
}

# columns left out of every table: who wrote each row (`--who`: a coalition member's name,
# for the coalition's own merges, not for the public)
DROPPED_COLUMNS = ("origin",)

# the derived tables, made from the snapshot by the domain's own functions
DERIVED_TABLES: dict[str, tuple[str, str]] = {
    "regional_groups": (
        "Regional groups",
        "The UN's five regional groups, with the codes that `regional_group` holds in every "
        "table of this copy (observers have none).",
    ),
    "current_sponsors": (
        "Current sponsors",
        "The sponsors of the default document on the day of publishing, as `cahtracker "
        "sponsors list` gives them (a revision keeps the sponsors of the text it revises "
        "unless they withdraw; inherited_from names that text).",
    ),
    "latest_stances": (
        "Latest stances",
        "The stance of each state on each topic that counts on the day of publishing, as "
        "`cahtracker position list` gives it (sources that disagree on the deciding date "
        "are each a row).",
    ),
    "vote_tallies": (
        "Vote tallies",
        "Each vote with its ballots counted, the totals its source printed (official_*), and "
        "how far the ballots cover the body's members, as `cahtracker vote list` gives it.",
    ),
    "sponsor_count_vs_claims": (
        "Sponsor count against reported counts",
        "The sponsors recorded for the default document next to every count a source "
        "reported, as `cahtracker sponsors count` gives them (gap: reported minus recorded).",
    ),
}

# columns indexed for full-text search (`?_search=` in Datasette), where the table has them
FTS_COLUMNS: dict[str, tuple[str, ...]] = {
    "documents": ("symbol", "title", "source"),
    "document_notes": ("text", "source"),
    "positions": ("quote", "note", "source"),
    "latest_stances": ("name", "quote", "note", "source"),
    "events": ("title", "body", "place", "source", "note"),
    "votes": ("symbol", "source", "note"),
    "vote_statements": ("text",),
    "count_claims": ("source", "note"),
    "sponsorship_events": ("source", "note"),
    "current_sponsors": ("name", "source"),
}

GENDER_APARTHEID = "gender-apartheid"

# `db merge --on-conflict keep-both` keys the copy's ballot `merge <the copy's file name> ...`:
# a member's file name, so the published copy numbers them instead (`merge 1`, `merge 2`)
MERGE_KEY_PREFIX = "merge "


def _merge_labels(conn: sqlite3.Connection) -> int:
    """Give each merge key of ballot_differences a neutral label, `merge N`, numbered in the
    order of the keys' SHA-256 (no order of names or dates); returns how many keys."""
    import hashlib

    keys = [
        row[0]
        for row in conn.execute(
            "SELECT DISTINCT key FROM ballot_differences WHERE substr(key, 1, ?) = ?",
            (len(MERGE_KEY_PREFIX), MERGE_KEY_PREFIX),
        )
    ]
    keys.sort(key=lambda k: hashlib.sha256(k.encode("utf-8")).hexdigest())
    labels = {key: f"{MERGE_KEY_PREFIX}{n}" for n, key in enumerate(keys, 1)}
    # through temporary labels: a key may already read `merge 2`
    for n, key in enumerate(keys):
        conn.execute(
            "UPDATE ballot_differences SET key = ? WHERE key = ?", (f"\x00publish {n}", key)
        )
    for n, key in enumerate(keys):
        conn.execute(
            "UPDATE ballot_differences SET key = ? WHERE key = ?", (labels[key], f"\x00publish {n}")
        )
    return len(keys)


def _group_case(column: str) -> str:
    """SQL turning a group's name in `column` into its code (NULL stays NULL)."""
    from cahtracker.states import GROUP_CODES

    whens = " ".join(f"WHEN '{name}' THEN '{code}'" for name, code in GROUP_CODES.items())
    return f"CASE {column} {whens} ELSE {column} END"


def canned_queries(symbol: str | None) -> dict[str, dict[str, Any]]:
    """Datasette's canned queries: sponsors by group, who has not sponsored, stances on
    gender apartheid (the queries name their columns, so added columns do not break them)."""
    document = symbol or "the default document"
    return {
        "sponsors_by_group": {
            "title": f"Sponsors of {document} by group",
            "description": "How many states of each regional group sponsor the default "
            "document (current_sponsors), against the group's members.",
            "sql": (
                "SELECT g.code, g.name, "
                "(SELECT count(*) FROM current_sponsors c WHERE c.regional_group = g.code) "
                "AS sponsors, "
                "(SELECT count(*) FROM states s WHERE s.regional_group = g.code "
                "AND s.status = 'member') AS members "
                "FROM regional_groups g ORDER BY g.name"
            ),
        },
        "who_has_not_sponsored": {
            "title": f"Member states that have not sponsored {document}",
            "description": "Member states missing from current_sponsors; give a group code "
            "(AG, APG, EEG, GRULAC, WEOG) or leave it empty for every group.",
            "sql": (
                "SELECT s.iso3, s.name, s.regional_group FROM states s "
                "WHERE s.status = 'member' "
                "AND s.iso3 NOT IN (SELECT iso3 FROM current_sponsors) "
                "AND (:regional_group = '' OR s.regional_group = upper(:regional_group)) "
                "ORDER BY s.name"
            ),
        },
        "stances_on_gender_apartheid": {
            "title": "Stances on gender apartheid",
            "description": "The latest stance of each state on codifying gender apartheid as "
            "a crime against humanity, with its quote and source.",
            "sql": (
                "SELECT l.name, l.regional_group, l.stance, l.date, l.quote, l.source "
                f"FROM latest_stances l WHERE l.topic = '{GENDER_APARTHEID}' "
                "ORDER BY l.stance, l.name"
            ),
        },
    }


# ---------------------------------------------------------------- the copy


def _names(conn: sqlite3.Connection, kind: str) -> list[str]:
    return [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = ? AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name",
            (kind,),
        )
    ]


def derived_rows(store) -> dict[str, Any]:
    """Everything the copy derives, read from `store` (the snapshot) by the domain's own
    functions: {symbol, current_sponsors, latest_stances, vote_tallies, count_summary}."""
    from cahtracker.documents import resolve_symbol
    from cahtracker.positions import list_positions
    from cahtracker.sponsors import count_summary, current_sponsors
    from cahtracker.votes import list_votes

    try:
        symbol = resolve_symbol(store, None)
    except CahError:
        symbol = None  # no default document: the document's tables are empty
    return {
        "symbol": symbol,
        "current_sponsors": current_sponsors(store, symbol) if symbol else [],
        "latest_stances": list_positions(store),
        "vote_tallies": list_votes(store, details=True),
        "count_summary": count_summary(store, symbol) if symbol else None,
    }


def _sponsor_rows(symbol, rows, groups: dict[str, str | None]):
    return [{"symbol": symbol, **row, "regional_group": groups.get(row["iso3"])} for row in rows]


def _stance_rows(rows, groups: dict[str, str | None]):
    return [
        {
            "position_id": row["id"],
            "iso3": row["iso3"],
            "name": row["name"],
            "regional_group": groups.get(row["iso3"]),
            **{key: row[key] for key in row if key not in ("id", "iso3", "name")},
        }
        for row in rows
    ]


def _tally_rows(rows):
    from cahtracker.voting import TALLY_KEYS

    out = []
    for row in rows:
        official = row.get("official_totals") or {}
        cover = row.get("coverage") or {}
        out.append(
            {
                "vote_id": row["id"],
                **{k: row[k] for k in ("symbol", "body", "date", "method", "outcome")},
                # no tally (NULLs) for a decision without ballots, as `vote list` gives none
                **{k: (row["tally"] or {}).get(k) for k in TALLY_KEYS},
                **{f"official_{k}": official.get(k) for k in ("yes", "no", "abstain")},
                "official_non_voting": official.get("non_voting"),
                "official_members": official.get("members"),
                "members": cover.get("members"),
                "members_recorded": cover.get("recorded"),
                "not_recorded": cover.get("not_recorded"),
                "ballots_not_recorded": cover.get("ballots_not_recorded"),
                "complete": cover.get("complete"),
                **{k: row[k] for k in ("majority", "meeting", "source", "unsourced", "note")},
            }
        )
    return out


def _claim_rows(summary):
    if summary is None:
        return []
    latest = summary["latest_claim"]
    return [
        {
            "document": summary["document"],
            "recorded": summary["recorded"],
            "reported": claim["count"],
            "gap": claim["count"] - summary["recorded"],
            "latest": claim is latest,
            "date": claim["date"],
            "date_precision": claim["date_precision"],
            "claim_symbol": claim["symbol"],
            "source": claim["source"],
            "source_kind": claim["source_kind"],
            "note": claim["note"],
        }
        for claim in summary["claims"]
    ]


# column -> (type, foreign key) of the derived tables, so that an empty one has its columns
_STATE = ("iso3", "states", "iso3")
_GROUP = ("regional_group", "regional_groups", "code")
_SCHEMAS: dict[str, tuple[dict[str, type], list[tuple[str, str, str]]]] = {
    "current_sponsors": (
        {
            "symbol": str,
            "iso3": str,
            "name": str,
            "regional_group": str,
            "role": str,
            "joined_on": str,
            "date_precision": str,
            "joined_after": str,
            "listed_as": str,
            "source": str,
            "source_kind": str,
            "unsourced": int,
            "inherited_from": str,
        },
        [("symbol", "documents", "symbol"), _STATE, _GROUP],
    ),
    "latest_stances": (
        {
            "position_id": int,
            "iso3": str,
            "name": str,
            "regional_group": str,
            "topic": str,
            "stance": str,
            "date": str,
            "date_precision": str,
            "source": str,
            "source_kind": str,
            "unsourced": int,
            "quote": str,
            "quote_kind": str,
            "note": str,
        },
        [("position_id", "positions", "id"), _STATE, _GROUP, ("topic", "topics", "slug")],
    ),
    "vote_tallies": (
        {
            "vote_id": int,
            "symbol": str,
            "body": str,
            "date": str,
            "method": str,
            "outcome": str,
            **dict.fromkeys(("yes", "no", "abstain", "non_voting", "absent"), int),
            **dict.fromkeys(
                (
                    "official_yes",
                    "official_no",
                    "official_abstain",
                    "official_non_voting",
                    "official_members",
                    "members",
                    "members_recorded",
                    "not_recorded",
                    "ballots_not_recorded",
                    "complete",
                ),
                int,
            ),
            "majority": str,
            "meeting": str,
            "source": str,
            "unsourced": int,
            "note": str,
        },
        [("vote_id", "votes", "id"), ("symbol", "documents", "symbol")],
    ),
    "sponsor_count_vs_claims": (
        {
            "document": str,
            "recorded": int,
            "reported": int,
            "gap": int,
            "latest": int,
            "date": str,
            "date_precision": str,
            "claim_symbol": str,
            "source": str,
            "source_kind": str,
            "note": str,
        },
        [("document", "documents", "symbol"), ("claim_symbol", "documents", "symbol")],
    ),
}


def _regional_groups(db) -> None:
    from cahtracker.states import GROUP_CODES

    db["regional_groups"].create({"code": str, "name": str}, pk="code", not_null={"name"})
    db["regional_groups"].insert_all(
        [{"code": code, "name": name} for name, code in GROUP_CODES.items()]
    )


def _group_codes(db) -> None:
    """`states.regional_group` becomes the group's code, a foreign key to regional_groups."""
    db.execute(f"UPDATE states SET regional_group = {_group_case('regional_group')}")
    db["states"].add_foreign_key("regional_group", "regional_groups", "code")


def _materialise(db, derived: dict[str, Any]) -> None:
    groups = dict(db.execute("SELECT iso3, regional_group FROM states").fetchall())
    symbol = derived["symbol"]
    rows = {
        "current_sponsors": _sponsor_rows(symbol, derived["current_sponsors"], groups),
        "latest_stances": _stance_rows(derived["latest_stances"], groups),
        "vote_tallies": _tally_rows(derived["vote_tallies"]),
        "sponsor_count_vs_claims": _claim_rows(derived["count_summary"]),
    }
    for table, (columns, foreign_keys) in _SCHEMAS.items():
        db[table].create(columns, foreign_keys=foreign_keys)
        db[table].insert_all({c: row.get(c) for c in columns} for row in rows[table])


def _enable_search(db) -> list[str]:
    indexed = []
    for table, wanted in FTS_COLUMNS.items():
        if not db[table].exists():
            continue
        have = set(db[table].columns_dict)
        columns = [c for c in wanted if c in have]
        if columns:
            db[table].enable_fts(columns, create_triggers=False)
            indexed.append(table)
    return indexed


def write_copy(store, target: Path) -> dict[str, Any]:
    """Write the published copy of `store` to `target` (a new file) and return what it holds:
    {symbol, tables: {name: rows}, dropped: [tables and views], dropped_columns: [names
    left out of every table], search: [tables with full-text search]}."""
    from sqlite_utils import Database

    from cahtracker.db import Store, add_collations

    store.conn.execute("VACUUM INTO ?", (os.fspath(target),))  # one consistent snapshot
    conn = sqlite3.connect(os.fspath(target), isolation_level=None)
    add_collations(conn)  # the domain's queries that derive the tables use them
    try:
        conn.execute("PRAGMA journal_mode = OFF")  # the staging folder goes if this fails
        # as most builds of SQLite (Debian's zeroes freed pages): the VACUUM below is what
        # removes the dropped text, on every build alike (the tests check it does)
        conn.execute("PRAGMA secure_delete = OFF")
        derived = derived_rows(Store(target, conn))
        for trigger in _names(conn, "trigger"):  # nothing writes a published copy
            conn.execute(f'DROP TRIGGER "{trigger}"')
        dropped = []
        for view in _names(conn, "view"):
            conn.execute(f'DROP VIEW "{view}"')
            dropped.append(view)
        for table in _names(conn, "table"):
            if table not in PUBLISHED_TABLES:
                conn.execute(f'DROP TABLE "{table}"')
                dropped.append(table)
        columns: set[str] = set()
        for table in PUBLISHED_TABLES:
            present = {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}
            for column in DROPPED_COLUMNS:
                if column in present:
                    conn.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
                    columns.add(column)
        _merge_labels(conn)
        db = Database(conn, execute_plugins=False)
        _regional_groups(db)
        _group_codes(db)
        _materialise(db, derived)
        search = _enable_search(db)
        conn.execute("PRAGMA user_version = 0")  # not a cahtracker database: a publication
        conn.execute("VACUUM")  # no free page keeps the text of what was dropped
        conn.execute("PRAGMA journal_mode = DELETE")
        tables = {
            name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            for name in [*PUBLISHED_TABLES, *DERIVED_TABLES]
        }
    finally:
        conn.close()
    return {
        "symbol": derived["symbol"],
        "tables": tables,
        "dropped": dropped,
        "dropped_columns": sorted(columns),
        "search": search,
    }


# ---------------------------------------------------------------- metadata.json


def metadata(summary: dict[str, Any], published_on: str) -> dict[str, Any]:
    """Datasette's metadata.json for the copy: titles, descriptions, sources, licence, the
    canned queries; `regional_groups` is the label of every `regional_group` link."""
    from cahtracker import __version__

    symbol = summary["symbol"]
    document = f"; the default document is {symbol}" if symbol else "; no default document"
    tables: dict[str, Any] = {}
    for name, (title, description, source) in PUBLISHED_TABLES.items():
        tables[name] = {"title": title, "description": description, "source": source}
    for name, (title, description) in DERIVED_TABLES.items():
        tables[name] = {
            "title": title,
            "description": f"{description} Derived on {published_on}.",
            "source": "derived by cahtracker from the tables of this copy",
        }
    tables["regional_groups"]["label_column"] = "name"
    tables["regional_groups"]["source"] = (
        'group names: the UN DGACM page "Regional groups of Member States" '
        "(https://www.un.org/dgacm/en/content/regional-groups); codes: the usual abbreviations, "
        "as cahtracker's --group option takes them"
    )
    for name in tables:
        tables[name]["license"] = LICENCE
    return {
        "title": "Crimes against humanity treaty tracker",
        "description": (
            "Sponsors, votes, stances and the timeline of the UN process towards a convention "
            f"on crimes against humanity, published by cahtracker {__version__} on "
            f"{published_on}{document}. A read-only copy: the change log, the settings and "
            "who wrote each row are not in it. Each fact's gid, its id in every copy of the "
            "coalition's database, is a UUIDv7: its first 12 hex digits are the millisecond "
            "the fact was entered, or its database migrated to global ids (the seed's facts "
            "and the second versions a merge keeps have UUIDv5s, which hold no time). Sources "
            "are published as they were recorded, file names included; a merged copy's file "
            "name in ballot_differences.key is replaced by `merge N`."
        ),
        "license": LICENCE,
        "source": "the sources each row names (published as they were recorded) and, for the "
        "reference tables, each table's source",
        "databases": {
            DATABASE_NAME: {
                "title": "cahtracker",
                "tables": tables,
                "queries": canned_queries(symbol),
            }
        },
    }


# ---------------------------------------------------------------- the folder


DIGEST = "sha256"  # marker lines `sha256 HEX NAME`: the files as publish wrote them
WRITTEN = (DATABASE_FILE, METADATA_FILE)


def _digest(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def marker_text(folder: Path) -> str:
    """The marker: its first line, the files publish wrote, then each one's digest."""
    digests = [f"{DIGEST} {_digest(folder / name)} {name}" for name in WRITTEN]
    return "\n".join([MARKER_LINE, *WRITTEN, *digests]) + "\n"


def changed_files(folder: Path) -> list[str]:
    """The files of an earlier publish in `folder` that are not as it wrote them (or whose
    digest its marker does not record); a file removed since is not counted."""
    from cahtracker.outputs import marker_lines

    lines = marker_lines(folder / MARKER)
    recorded = {}
    for line in lines[1:]:
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[0] == DIGEST:
            recorded[parts[2]] = parts[1]
    return [
        name
        for name in WRITTEN
        if (folder / name).is_file() and recorded.get(name) != _digest(folder / name)
    ]


def _refuse_existing(out_dir: Path, overwrite: bool) -> None:
    from cahtracker.outputs import not_our_folder

    if not os.path.lexists(out_dir):
        return
    if out_dir.is_dir() and not out_dir.is_symlink() and not any(os.scandir(out_dir)):
        return  # an empty folder: nothing in it to lose
    if not overwrite:
        raise CahError(
            f"{out_dir} already exists; pass --force to replace it (only a folder an earlier "
            "publish wrote is ever replaced)."
        )
    if not out_dir.is_dir():
        raise CahError(f"{out_dir} is a file, not a folder; give a new folder.")
    reason = not_our_folder(out_dir, MARKER, MARKER_LINE, WHAT)
    if reason:
        raise CahError(
            f"{out_dir} {reason}, so it is not replaced, even with --force; give a new folder."
        )
    changed = changed_files(out_dir)
    if changed:
        raise CahError(
            f"{out_dir / changed[0]} changed since publish wrote it, so {out_dir} is not "
            "replaced, even with --force; keep your edits in a file outside the folder (give "
            "it to datasette with -m instead of ours) and remove the folder, or give a new one."
        )


def publish(store, out_dir: Path, overwrite: bool = False) -> dict[str, Any]:
    """Write OUT_DIR with the published copy (`DATABASE_FILE`) and its metadata.json, in full
    or not at all. Returns {path, database, metadata, symbol, tables, dropped, search}."""
    from cahtracker.dates import today
    from cahtracker.outputs import clean_leftovers, permissions, put_in_place, refuse_unsafe, staged

    out_dir = Path(out_dir).expanduser()
    parent = out_dir.parent  # "." for a bare name
    if not parent.is_dir():
        raise CahError(
            f"Cannot write {out_dir}: the folder {parent} does not exist; create it or give "
            "another folder."
        )
    refuse_unsafe(
        out_dir, store.path, WHAT, give="a folder (new, empty, or an earlier publish with --force)"
    )
    try:
        clean_leftovers(out_dir)
        _refuse_existing(out_dir, overwrite)
        with staged(out_dir, folder=True) as staging:
            summary = write_copy(store, staging / DATABASE_FILE)
            text = json.dumps(metadata(summary, today().isoformat()), indent=2, ensure_ascii=False)
            (staging / METADATA_FILE).write_text(text + "\n", encoding="utf-8")
            (staging / MARKER).write_text(marker_text(staging), encoding="utf-8")
            os.chmod(staging / DATABASE_FILE, permissions(0o444))  # a read-only copy
            os.chmod(staging, permissions(0o777))
            put_in_place(staging, out_dir)
    except (OSError, sqlite3.Error) as error:
        raise CahError(f"Could not publish to {out_dir}: {error}. Nothing was written.") from None
    return {
        "path": str(out_dir),
        "database": str(out_dir / DATABASE_FILE),
        "metadata": str(out_dir / METADATA_FILE),
        **summary,
    }


def _serve_arguments(out_dir: Path) -> list[str]:
    """`datasette serve -i DB -m METADATA`: immutable, so Datasette never writes the copy."""
    return [
        "serve",
        "-i",
        os.fspath(Path(out_dir) / DATABASE_FILE),
        "-m",
        os.fspath(Path(out_dir) / METADATA_FILE),
    ]


def view_command(out_dir: Path) -> str:
    """How to serve the copy yourself (what `--serve` runs, without host and port)."""
    import shlex

    return shlex.join(["datasette", *_serve_arguments(out_dir)])


def refuse_busy_port(port: int, host: str = "127.0.0.1") -> None:
    """A CahError if `port` on `host` cannot be listened on (another server holds it), so
    that `--serve` refuses before it writes anything. The server binds as this probe does
    (SO_REUSEADDR), so a port left in TIME_WAIT counts as free."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise CahError(
                f"Port {port} on {host} is not free ({error.strerror}); give another with "
                "--port N. Nothing was written."
            ) from None


def serve_command(out_dir: Path, port: int) -> list[str]:
    """The command line that serves the published copy on 127.0.0.1 (immutable: Datasette
    counts once and never locks a file nobody writes); a CahError if Datasette is missing."""
    import importlib.util
    import sys

    if importlib.util.find_spec("datasette") is None:
        raise CahError(
            "Datasette is not installed; install the extra with `pip install "
            "'cahtracker[publish]'` (or run `datasette` on the folder yourself)."
        )
    return [
        sys.executable,
        "-m",
        "datasette",
        *_serve_arguments(out_dir),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
