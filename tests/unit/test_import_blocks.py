"""Rows of one vote far apart in the file: the writer's blocks, closes and late rows.

The files are the real rows of tests/data/unvotes/ (three roll calls, 412 rows) rearranged:
the same rows, in another order. They are read in blocks of a few hundred bytes, so that a
roll call's rows fall many blocks apart: the fast reader's writer then writes a vote (with
its non-voting ballots) before the rest of its rows arrive, and takes those as they come.
The reference (the pure-Python reader, whose votes are written at the end) must give the
same database; a state twice must be refused the same way.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from cahtracker.errors import CahError
from cahtracker.importers import arrow_block, unvotes_csv, writer
from cahtracker.names import NameIndex
from conftest import DATA

pytest.importorskip("pyarrow")

SOURCE = DATA / "unvotes"


def rearranged(folder: Path, order) -> Path:
    header, *rows = (SOURCE / "unvotes.csv").read_text(encoding="utf-8").splitlines()
    path = folder / "unvotes.csv"
    path.write_text("\n".join([header, *order(rows)]) + "\n", encoding="utf-8")
    shutil.copy(SOURCE / "roll_calls.csv", folder / "roll_calls.csv")
    return path


def imported(db_path: Path, copy: Path, path: Path, fast: bool, monkeypatch):
    """Import `path` into a copy of the seeded database, in blocks of 300 bytes (the
    original file: in blocks of the usual size)."""
    from cahtracker.db import open_store

    shutil.copy(db_path, copy)
    with monkeypatch.context() as patch:
        if path.parent != SOURCE:
            patch.setattr(unvotes_csv, "_BLOCK_BYTES", 300)
            patch.setattr(unvotes_csv, "_FAST_BLOCK_BYTES", 300)
        if not fast:
            patch.setattr(arrow_block, "block_reader", lambda: None)
        store = open_store(copy)
        try:
            return writer.import_votes(store, NameIndex.load(store), path).as_dict()
        finally:
            store.close()


def contents(db: Path) -> dict:
    conn = sqlite3.connect(db)
    try:
        return {
            "ballots": conn.execute(
                "SELECT v.undl_id, b.iso3, b.choice FROM ballots b JOIN votes v "
                "ON v.id = b.vote_id ORDER BY 1, 2"
            ).fetchall(),
            "votes": conn.execute(
                "SELECT undl_id, outcome, total_yes, total_no, total_abstain FROM votes "
                "ORDER BY undl_id"
            ).fetchall(),
            "log": conn.execute(
                "SELECT table_name, with_owned, json_remove(after, '$.gid', '$.id') "
                "FROM changes ORDER BY 3"
            ).fetchall(),
            "integrity": conn.execute("PRAGMA integrity_check").fetchone(),
        }
    finally:
        conn.close()


def interleaved(rows):
    # each roll call's rows dealt out over the whole file: 3, 9139, 9142, 3, 9139, ...
    by_call: dict[str, list[str]] = {}
    for row in rows:
        by_call.setdefault(row.split(",")[0], []).append(row)
    out, calls = [], list(by_call.values())
    while any(calls):
        for rows_of in calls:
            if rows_of:
                out.append(rows_of.pop(0))
    return out


def split_ends(rows):
    # the last ten rows of roll call 3 moved to the end of the file, far from the others
    first = [r for r in rows if r.startswith("3,")]
    return [r for r in rows if r not in first[-10:]] + first[-10:]


def sprinkled(rows):
    # roll call 3's rows one every 40 rows of the others: it is written, and written over,
    # again and again
    first = [r for r in rows if r.startswith("3,")]
    rest = [r for r in rows if not r.startswith("3,")]
    out = []
    for i, row in enumerate(rest):
        if i % 40 == 0 and first:
            out.append(first.pop(0))
        out.append(row)
    return out + first


@pytest.mark.parametrize(
    ("order", "late_rows"),
    [(interleaved, False), (reversed, False), (split_ends, True), (sprinkled, True)],
)
def test_a_vote_whose_rows_come_late_is_stored_as_the_reference_stores_it(
    db_path, tmp_path, monkeypatch, order, late_rows
):
    late = []  # rows taken by a vote already written: the path under test
    take = writer._Writer._take

    def spy(self, vote, mask, n):
        late.append(vote.closed)
        return take(self, vote, mask, n)

    path = rearranged(tmp_path, lambda rows: list(order(rows)))
    monkeypatch.setattr(writer._Writer, "_take", spy)
    fast = imported(db_path, tmp_path / "fast.db", path, True, monkeypatch)
    assert any(late) == late_rows
    reference = imported(db_path, tmp_path / "reference.db", path, False, monkeypatch)
    assert fast == reference
    left, right = contents(tmp_path / "fast.db"), contents(tmp_path / "reference.db")
    assert left == right and left["integrity"] == ("ok",)
    # and the same as the file in its own order, read in blocks of the usual size
    original = imported(
        db_path, tmp_path / "original.db", SOURCE / "unvotes.csv", True, monkeypatch
    )

    def same(summary):  # the documents are created in the order their votes first appear
        return {**summary, "file": None, "documents_created": sorted(summary["documents_created"])}

    assert same(fast) == same(original)
    assert contents(tmp_path / "original.db")["ballots"] == left["ballots"]


def test_a_state_twice_far_apart_is_refused_as_the_reference_refuses_it(
    db_path, tmp_path, monkeypatch
):
    def twice(rows):
        return [*rows, rows[0]]  # roll call 3's first row again, at the very end

    path = rearranged(tmp_path, twice)
    messages = []
    for fast in (True, False):
        with pytest.raises(CahError) as refused:
            imported(db_path, tmp_path / f"{fast}.db", path, fast, monkeypatch)
        messages.append(str(refused.value))
    assert messages[0] == messages[1] and "has two ballots" in messages[0]
