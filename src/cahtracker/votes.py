"""Votes: record a decision, show, list and compare them (rows, never printing); their storage.

The rules (choices, tallies, who wins) are in voting.py. The storage API (`insert_vote` for
`vote record`; `existing_votes`, `create_vote`, `finish_vote`, the source and difference
functions and `delete_vote` for the importers' writer) is here.

Change log: a vote is one logical record. Each vote written is logged as one `votes`
change (the row) plus one `ballots` change whose JSON holds the whole list of ballots
(`{"vote_id": id, "ballots": [[iso3, choice, explanation], ...]}`) and, for a decision
without a vote, one `vote_statements` change of the same form. Undoing the `votes` change
of a new vote deletes the row, and its ballots and statements cascade with it.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from typing import Any

from cahtracker.db.changes import at_once, register_describer, register_owned
from cahtracker.errors import CahError
from cahtracker.sourcing import is_unsourced, require_source
from cahtracker.voting import (
    CHOICES,
    METHOD_RECORDED,
    METHOD_WITHDRAWN,
    METHOD_WITHOUT_VOTE,
    TALLY_KEYS,
    WHOLE_TEXT,
    check_majority,
    choice_word,
    coverage,
    decide,
    tally_key,
    tally_of,
    whole_assembly,
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
    "question",
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
# the source records of a vote, and where a later source's ballots differ from the vote's
register_owned(  # with their ids, so that an undo and its redo give each source back its id
    "votes",
    "vote_sources",
    key="vote_id",
    bundle="sources",
    columns=("id", "key", "source"),
    order="id",
)
register_owned(
    "votes",
    "ballot_differences",
    key="vote_id",
    bundle="differences",
    columns=("key", "iso3", "choice"),
    order="key, iso3",
)
# the ballots its source gave that the vote does not record (former states, unknown names)
register_owned(
    "votes",
    "ballots_not_recorded",
    key="vote_id",
    bundle="not_recorded",
    columns=("reason", "name", "choice", "ballots"),
    order="reason, name, choice",
)


# ---------------------------------------------------------------- record


MAX_BALLOT_FILE_BYTES = 1024 * 1024  # 193 members' `state,choice` rows are under 10 KB


def read_ballot_file(path: str) -> list[tuple[str, str]]:
    """A CSV `state,choice` (a header row is optional) as (state, choice) pairs."""
    from cahtracker.importers.reading import regular_file

    regular_file(path, "a UTF-8 CSV of `state,choice` rows", MAX_BALLOT_FILE_BYTES)
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
    unsourced: bool = False,
    also: bool = False,
    replace: bool = False,
) -> dict[str, Any]:
    """Validate everything, then write one vote in one transaction; returns {"id",
    "replaced": the id it replaced or None, "kept": the fields kept from it}.

    The vote needs its `source` (or `unsourced`). A second decision on the same document,
    by the same body on the same date, is refused unless `also` (a separate vote that day)
    or `replace` (it replaces the one there: deleted and written again under its id, both
    logged). A replacement keeps the replaced vote's meeting and note unless `meeting` or
    `note` is given; an empty one clears it. The document (found, or created with --create-doc, with the vote's source) and
    the body are decided inside the write, so concurrent commands cannot race.
    """
    from cahtracker.documents import (
        check_symbol,
        create_document,
        find_document,
        kind_of_symbol,
        resolve_body,
        unknown_document,
    )

    source = require_source(source, unsourced, "vote record")
    if also and replace:
        raise CahError("Give --also (a separate vote the same day) or --replace, not both.")
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
                store, check_symbol(symbol), kind_of_symbol(symbol), body_name, source=source
            )
        same = same_decisions(store, doc_row["symbol"], body_name, on)
        replaced = _check_duplicate(same, doc_row["symbol"], body_name, on, also, replace)
        given = {"meeting": meeting, "note": note}
        # kept as typed (the fuzz test checks text round-trips exactly); '' clears
        fields = {k: v or None for k, v in given.items()}
        kept = []
        gid = None
        if replaced is not None:  # a correction: the same fact, so the same global id
            old = store.one("SELECT meeting, note, gid FROM votes WHERE id = ?", (replaced,))
            gid = old["gid"]
            for key, value in given.items():
                if value is None and old[key] is not None:  # not given: the old one stays
                    fields[key] = old[key]
                    kept.append(key)
            delete_vote(store, replaced)
        row = {
            "gid": gid,
            "symbol": doc_row["symbol"],
            "body": body_name,
            "date": on,
            "meeting": fields["meeting"],
            "method": method,
            "outcome": outcome,
            "majority": majority if method == METHOD_RECORDED else None,
            "source": source,
            "note": fields["note"],
        }
        vote_id = insert_vote(store, row, ballot_rows, statements, vote_id=replaced)
    return {"id": vote_id, "replaced": replaced, "kept": kept}


def same_decisions(
    store, symbol: str, body: str | None, date: str, but: int | None = None
) -> list[dict[str, Any]]:
    """The votes on `symbol` by `body` (any letter case) on `date`, except vote `but`."""
    from cahtracker.documents import body_key

    key = body_key(body or "")
    return [
        row
        for row in store.query(
            "SELECT id, method, outcome, body FROM votes WHERE symbol = ? AND date IS ? "
            "ORDER BY id",
            (symbol, date),
        )
        if body_key(row["body"] or "") == key and row["id"] != but
    ]


def _check_duplicate(
    same: list[dict[str, Any]], symbol: str, body: str | None, on: str, also: bool, replace: bool
) -> int | None:
    """The vote a new one replaces (None: none), or the refusal of a second decision."""
    where = f"on {symbol} by {body or 'no body'} on {on}"
    if replace:
        if not same:
            raise CahError(f"--replace: no decision {where} to replace; drop --replace.")
        if len(same) > 1:
            ids = ", ".join(str(v["id"]) for v in same)
            raise CahError(
                f"--replace: {len(same)} decisions {where} (votes {ids}); delete the wrong one "
                "with `cahtracker vote delete ID`, or correct it with `cahtracker vote edit ID`."
            )
        return same[0]["id"]
    if same and not also:
        first = same[0]
        more = f" (and {len(same) - 1} more)" if len(same) > 1 else ""
        raise CahError(
            f"Vote {first['id']}{more} already records a decision {where} "
            f"({first['outcome'] or 'no outcome'}, {first['method']}); pass --replace to replace "
            "it, or --also if this is a separate vote on the same day. Nothing was recorded."
        )
    return None


def insert_vote(
    store,
    row: dict[str, Any],
    ballot_rows: list[tuple[str, str, str | None]],
    statements: list[tuple[str, str, str | None]] = (),
    vote_id: int | None = None,
) -> int:
    """Insert one vote with its ballots and statements, each list logged as one change."""
    from cahtracker.db.ids import stamp

    full = stamp(store, {k: row.get(k) for k in (*VOTE_COLUMNS, "gid", "origin") if k in row})
    full = {k: full.get(k) for k in (*VOTE_COLUMNS, "gid", "origin")}
    marks = ", ".join("?" for _ in full)
    cursor = store.conn.execute(
        f"INSERT INTO votes (id, {', '.join(full)}) VALUES (?, {marks})",
        (vote_id, *full.values()),
    )
    vote_id = cursor.lastrowid if vote_id is None else vote_id
    insert_ballots(store.conn, vote_id, ballot_rows)
    if statements:
        store.conn.executemany(
            "INSERT INTO vote_statements (vote_id, iso3, kind, text) VALUES (?, ?, ?, ?)",
            [(vote_id, *s) for s in statements],
        )
    store.log_change("votes", vote_id, None, {"id": vote_id, **full})
    if ballot_rows:
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


def delete_vote(store, vote_id: int) -> None:
    """Delete a vote and every row it owns (ballots, statements, sources), logging what it held."""
    from cahtracker.db.changes import delete_owned

    before = store.one("SELECT * FROM votes WHERE id = ?", (vote_id,))
    # explicit, not by cascade: a bulk import runs with foreign-key checks off
    delete_owned(store, "votes", vote_id)
    store.conn.execute("DELETE FROM votes WHERE id = ?", (vote_id,))
    store.log_change("votes", vote_id, before, None)


def remove_vote(store, ref: str) -> dict[str, Any]:
    """`vote delete`: a vote recorded by mistake, with every row it owns, in one logged write
    (`db undo` puts it back whole). `ref` is a vote id. Returns the row deleted."""
    with store.write("vote delete"):
        vote = _vote_by_id(store, ref)
        delete_vote(store, vote["id"])
    return vote


def _vote_by_id(store, ref: str) -> dict[str, Any]:
    text = str(ref).strip()
    if not (text.isascii() and text.isdigit()):
        raise CahError(
            f"'{ref}' is not a vote id; give the number from `cahtracker vote list` "
            "(a symbol can mean several votes)."
        )
    return find_vote(store, text)


OUTCOMES = ("adopted", "rejected", "withdrawn")


def edit_vote(
    store,
    ref: str,
    *,
    when=None,
    meeting: str | None = None,
    body: str | None = None,
    new_body: bool = False,
    majority: str | None = None,
    outcome: str | None = None,
    source: str | None = None,
    unsourced: bool = False,
    note: str | None = None,
    also: bool = False,
) -> dict[str, Any]:
    """`vote edit`: correct the fields of a decision, in one logged update (`db undo` puts the
    old values back). Ballots are not edited here: record the vote again with `--replace`.

    A recorded vote's outcome follows its ballots: a new `majority` decides it again, and
    `outcome` is refused; a decision without ballots (without a vote, withdrawn, or as the
    seed has it) takes `outcome` as given. An empty `meeting` or `note` clears it;
    `unsourced` clears the source. A new date or body that makes it a second decision on the
    same text, body and date is refused unless `also`. Returns {"before", "after"} (the
    rows; equal when nothing changed, and then nothing is written).
    """
    if source is not None or unsourced:
        source = require_source(source, unsourced, "vote edit")
    elif not any(v is not None for v in (when, meeting, body, majority, outcome, note)):
        raise CahError(
            "Nothing to change; give --date, --meeting, --body, --majority, --outcome, "
            "--source (or --unsourced) or --note."
        )
    if majority is not None:
        check_majority(majority)
    if outcome is not None and outcome.strip().casefold() not in OUTCOMES:
        raise CahError(f"Unknown outcome '{outcome}'; use one of: {', '.join(OUTCOMES)}.")
    with store.write("vote edit"):
        before = _vote_by_id(store, ref)
        updates: dict[str, Any] = {}
        if when is not None:
            updates["date"] = when.value
        if meeting is not None:
            updates["meeting"] = meeting.strip() or None
        if note is not None:
            updates["note"] = note.strip() or None
        if source is not None or unsourced:
            updates["source"] = source
        if body is not None:
            from cahtracker.documents import resolve_body

            updates["body"] = resolve_body(store, body, new=new_body)
        recorded = bool(store.scalar("SELECT 1 FROM ballots WHERE vote_id = ?", (before["id"],)))
        if majority is not None:
            if before["method"] != METHOD_RECORDED:
                raise CahError(
                    f"Vote {before['id']} is a decision {before['method']}: it has no majority."
                )
            updates["majority"] = majority
        if outcome is not None:
            if recorded and before["method"] == METHOD_RECORDED:
                raise CahError(
                    f"The outcome of vote {before['id']} follows its ballots and majority; "
                    "change --majority, or record the ballots again with `vote record --replace`."
                )
            updates["outcome"] = outcome.strip().casefold()
        if majority is not None and recorded:  # the outcome under the new majority
            tally = tally_of(
                r[0]
                for r in store.conn.execute(
                    "SELECT choice FROM ballots WHERE vote_id = ?", (before["id"],)
                )
            )
            updates["outcome"] = decide(tally["yes"], tally["no"], majority)
        changed = {k: v for k, v in updates.items() if before.get(k) != v}
        if "date" in changed or "body" in changed:
            same = same_decisions(
                store,
                before["symbol"],
                changed.get("body", before["body"]),
                changed.get("date", before["date"]),
                but=before["id"],
            )
            if same and not also:
                raise CahError(
                    f"Vote {same[0]['id']} already records a decision on {before['symbol']} by "
                    f"{changed.get('body', before['body'])} on {changed.get('date', before['date'])}; "
                    "delete one of them (`cahtracker vote delete ID`), or pass --also if they "
                    "are separate votes. Nothing was changed."
                )
        if not changed:
            return {"before": before, "after": before}
        sets = ", ".join(f"{k} = ?" for k in changed)
        store.conn.execute(
            f"UPDATE votes SET {sets} WHERE id = ?", (*changed.values(), before["id"])
        )
        after = store.one("SELECT * FROM votes WHERE id = ?", (before["id"],))
        store.log_change("votes", before["id"], before, after)
    return {"before": before, "after": after}


@dataclass
class ExistingVotes:
    """How an import finds the votes already stored that a record is (again)."""

    by_key: dict[str, int]  # a source record's key -> its vote
    by_triple: dict[tuple, tuple[int, str | None]]  # (symbol, date, body) -> (id, first key)
    sources: dict[int, int]  # vote id -> how many source records it has
    primary: dict[int, str]  # vote id -> the key of the source whose ballots it holds
    # (symbol, date, body) -> (id, the family of its sources) of the one vote on the text as a
    # whole (or on an unknown question) there, for a record of another source to join
    whole_votes: dict[tuple, tuple[int, str | None]]


def existing_votes(store) -> ExistingVotes:
    conn = store.conn
    by_key = {k: i for k, i in conn.execute("SELECT key, vote_id FROM vote_sources")}
    for i, k in conn.execute("SELECT id, undl_id FROM votes WHERE undl_id IS NOT NULL"):
        by_key.setdefault(k, i)
    sources = dict(conn.execute("SELECT vote_id, count(*) FROM vote_sources GROUP BY vote_id"))
    by_triple: dict[tuple, tuple[int, str | None]] = {}
    whole: dict[tuple, tuple[int, str | None] | None] = {}
    primary: dict[int, str] = {}
    for i, s, d, b, k, question in conn.execute(
        "SELECT id, symbol, date, body, undl_id, question FROM votes ORDER BY id"
    ):
        by_triple[(s, d, b)] = (i, k)
        if k:
            primary[i] = k
        if k and question in (None, WHOLE_TEXT):
            triple = (s, d, b)
            whole[triple] = None if triple in whole else (i, source_family(k))
    return ExistingVotes(
        by_key, by_triple, sources, primary, {t: v for t, v in whole.items() if v is not None}
    )


def source_family(key: str | None) -> str | None:
    """Which source a key comes from (`undl:4031242` -> undl, `unvotes rcid 5480` -> unvotes)."""
    if not key:
        return None
    return key.split(":", 1)[0] if ":" in key else key.split(" ", 1)[0]


def create_votes(store, rows: list[dict[str, Any]], run=None) -> None:
    """Insert vote rows with their ids (an import's; logged by `finish_votes` once decided),
    each with a global id (db/ids.py). The statement's rows are made here; `run` (default:
    at once) is given the statement (a bulk import runs it in its writing thread)."""
    from cahtracker.db.ids import stamp

    columns = ("id", *VOTE_COLUMNS, "gid", "origin")
    params = [tuple(stamped.get(c) for c in columns) for stamped in (stamp(store, r) for r in rows)]

    def write() -> None:
        store.conn.executemany(
            f"INSERT INTO votes ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
            params,
        )

    (run or at_once)(write)


def vote_rows(store, ids: list[int]) -> tuple[list[str], list[tuple]]:
    """The rows of these votes, by id: (column names, rows as tuples: a third of the memory
    of dicts, for the 6,203 votes of the whole history)."""
    cursor = store.conn.execute(
        "SELECT * FROM votes WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
        (json.dumps(ids),),
    )
    return [d[0] for d in cursor.description], cursor.fetchall()


def finish_votes(
    store, votes: list[tuple[int, dict[str, int]]], run=None, rows=None
) -> dict[int, list[str]]:
    """Decide imported votes from their ballots' counts and log each as one change that owns
    its rows; returns, by vote, where the official totals disagree with the ballots.

    The rows (`rows`: `vote_rows` of the votes, read by the caller, else here) are decided
    and their log written out here; `run` (default: at once) is given the statements that
    write them (a bulk import runs them in its writing thread, while this one makes the
    log's texts)."""
    from cahtracker.db.changes import log_inserts

    tallies = {
        vote_id: {tally_key(c): counts.get(c, 0) for c in CHOICES} for vote_id, counts in votes
    }
    columns, values = rows if rows is not None else vote_rows(store, list(tallies))
    outcomes = [(decide(t["yes"], t["no"]), vote_id) for vote_id, t in tallies.items()]
    decided = {vote_id: outcome for outcome, vote_id in outcomes}
    problems = {}

    def decided_rows():  # each as the UPDATE below leaves it, one at a time
        for value in values:
            row = dict(zip(columns, value, strict=True))
            row["outcome"] = decided[row["id"]]
            found = totals_warnings(tallies[row["id"]], official_totals(row))
            if found:
                problems[row["id"]] = found
            yield row

    (run or at_once)(
        lambda: store.conn.executemany("UPDATE votes SET outcome = ? WHERE id = ?", outcomes)
    )
    log_inserts(store, "votes", decided_rows(), "id", with_owned=True, run=run)
    return problems


def add_vote_source(store, vote_id: int, key: str, source: str | None, log: bool = True) -> None:
    cursor = store.conn.execute(
        "INSERT INTO vote_sources (vote_id, key, source) VALUES (?, ?, ?)", (vote_id, key, source)
    )
    if log:
        row = store.one("SELECT * FROM vote_sources WHERE id = ?", (cursor.lastrowid,))
        store.log_change("vote_sources", row["id"], None, row)


def replace_vote_source(store, vote_id: int, key: str, source: str | None) -> None:
    """A source record joins a vote; one it had already starts again (its differences go)."""
    for row in store.query(
        "SELECT * FROM ballot_differences WHERE vote_id = ? AND key = ?", (vote_id, key)
    ):
        store.conn.execute(
            "DELETE FROM ballot_differences WHERE vote_id = ? AND key = ? AND iso3 = ?",
            (vote_id, key, row["iso3"]),
        )
        store.log_change("ballot_differences", f"{vote_id}/{key}/{row['iso3']}", row, None)
    if not store.scalar("SELECT 1 FROM vote_sources WHERE key = ?", (key,)):
        add_vote_source(store, vote_id, key, source)


def fill_vote_details(store, vote_id: int, record) -> None:
    """What another source of a vote adds to it: only what the vote does not say yet."""
    before = store.one("SELECT * FROM votes WHERE id = ?", (vote_id,))
    updates = {}
    if before["meeting"] is None and record.meeting:
        updates["meeting"] = record.meeting
    if record.totals and all(
        before[f"total_{k}"] is None for k in ("yes", "no", "abstain", "non_voting", "members")
    ):
        updates.update(
            zip(
                ("total_yes", "total_no", "total_abstain", "total_non_voting", "total_members"),
                record.totals,
                strict=True,
            )
        )
    if before["question"] is None and record.question:
        updates["question"] = record.question
    if not updates:
        return
    sets = ", ".join(f"{k} = ?" for k in updates)
    store.conn.execute(f"UPDATE votes SET {sets} WHERE id = ?", (*updates.values(), vote_id))
    store.log_change(
        "votes", vote_id, before, store.one("SELECT * FROM votes WHERE id = ?", (vote_id,))
    )


def stage_other_sources(store, vote_id: int) -> list[tuple[str, str | None]]:
    """Before a vote's own source replaces its ballots: each other source's ballots, rebuilt
    from the vote's and that source's differences, into `staged_ballots`; their (key, source)."""
    others = [
        (r["key"], r["source"])
        for r in store.query(
            "SELECT s.key, s.source FROM vote_sources s JOIN votes v ON v.id = s.vote_id "
            "WHERE s.vote_id = ? AND s.key IS NOT v.undl_id ORDER BY s.id",
            (vote_id,),
        )
    ]
    for key, _ in others:
        store.conn.execute(
            "INSERT INTO staged_ballots (vote_id, key, iso3, choice) SELECT vote_id, ?, iso3, "
            "choice FROM ballots WHERE vote_id = ? AND iso3 NOT IN (SELECT iso3 FROM "
            "ballot_differences WHERE vote_id = ? AND key = ?)",
            (key, vote_id, vote_id, key),
        )
        store.conn.execute(
            "INSERT INTO staged_ballots (vote_id, key, iso3, choice) SELECT vote_id, key, iso3, "
            "choice FROM ballot_differences WHERE vote_id = ? AND key = ? AND choice IS NOT NULL",
            (vote_id, key),
        )
    return others


def record_differences(store, vote_id: int, key: str | None) -> list[str]:
    """Where the staged ballots of another source of a vote differ from the vote's own:
    kept in `ballot_differences` (that source's choice; NULL for no ballot) and described."""
    key = key or ""
    rows = store.query(
        "SELECT s.iso3, s.choice AS theirs, b.choice AS ours FROM staged_ballots s "
        "LEFT JOIN ballots b ON b.vote_id = s.vote_id AND b.iso3 = s.iso3 "
        "WHERE s.vote_id = ? AND s.key = ? AND b.choice IS NOT s.choice "
        "UNION ALL SELECT b.iso3, NULL, b.choice FROM ballots b WHERE b.vote_id = ? AND NOT EXISTS "
        "(SELECT 1 FROM staged_ballots s WHERE s.vote_id = b.vote_id AND s.key = ? "
        "AND s.iso3 = b.iso3) ORDER BY 1",
        (vote_id, key, vote_id, key),
    )
    vote = store.one("SELECT symbol, date FROM votes WHERE id = ?", (vote_id,))
    names = dict(store.conn.execute("SELECT iso3, name FROM states"))
    lines = []
    for row in rows:
        values = {"vote_id": vote_id, "key": key, "iso3": row["iso3"], "choice": row["theirs"]}
        store.conn.execute(
            "INSERT INTO ballot_differences (vote_id, key, iso3, choice) VALUES (?, ?, ?, ?)",
            tuple(values.values()),
        )
        store.log_change("ballot_differences", f"{vote_id}/{key}/{row['iso3']}", None, values)
        lines.append(
            f"{vote['symbol']} ({vote['date']}): {names.get(row['iso3'], row['iso3'])} "
            f"{row['ours'] or 'no ballot'} in vote {vote_id}, {row['theirs'] or 'no ballot'} in {key}"
        )
    return lines


def members_by_date(store):
    """on(date) -> the member states holding a seat that day: admitted on or before it, and
    not in a gap of their membership (membership_gaps: Syria in the United Arab Republic)."""
    members = store.conn.execute(
        "SELECT iso3, admitted_on FROM states WHERE status = 'member'"
    ).fetchall()
    gaps = store.conn.execute("SELECT iso3, valid_from, valid_to FROM membership_gaps").fetchall()

    def on(date: str) -> list[str]:
        away = {iso3 for iso3, start, end in gaps if start <= date <= end}
        return [iso3 for iso3, admitted in members if (admitted or "") <= date and iso3 not in away]

    return on


def body_members(store, body: str | None, date: str | None) -> list[str] | None:
    """The members of `body` on `date` (no date: today's members), when this database knows
    them: the General Assembly's for the Assembly and its Main Committees; else None."""
    if not whole_assembly(body):
        return None
    return members_by_date(store)(date or "9999-99-99")


def member_counts(store):
    """on(date) -> how many states held a seat on that date (no date: today's members), as
    `members_by_date` counts them, without listing them (a vote list counts every vote)."""
    import bisect

    admitted = dict(
        store.conn.execute(
            "SELECT iso3, coalesce(admitted_on, '') FROM states WHERE status = 'member'"
        )
    )
    ordered = sorted(admitted.values())
    gaps = store.conn.execute("SELECT iso3, valid_from, valid_to FROM membership_gaps").fetchall()

    def on(date: str | None) -> int:
        day = date or "9999-99-99"
        away = {i for i, start, end in gaps if start <= day <= end and admitted.get(i, day) <= day}
        return bisect.bisect_right(ordered, day) - len(away)

    return on


def _ballots_in_gaps(store) -> dict[int, int]:
    """vote id -> its ballots of states that had no seat that day (a hand-made record)."""
    return dict(
        store.conn.execute(
            "SELECT b.vote_id, count(*) FROM membership_gaps g JOIN ballots b ON b.iso3 = g.iso3 "
            "JOIN votes v ON v.id = b.vote_id AND v.date BETWEEN g.valid_from AND g.valid_to "
            "GROUP BY b.vote_id"
        )
    )


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

    def expect(self, n: int) -> None:
        """The import will add about `n` ballots: drop the index now if `added` would drop it
        later (the rows before that would pay for keeping it up to date)."""
        self._drop_for(n)

    def added(self, n: int) -> None:
        self.count += n
        self._drop_for(self.count)

    def _drop_for(self, n: int) -> None:
        """Drop the index if this import adds `n` ballots, more than BIG and than the table
        held before it."""
        if self.dropped or not self.sql or n <= self.BIG:
            return
        if self.existing is None:
            total = self.conn.execute("SELECT count(*) FROM ballots").fetchone()[0]
            self.existing = total - self.count  # before this import
        if n > self.existing:
            self.conn.execute(f"DROP INDEX {self.NAME}")
            self.dropped = True

    def restore(self) -> None:
        if self.dropped:
            self.conn.execute(self.sql)
            self.dropped = False


# ---------------------------------------------------------------- read


def find_vote(store, ref: str) -> dict[str, Any]:
    """A vote by id, or the latest vote on a document symbol (by date, then order recorded)."""
    from cahtracker.safe_text import sqlite_int

    text = ref.strip()
    if text.isascii() and text.isdigit():  # not str.isdigit() alone: '²' is a digit to it
        row = store.one("SELECT * FROM votes WHERE id = ?", (sqlite_int(int(text), "A vote id"),))
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


def votes_without_record(store) -> list[int]:
    """The ids of votes whose method says recorded but which hold neither a ballot (of a
    state, or one its source gave that is not recorded) nor official totals (`db check`): a
    decision without a vote, or withdrawn, has no ballots by its method; a recorded vote
    with nothing counted has lost its record."""
    return [
        r[0]
        for r in store.conn.execute(
            "SELECT id FROM votes v WHERE method = ? AND total_yes IS NULL AND total_no IS NULL "
            "AND total_abstain IS NULL AND total_non_voting IS NULL AND total_members IS NULL "
            "AND NOT EXISTS (SELECT 1 FROM ballots b WHERE b.vote_id = v.id) "
            "AND NOT EXISTS (SELECT 1 FROM ballots_not_recorded n WHERE n.vote_id = v.id) "
            "ORDER BY id",
            (METHOD_RECORDED,),
        )
    ]


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
        "JOIN states s ON s.iso3 = b.iso3 WHERE b.vote_id = ? ORDER BY s.name COLLATE state_name",
        (vote["id"],),
    )
    tally = tally_of(b["choice"] for b in ballots)
    official = official_totals(vote)
    statements = store.query(
        "SELECT t.iso3, s.name, s.regional_group, t.kind, t.text FROM vote_statements t "
        "JOIN states s ON s.iso3 = t.iso3 WHERE t.vote_id = ? ORDER BY t.kind, s.name COLLATE state_name",
        (vote["id"],),
    )
    members = body_members(store, vote["body"], vote["date"]) if ballots else None
    codes = {b["iso3"] for b in ballots}
    unrecorded = ballots_not_recorded(store, vote["id"])
    cover = coverage(
        None if members is None else len(members),
        len(codes & set(members or ())),
        len(codes),
        sum(u["ballots"] for u in unrecorded),
    )
    missing = []
    if cover and cover["not_recorded"]:
        absent = sorted(set(members) - codes)
        missing = store.query(
            "SELECT iso3, name, regional_group FROM states "
            "WHERE iso3 IN (SELECT value FROM json_each(?)) ORDER BY name COLLATE state_name",
            (json.dumps(absent),),
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
        # how far the ballots cover the body's members (None: no ballots), and who is missing
        "coverage": cover,
        "members_not_recorded": missing,
        # ballots the source gave that are not recorded: [{reason, name, choice, ballots}]
        "ballots_not_recorded": unrecorded,
        "ballots": [
            {
                "iso3": b["iso3"],
                "name": b["name"],
                "regional_group": b["regional_group"],
                "choice": b["choice"],
            }
            | ({"explanation": b["explanation"]} if b["explanation"] else {})
            for b in ballots
        ],
        "statements": [
            {
                "iso3": s["iso3"],
                "name": s["name"],
                "regional_group": s["regional_group"],
                "kind": s["kind"],
                "text": s["text"],
            }
            for s in statements
        ],
        "source": vote["source"],
        "unsourced": is_unsourced(vote["source"]),
        "note": vote["note"],
        "question": vote["question"],
        # every source record of this one vote, and where a later one's ballots differ
        "sources": store.query(
            "SELECT key, source FROM vote_sources WHERE vote_id = ? ORDER BY id", (vote["id"],)
        ),
        "ballot_differences": store.query(
            "SELECT d.key, d.iso3, s.name, d.choice, b.choice AS vote_choice "
            "FROM ballot_differences d JOIN states s ON s.iso3 = d.iso3 "
            "LEFT JOIN ballots b ON b.vote_id = d.vote_id AND b.iso3 = d.iso3 "
            "WHERE d.vote_id = ? ORDER BY d.key, s.name COLLATE state_name",
            (vote["id"],),
        ),
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


def ballots_not_recorded(store, vote_id: int) -> list[dict[str, Any]]:
    """The ballots of a vote's source that the vote does not record (former states without
    a continuing seat, unknown names skipped): [{reason, name, choice, ballots}], by reason
    (former states first), then name."""
    return store.query(
        "SELECT reason, name, choice, ballots FROM ballots_not_recorded WHERE vote_id = ? "
        "ORDER BY reason, name, choice",
        (vote_id,),
    )


def _unrecorded_counts(store) -> dict[int, int]:
    """vote id -> how many ballots of its source it does not record."""
    return dict(
        store.conn.execute(
            "SELECT vote_id, sum(ballots) FROM ballots_not_recorded GROUP BY vote_id"
        )
    )


def date_range(date_from: str | None, date_to: str | None) -> tuple[str | None, str | None]:
    """--from/--to as the bounds of a vote's date: a year or a month as --to counts to its
    last day (`--to 2019` includes 2019-12-19); a range that ends before it starts is refused."""
    from cahtracker.dates import period_end, period_start

    low = period_start(date_from) if date_from else None
    high = period_end(date_to) if date_to else None
    if low and high and low > high:
        raise CahError(
            f"--from {date_from} is after --to {date_to}; give a range that starts first."
        )
    return low, high


def list_votes(
    store,
    symbol: str | None = None,
    body: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    details: bool = False,
) -> list[dict[str, Any]]:
    """Votes by date with their tallies and sources; `details` adds meeting, majority, note
    and the official totals (for the report's exports)."""
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
    date_from, date_to = date_range(date_from, date_to)
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
        "count(b.choice = 'absent' OR NULL) AS absent, "
        # ballots of states that were members on the vote's date (no date: members today)
        "count(s.status = 'member' AND coalesce(s.admitted_on, '') <= "
        "coalesce(v.date, '9999-99-99') OR NULL) AS members_recorded "
        "FROM votes v LEFT JOIN ballots b ON b.vote_id = v.id LEFT JOIN states s ON s.iso3 = b.iso3 "
        f"WHERE {' AND '.join(where)} GROUP BY v.id ORDER BY v.date, v.id",
        params,
    )
    members_on = member_counts(store)
    unseated = _ballots_in_gaps(store)
    unrecorded = _unrecorded_counts(store)
    for row in rows:
        row["members_recorded"] -= unseated.get(row["id"], 0)
        row["ballots_not_recorded"] = unrecorded.get(row["id"], 0)
    return [
        {
            "id": r["id"],
            "symbol": r["symbol"],
            "body": r["body"],
            "date": r["date"],
            "method": r["method"],
            "outcome": r["outcome"],
            # None without a ballot (a decision without a vote, a withdrawal, a decision
            # whose ballots are not known): no count, rather than counts of 0
            "tally": _listed_tally(r),
            "source": r["source"],
            "unsourced": is_unsourced(r["source"]),
            "coverage": _list_coverage(r, members_on),
        }
        | (
            {
                "meeting": r["meeting"],
                "majority": r["majority"],
                "official_totals": official_totals(r),
                "note": r["note"],
            }
            if details
            else {}
        )
        for r in rows
    ]


def _listed_tally(row: dict[str, Any]) -> dict[str, int] | None:
    tally = {k: row[k] for k in TALLY_KEYS}
    return tally if any(tally.values()) else None


def _list_coverage(row: dict[str, Any], members_on) -> dict[str, Any] | None:
    """`coverage` from a listed vote's counts (show_vote counts the same from its ballots)."""
    ballots = sum(row[k] for k in TALLY_KEYS)
    members = members_on(row["date"]) if whole_assembly(row["body"]) else None
    return coverage(members, row["members_recorded"], ballots, row["ballots_not_recorded"])


def iter_ballots(store):
    """Every ballot of every vote, streamed by vote: vote_id, symbol, date, body, iso3, name,
    regional_group, choice, explanation."""
    return store.cursor(
        "SELECT b.vote_id, v.symbol, v.date, v.body, b.iso3, s.name, s.regional_group, b.choice, "
        "b.explanation FROM ballots b JOIN votes v ON v.id = b.vote_id "
        "JOIN states s ON s.iso3 = b.iso3 ORDER BY b.vote_id, b.iso3"
    )


def compare_states(
    store,
    names,
    first: str,
    second: str,
    date_from: str | None = None,
    date_to: str | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """How often two states voted alike on the recorded votes both took part in (dated
    `date_from` to `date_to`, both included, when given); the votes where they differed, by
    date, the first `limit` of them (None: all), and how many there are in all."""
    a, b = names.resolve(first), names.resolve(second)
    if a == b:
        raise CahError(f"Give two different states (both mean {a.label()}).")
    date_from, date_to = date_range(date_from, date_to)
    rows = store.query(
        "SELECT v.id, v.symbol, v.date, x.choice AS a, y.choice AS b FROM ballots x "
        "JOIN ballots y ON y.vote_id = x.vote_id AND y.iso3 = ? JOIN votes v ON v.id = x.vote_id "
        "WHERE x.iso3 = ? AND x.choice IN ('yes', 'no', 'abstain') "
        "AND y.choice IN ('yes', 'no', 'abstain') AND (? IS NULL OR v.date >= ?) "
        "AND (? IS NULL OR v.date <= ?) ORDER BY v.date, v.id",
        (b.iso3, a.iso3, date_from, date_from, date_to, date_to),
    )
    agreed = sum(1 for r in rows if r["a"] == r["b"])
    differed = [r for r in rows if r["a"] != r["b"]]
    return {
        "state_a": {"iso3": a.iso3, "name": a.name},
        "state_b": {"iso3": b.iso3, "name": b.name},
        "from": date_from,
        "to": date_to,
        "votes_compared": len(rows),
        "agreed": agreed,
        "agreement": round(100 * agreed / len(rows), 1) if rows else None,
        "disagreements_total": len(differed),
        "disagreements": [
            {
                "id": r["id"],
                "symbol": r["symbol"],
                "date": r["date"],
                a.iso3: r["a"],
                b.iso3: r["b"],
            }
            for r in (differed[:limit] if limit else differed)
        ],
    }


# ---------------------------------------------------------------- the change log's words


def _decision(row: dict[str, Any]) -> str:
    where = ", ".join(str(v) for v in (row.get("body"), row.get("date")) if v)
    outcome = row.get("outcome") or "no outcome"
    return (
        f"vote {row['id']} on {row['symbol']}"
        + (f" ({where})" if where else "")
        + (f": {outcome}, {row['method']}")
    )


_EDITABLE_WORDS = {"total_non_voting": "official non-voting", "undl_id": "source key"}


def _describe_vote(context, change: dict[str, Any]) -> str:
    """ "recorded vote 12 on A/C.6/79/L.21 (Sixth Committee, 2024-11-22): adopted, recorded"."""
    before, after = change["before"], change["after"]
    if change["action"] == "insert":
        return f"recorded {_decision(after)}"
    if change["action"] == "delete":
        return f"deleted {_decision(before)}"
    edits = vote_edits(before, after)
    return f"edited vote {after['id']} on {after['symbol']}: " + ("; ".join(edits) or "no change")


def vote_edits(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What an edit changed, field by field: "date 2024-11-21 → 2024-11-22"."""
    return [
        f"{_EDITABLE_WORDS.get(k, k.replace('_', ' '))} {before.get(k) or '(none)'} → "
        f"{after.get(k) or '(none)'}"
        for k in after
        if before.get(k) != after.get(k)
    ]


def _bundle_describer(bundle: str, one: str, many: str):
    """How the logged list of a vote's owned rows reads: "recorded 65 ballots of vote 12"."""

    def describe(context, change: dict[str, Any]) -> str:
        row = change["after"] or change["before"]
        if bundle not in row:  # one row logged alone (an import's source record, a difference)
            verb = "added" if change["action"] == "insert" else "removed"
            return f"{verb} a {one} of vote {row['vote_id']}"
        n = len(row[bundle])
        things = f"{n} {one if n == 1 else many}"
        if change["action"] == "insert":
            return f"recorded {things} of vote {row['vote_id']}"
        return f"removed the {things} of vote {row['vote_id']}"

    return describe


register_describer("votes", _describe_vote, ("vote", "votes"))
register_describer(
    "ballots",
    _bundle_describer("ballots", "ballot", "ballots"),
    ("list of ballots", "lists of ballots"),
)
register_describer(
    "vote_statements",
    _bundle_describer("statements", "statement", "statements"),
    ("list of statements", "lists of statements"),
)
register_describer(
    "vote_sources",
    _bundle_describer("sources", "source record", "source records"),
    ("source record of a vote", "source records of votes"),
)
register_describer(
    "ballot_differences",
    _bundle_describer(
        "differences", "ballot another source differs on", "ballots another source differs on"
    ),
    ("ballot another source differs on", "ballots other sources differ on"),
)
register_describer(
    "ballots_not_recorded",
    _bundle_describer("not_recorded", "ballot not recorded", "ballots not recorded"),
    ("list of ballots not recorded", "lists of ballots not recorded"),
)
