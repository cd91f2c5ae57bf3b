"""Votes: record a decision, show, list and compare them (rows, never printing); their storage.

The rules (choices, tallies, who wins) are in voting.py. The storage API (`insert_vote`,
`insert_choices`, `delete_vote`) is what `vote record` and the importers' writer call.

Change log: a vote is one logical record. Each vote written is logged as one `votes`
change (the row) plus one `ballots` change whose JSON holds the whole list of ballots
(`{"vote_id": id, "ballots": [[iso3, choice, explanation], ...]}`) and, for a decision
without a vote, one `vote_statements` change of the same form. Undoing the `votes` change
of a new vote deletes the row, and its ballots and statements cascade with it.
"""

from __future__ import annotations

import csv
import json
from typing import Any

from cahtracker.db.changes import register_owned
from cahtracker.errors import CahError
from cahtracker.voting import (
    CHOICES,
    METHOD_RECORDED,
    METHOD_WITHDRAWN,
    METHOD_WITHOUT_VOTE,
    check_majority,
    choice_word,
    decide,
    tally_of,
)

VOTE_COLUMNS = (
    "symbol",
    "body",
    "date",
    "meeting",
    "method",
    "outcome",
    "majority",
    "total_yes",
    "total_no",
    "total_abstain",
    "total_non_voting",
    "total_members",
    "undl_id",
    "source",
    "note",
)


# a vote owns its ballots and statements: the change log keeps each list as one change
register_owned(
    "votes",
    "ballots",
    key="vote_id",
    bundle="ballots",
    columns=("iso3", "choice", "explanation"),
    order="iso3",
)
register_owned(
    "votes",
    "vote_statements",
    key="vote_id",
    bundle="statements",
    columns=("iso3", "kind", "text"),
    order="id",
)


# ---------------------------------------------------------------- record


def read_ballot_file(path: str) -> list[tuple[str, str]]:
    """A CSV `state,choice` (a header row is optional) as (state, choice) pairs."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = [row for row in csv.reader(handle) if any(cell.strip() for cell in row)]
    except OSError as error:
        raise CahError(f"Cannot read {path}: {error.strerror}.") from None
    except UnicodeDecodeError:
        raise CahError(
            f"{path} is not UTF-8 text; save it as a UTF-8 CSV `state,choice`."
        ) from None
    except csv.Error as error:  # a NUL byte, a field over 128 KB: not a ballot list
        raise CahError(f"{path}: {error}; give a UTF-8 CSV `state,choice`.") from None
    if rows and [c.strip().casefold() for c in rows[0][:2]] == ["state", "choice"]:
        rows = rows[1:]
    pairs = []
    for number, row in enumerate(rows, start=1):
        if len(row) < 2:
            raise CahError(f"{path} line {number}: expected `state,choice`, got {','.join(row)!r}.")
        pairs.append((row[0].strip(), row[1].strip()))
    return pairs


def record_vote(
    store,
    names,
    *,
    symbol: str,
    when,
    body: str,
    lists: dict[str, str | None],
    file_pairs: list[tuple[str, str]] = (),
    without_vote: bool = False,
    withdrawn: bool = False,
    majority: str = "simple",
    meeting: str | None = None,
    source: str | None = None,
    note: str | None = None,
    dissociating: str | None = None,
    explanations: list[str] = (),
    create_doc: bool = False,
    new_body: bool = False,
) -> int:
    """Validate everything, then write one vote in one transaction; returns its id.

    The document (found, or created with --create-doc) and the body are decided inside the
    write, so concurrent commands that create the same document cannot race.
    """
    from cahtracker.documents import (
        check_symbol,
        create_document,
        find_document,
        kind_of_symbol,
        resolve_body,
        unknown_document,
    )

    check_majority(majority)
    if without_vote and withdrawn:
        raise CahError("A decision is either --without-vote or --withdrawn, not both.")
    on = when.value
    ballots: dict[str, tuple[str, str]] = {}  # iso3 -> (choice, where it was named)

    def put(iso3: str, choice: str, where: str) -> None:
        if iso3 in ballots and ballots[iso3][0] != choice:
            raise CahError(
                f"{names.ref(iso3).label()} is named in both {ballots[iso3][1]} and {where}; "
                "give each state one choice. Nothing was recorded."
            )
        ballots[iso3] = (choice, where)

    for choice in CHOICES:
        text = lists.get(choice)
        if text:
            for ref in names.resolve_list(text, on=on):
                put(ref.iso3, choice, f"--{choice}")
    for state, word in file_pairs:
        put(names.resolve(state, on=on).iso3, choice_word(word), "--from-file")
    statements: list[tuple[str, str, str | None]] = []
    if dissociating:
        if not without_vote:
            raise CahError("--dissociating is for decisions taken --without-vote.")
        for ref in names.resolve_list(dissociating, on=on):
            statements.append((ref.iso3, "dissociation", None))
    explained: dict[str, str] = {}
    for item in explanations:
        state, sep, text = item.partition("=")
        if not sep or not text.strip():
            raise CahError(f"--explanation '{item}': write STATE=TEXT.")
        explained[names.resolve(state.strip(), on=on).iso3] = text.strip()
    if without_vote or withdrawn:
        if ballots:
            kind = "--without-vote" if without_vote else "--withdrawn"
            raise CahError(f"A decision {kind} has no ballots; drop the state lists or {kind}.")
        method = METHOD_WITHOUT_VOTE if without_vote else METHOD_WITHDRAWN
        outcome = "adopted" if without_vote else "withdrawn"
        if withdrawn and explained:
            raise CahError("--explanation is for a recorded vote or a decision --without-vote.")
        for iso3, text in explained.items():
            statements.append((iso3, "explanation", text))
    else:
        if not ballots:
            raise CahError(
                "No ballots given; use --yes/--no/--abstain/--non-voting/--absent or --from-file, "
                "or --without-vote / --withdrawn."
            )
        method = METHOD_RECORDED
        tally = tally_of(c for c, _ in ballots.values())
        outcome = decide(tally["yes"], tally["no"], majority)
    ballot_rows = [
        (iso3, choice, explained.get(iso3)) for iso3, (choice, _) in sorted(ballots.items())
    ]
    if method == METHOD_RECORDED:
        for iso3, text in explained.items():
            if iso3 not in ballots:
                statements.append((iso3, "explanation", text))
    with store.write("vote record"):
        doc_row = find_document(store, symbol)
        body_name = resolve_body(store, body, new=new_body)
        if doc_row is None:
            if not create_doc:
                raise unknown_document(store, symbol, "Pass --create-doc to add it.")
            doc_row = create_document(
                store, check_symbol(symbol), kind_of_symbol(symbol), body_name
            )
        row = {
            "symbol": doc_row["symbol"],
            "body": body_name,
            "date": on,
            "meeting": meeting,
            "method": method,
            "outcome": outcome,
            "majority": majority if method == METHOD_RECORDED else None,
            "source": source,
            "note": note,
        }
        return insert_vote(store, row, ballot_rows, statements)


def insert_vote(
    store,
    row: dict[str, Any],
    ballot_rows: list[tuple[str, str, str | None]],
    statements: list[tuple[str, str, str | None]] = (),
    vote_id: int | None = None,
    log_ballots: bool = True,
) -> int:
    """Insert one vote with its ballots (executemany) and statements; log it as one vote.

    An import passes log_ballots=False: the vote's change is logged `with_owned`, so that
    undoing it takes its ballots with it (and logs them then); a list per vote would only
    cost time (a replaced vote's old ballots are logged).
    """
    full = {k: row.get(k) for k in VOTE_COLUMNS}
    marks = ", ".join("?" for _ in VOTE_COLUMNS)
    cursor = store.conn.execute(
        f"INSERT INTO votes (id, {', '.join(VOTE_COLUMNS)}) VALUES (?, {marks})",
        (vote_id, *full.values()),
    )
    vote_id = cursor.lastrowid if vote_id is None else vote_id
    insert_ballots(store.conn, vote_id, ballot_rows)
    if statements:
        store.conn.executemany(
            "INSERT INTO vote_statements (vote_id, iso3, kind, text) VALUES (?, ?, ?, ?)",
            [(vote_id, *s) for s in statements],
        )
    store.log_change("votes", vote_id, None, {"id": vote_id, **full}, with_owned=not log_ballots)
    if ballot_rows and log_ballots:
        store.log_change(
            "ballots",
            vote_id,
            None,
            {"vote_id": vote_id, "ballots": [list(b) for b in ballot_rows]},
        )
    if statements:
        store.log_change(
            "vote_statements",
            vote_id,
            None,
            {"vote_id": vote_id, "statements": [list(s) for s in statements]},
        )
    return vote_id


_CHUNK = 240  # 4 parameters a ballot: under SQLite's oldest limit of 999 variables


def insert_ballots(conn, vote_id: int, ballot_rows: list[tuple[str, str, str | None]]) -> None:
    """One multi-row INSERT per vote (in chunks), not executemany.

    Measured here: the CHECK (choice IN (...)) of m001 is re-prepared as an ephemeral
    lookup on every step of an executemany, which made 193,000 ballots cost 2.5 s of CPU;
    one statement per 193-ballot vote costs 0.9 s for the same rows.
    """
    for start in range(0, len(ballot_rows), _CHUNK):
        chunk = ballot_rows[start : start + _CHUNK]
        params: list = []
        for iso3, choice, explanation in chunk:
            params += (vote_id, iso3, choice, explanation)
        conn.execute(
            "INSERT INTO ballots (vote_id, iso3, choice, explanation) VALUES "
            + ", ".join(["(?, ?, ?, ?)"] * len(chunk)),
            params,
        )


_CHOICE_SQL: dict[int, str] = {}
_CHOICE_CHUNK = 400  # 2 parameters a ballot + the vote id: under SQLite's oldest limit of 999


def insert_choices(conn, vote_id: int, pairs: list[tuple[str, str]]) -> None:
    """Ballots without explanations, (iso3, choice) in primary-key order: the bulk import's path.

    One statement per vote whose rows share the vote id as `?1`, so the parameters are the
    pairs flattened (no tuple built per ballot); the SQL of each length is built once.
    """
    from itertools import chain

    for start in range(0, len(pairs), _CHOICE_CHUNK):
        chunk = pairs[start : start + _CHOICE_CHUNK] if len(pairs) > _CHOICE_CHUNK else pairs
        n = len(chunk)
        sql = _CHOICE_SQL.get(n)
        if sql is None:
            sql = _CHOICE_SQL[n] = (
                "INSERT INTO ballots (vote_id, iso3, choice) VALUES "
                + ", ".join(f"(?1, ?{2 * k + 2}, ?{2 * k + 3})" for k in range(n))
            )
        conn.execute(sql, (vote_id, *chain.from_iterable(chunk)))


def delete_vote(store, vote_id: int) -> None:
    """Delete a vote (ballots and statements cascade), logging what it held."""
    before = store.one("SELECT * FROM votes WHERE id = ?", (vote_id,))
    ballots = store.conn.execute(
        "SELECT iso3, choice, explanation FROM ballots WHERE vote_id = ? ORDER BY iso3", (vote_id,)
    ).fetchall()
    statements = store.conn.execute(
        "SELECT iso3, kind, text FROM vote_statements WHERE vote_id = ? ORDER BY id", (vote_id,)
    ).fetchall()
    # explicit, not by cascade: a bulk import runs with foreign-key checks off
    store.conn.execute("DELETE FROM ballots WHERE vote_id = ?", (vote_id,))
    store.conn.execute("DELETE FROM vote_statements WHERE vote_id = ?", (vote_id,))
    store.conn.execute("DELETE FROM votes WHERE id = ?", (vote_id,))
    if ballots:
        store.log_change(
            "ballots", vote_id, {"vote_id": vote_id, "ballots": [list(b) for b in ballots]}, None
        )
    if statements:
        store.log_change(
            "vote_statements",
            vote_id,
            {"vote_id": vote_id, "statements": [list(s) for s in statements]},
            None,
        )
    store.log_change("votes", vote_id, before, None)


def vote_index(store) -> tuple[dict[str, int], dict[tuple, tuple[int, str | None]]]:
    """How an import finds the votes it replaces: by the source's own key, and by
    (symbol, date, body) -> (id, key) for votes recorded by hand or without a key."""
    by_key = {
        k: i
        for i, k in store.conn.execute("SELECT id, undl_id FROM votes WHERE undl_id IS NOT NULL")
    }
    by_triple = {
        (s, d, b): (i, k)
        for i, s, d, b, k in store.conn.execute(
            "SELECT id, symbol, date, body, undl_id FROM votes ORDER BY id"
        )
    }
    return by_key, by_triple


class BallotIndex:
    """Drops the secondary index of `ballots` once an import has added more ballots than the
    table held (and at least BIG), and builds it again at the end, inside the same transaction.

    Measured: keeping the (iso3, vote_id) index up to date row by row costs more than building
    it once when most of the table is new; for a small import into a big table it is the other
    way round, hence the threshold. A refused import rolls the DROP back with everything else.
    """

    NAME = "idx_ballots_iso3"
    BIG = 50_000

    def __init__(self, conn) -> None:
        self.conn = conn
        row = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (self.NAME,)
        ).fetchone()
        self.sql = row[0] if row else None
        self.count = 0
        self.existing: int | None = None  # counted once the import is big (a scan: ~30 ms/1M)
        self.dropped = False

    def added(self, n: int) -> None:
        self.count += n
        if self.dropped or not self.sql or self.count <= self.BIG:
            return
        if self.existing is None:
            total = self.conn.execute("SELECT count(*) FROM ballots").fetchone()[0]
            self.existing = total - self.count  # before this import
        if self.count > self.existing:
            self.conn.execute(f"DROP INDEX {self.NAME}")
            self.dropped = True

    def restore(self) -> None:
        if self.dropped:
            self.conn.execute(self.sql)
            self.dropped = False


# ---------------------------------------------------------------- read


def find_vote(store, ref: str) -> dict[str, Any]:
    """A vote by id, or the latest vote on a document symbol (by date, then order recorded)."""
    text = ref.strip()
    if text.isdigit():
        row = store.one("SELECT * FROM votes WHERE id = ?", (int(text),))
        if row is None:
            raise CahError(f"No vote with id {text}; see `cahtracker vote list` for the ids.")
        return row
    row = store.one(
        "SELECT * FROM votes WHERE symbol = ? ORDER BY date DESC, id DESC LIMIT 1", (text,)
    ) or store.one(
        "SELECT * FROM votes WHERE upper(symbol) = upper(?) ORDER BY date DESC, id DESC LIMIT 1",
        (text,),
    )
    if row is None:
        import difflib

        known = [r["symbol"] for r in store.query("SELECT DISTINCT symbol FROM votes")]
        close = difflib.get_close_matches(text, known, n=3, cutoff=0.5)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise CahError(f"No vote on '{text}'.{hint} Give a vote id or a voted symbol (vote list).")
    return row


def official_totals(vote: dict[str, Any]) -> dict[str, int] | None:
    keys = ("yes", "no", "abstain", "non_voting", "members")
    values = {k: vote[f"total_{k}"] for k in keys}
    return None if all(v is None for v in values.values()) else values


def totals_warnings(tally: dict[str, int], official: dict[str, int] | None) -> list[str]:
    """Where the ballots counted disagree with the totals the source printed."""
    if not official or not sum(tally.values()):
        return []
    counted = {
        "yes": tally["yes"],
        "no": tally["no"],
        "abstain": tally["abstain"],
        "non_voting": tally["non_voting"] + tally["absent"],
        "members": sum(tally.values()),
    }
    return [
        f"ballots give {key.replace('_', '-')} {counted[key]} but the source says {official[key]}"
        for key in counted
        if official.get(key) is not None and official[key] != counted[key]
    ]


def show_vote(store, ref: str, by_group: bool = False) -> dict[str, Any]:
    vote = find_vote(store, ref)
    ballots = store.query(
        "SELECT b.iso3, s.name, b.choice, s.regional_group, b.explanation FROM ballots b "
        "JOIN states s ON s.iso3 = b.iso3 WHERE b.vote_id = ? ORDER BY s.name",
        (vote["id"],),
    )
    tally = tally_of(b["choice"] for b in ballots)
    official = official_totals(vote)
    statements = store.query(
        "SELECT t.iso3, s.name, t.kind, t.text FROM vote_statements t JOIN states s ON s.iso3 = t.iso3 "
        "WHERE t.vote_id = ? ORDER BY t.kind, s.name",
        (vote["id"],),
    )
    result: dict[str, Any] = {
        "id": vote["id"],
        "symbol": vote["symbol"],
        "body": vote["body"],
        "date": vote["date"],
        "meeting": vote["meeting"],
        "method": vote["method"],
        "outcome": vote["outcome"],
        "majority": vote["majority"],
        "tally": tally,
        "official_totals": official,
        "warnings": totals_warnings(tally, official),
        "ballots": [
            {"iso3": b["iso3"], "name": b["name"], "choice": b["choice"]}
            | ({"explanation": b["explanation"]} if b["explanation"] else {})
            for b in ballots
        ],
        "statements": [
            {"iso3": s["iso3"], "name": s["name"], "kind": s["kind"], "text": s["text"]}
            for s in statements
        ],
        "source": vote["source"],
        "note": vote["note"],
    }
    if by_group:
        from cahtracker.states import GROUPS, NO_GROUP_LABEL

        groups: dict[str, dict[str, int]] = {}
        for group in (*GROUPS, NO_GROUP_LABEL):
            members = [
                b["choice"] for b in ballots if (b["regional_group"] or NO_GROUP_LABEL) == group
            ]
            if members:
                groups[group] = tally_of(members)
        result["by_group"] = groups
    return result


def list_votes(
    store,
    symbol: str | None = None,
    body: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    details: bool = False,
) -> list[dict[str, Any]]:
    """Votes by date with their tallies; `details` adds meeting, majority, source, note and
    the official totals (for the report's exports)."""
    where, params = ["1"], []
    if symbol:
        where.append("upper(v.symbol) = upper(?)")
        params.append(symbol)
    if body and body.strip():
        # any letter case (casefold, not SQLite's ASCII-only LIKE); no LIKE wildcards
        from cahtracker.documents import body_key

        part = body_key(body)
        spellings = {
            r["body"]
            for r in store.query("SELECT DISTINCT body FROM votes WHERE body IS NOT NULL")
            if part in body_key(r["body"])
        }
        where.append("v.body IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(sorted(spellings)))
    if date_from:
        where.append("v.date >= ?")
        params.append(date_from)
    if date_to:
        where.append("v.date <= ?")
        params.append(date_to)
    rows = store.query(
        "SELECT v.*, "
        "count(b.choice = 'yes' OR NULL) AS yes, count(b.choice = 'no' OR NULL) AS no, "
        "count(b.choice = 'abstain' OR NULL) AS abstain, "
        "count(b.choice = 'non-voting' OR NULL) AS non_voting, "
        "count(b.choice = 'absent' OR NULL) AS absent "
        f"FROM votes v LEFT JOIN ballots b ON b.vote_id = v.id WHERE {' AND '.join(where)} "
        "GROUP BY v.id ORDER BY v.date, v.id",
        params,
    )
    return [
        {
            "id": r["id"],
            "symbol": r["symbol"],
            "body": r["body"],
            "date": r["date"],
            "method": r["method"],
            "outcome": r["outcome"],
            "tally": {k: r[k] for k in ("yes", "no", "abstain", "non_voting", "absent")},
        }
        | (
            {
                "meeting": r["meeting"],
                "majority": r["majority"],
                "official_totals": official_totals(r),
                "source": r["source"],
                "note": r["note"],
            }
            if details
            else {}
        )
        for r in rows
    ]


def iter_ballots(store):
    """Every ballot of every vote (vote_id, iso3, name, choice, explanation), streamed by vote."""
    return store.cursor(
        "SELECT b.vote_id, b.iso3, s.name, b.choice, b.explanation FROM ballots b "
        "JOIN states s ON s.iso3 = b.iso3 ORDER BY b.vote_id, b.iso3"
    )


def compare_states(store, names, first: str, second: str) -> dict[str, Any]:
    """How often two states voted alike on the recorded votes both took part in."""
    a, b = names.resolve(first), names.resolve(second)
    if a == b:
        raise CahError(f"Give two different states (both mean {a.label()}).")
    rows = store.query(
        "SELECT v.id, v.symbol, v.date, x.choice AS a, y.choice AS b FROM ballots x "
        "JOIN ballots y ON y.vote_id = x.vote_id AND y.iso3 = ? JOIN votes v ON v.id = x.vote_id "
        "WHERE x.iso3 = ? AND x.choice IN ('yes', 'no', 'abstain') "
        "AND y.choice IN ('yes', 'no', 'abstain') ORDER BY v.date, v.id",
        (b.iso3, a.iso3),
    )
    agreed = sum(1 for r in rows if r["a"] == r["b"])
    return {
        "state_a": {"iso3": a.iso3, "name": a.name},
        "state_b": {"iso3": b.iso3, "name": b.name},
        "votes_compared": len(rows),
        "agreed": agreed,
        "agreement": round(100 * agreed / len(rows), 1) if rows else None,
        "disagreements": [
            {
                "id": r["id"],
                "symbol": r["symbol"],
                "date": r["date"],
                a.iso3: r["a"],
                b.iso3: r["b"],
            }
            for r in rows
            if r["a"] != r["b"]
        ],
    }
