"""`db undo` takes back a whole command: one batch id per `Store.write`, undone all or nothing."""

from __future__ import annotations

import json

from cahtracker.db import SCHEMA_VERSION, open_store
from conftest import assert_refused


def log(cli, limit: int = 50) -> list[dict]:
    return json.loads(cli.ok("db", "log", "--limit", str(limit), "-f", "json").stdout)


def iso3s(cli, *args: str) -> list[str]:
    return [r["iso3"] for r in json.loads(cli.ok("sponsors", "list", "-f", "json", *args).stdout)]


def test_one_undo_takes_back_a_three_state_add_and_logs_one_batch(cli):
    cli.ok("sponsors", "add", "Chile", "--date", "2024-11-19", "--unsourced")
    cli.ok("sponsors", "add", "Peru, Fiji and Ghana", "--date", "2024-11-20", "--unsourced")
    added = [r for r in log(cli) if r["command"] == "sponsors add" and r["batch"] != 1]
    assert len(added) == 3 and len({r["batch"] for r in added}) == 1
    batch = added[0]["batch"]
    assert batch == min(r["id"] for r in added)  # the id of the command's first change

    out = cli.ok("db", "undo").stdout
    assert f"Undid batch {batch} (sponsors add): 3 changes" in out
    assert {"PER", "FJI", "GHA"}.isdisjoint(iso3s(cli)) and "CHL" in iso3s(cli)
    rows = log(cli)
    undos = [r for r in rows if r["command"].startswith("db undo #")]
    assert len(undos) == 3 and len({r["batch"] for r in undos}) == 1
    assert undos[0]["batch"] not in (1, batch)
    # newest first: the undo of the newest change is the first undo record
    assert [r["undoes"] for r in sorted(undos, key=lambda r: r["id"])] == sorted(
        (r["id"] for r in added), reverse=True
    )
    assert all(r["undone"] for r in rows if r["batch"] == batch)
    assert "Batch" in cli.ok("db", "log").stdout
    # the next `db undo` takes back the command before it
    assert "Undid change #1" in cli.ok("db", "undo").stdout
    assert "CHL" not in iso3s(cli)
    assert_refused(cli("db", "undo"), "Nothing to undo")


def test_a_batch_with_one_change_a_later_change_depends_on_is_refused_whole(cli, unchanged):
    cli.ok("sponsors", "add", "Chile, Peru and Fiji", "--date", "2024-11-20", "--unsourced")
    batch = log(cli)[0]["batch"]
    cli.ok("sponsors", "withdraw", "Peru", "--date", "2024-11-25", "--unsourced")
    with unchanged():
        assert_refused(
            cli("db", "undo", "--batch", str(batch)),
            f"Cannot undo batch {batch} (sponsors add, 3 changes), so none of it was undone",
            "later withdrawal",
        )
    assert {"CHL", "FJI"} <= set(iso3s(cli))
    cli.ok("db", "undo")  # the withdrawal
    cli.ok("db", "undo")  # then the whole add
    assert {"CHL", "PER", "FJI"}.isdisjoint(iso3s(cli, "--as-of", "2024-11-21"))


def test_undo_takes_back_the_rest_of_a_batch_partly_undone_by_id(cli):
    cli.ok("sponsors", "add", "Chile, Peru and Fiji", "--date", "2024-11-20", "--unsourced")
    ids = [r["id"] for r in log(cli)]
    cli.ok("db", "undo", "--id", str(ids[1]))  # one change alone: the rest stay
    assert "CHL" in iso3s(cli) and "FJI" in iso3s(cli)
    out = cli.ok("db", "undo").stdout  # the rest of that batch still in effect
    assert "2 changes" in out
    assert {"CHL", "PER", "FJI"}.isdisjoint(iso3s(cli))


def test_undoing_the_undo_batch_redoes_the_whole_command(cli):
    cli.ok("sponsors", "add", "Chile, Peru and Fiji", "--date", "2024-11-20", "--unsourced")
    cli.ok("db", "undo")
    undo_batch = log(cli)[0]["batch"]
    out = cli.ok("db", "undo", "--batch", str(undo_batch)).stdout
    assert f"Undid batch {undo_batch} (db undo): 3 changes" in out
    assert {"CHL", "PER", "FJI"} <= set(iso3s(cli))
    rows = log(cli)
    assert not any(r["undone"] for r in rows if r["command"] == "sponsors add")
    assert len({r["batch"] for r in rows}) == 3  # the add, its undo, the redo
    with_redo = cli.ok("db", "undo").stdout  # the add is the newest command in effect again
    assert "3 changes" in with_redo
    assert {"CHL", "PER", "FJI"}.isdisjoint(iso3s(cli))
    assert "integrity: ok" in cli.ok("db", "check").stdout


def test_undo_options_are_checked(cli, unchanged):
    cli.ok("sponsors", "add", "Chile", "--date", "2024-11-20", "--unsourced")
    cli.ok("db", "undo")
    with unchanged():
        assert_refused(cli("db", "undo", "--id", "1", "--batch", "1"), "not both")
        assert_refused(cli("db", "undo", "--batch", "99"), "No batch 99")
        assert_refused(
            cli("db", "undo", "--batch", "1"), "Batch 1 (sponsors add) is already undone"
        )


def test_a_database_of_the_first_migration_with_changes_upgrades_and_keeps_them(tmp_path, cli):
    from sqlite_utils import Database

    from cahtracker.db.migrations import migrations

    path = tmp_path / "old.db"
    db = Database(path)
    migrations.apply(db, stop_before="m002_changes_batch")
    db.execute(
        "INSERT INTO states (iso3, iso2, name, un_vote_name, status) "
        "VALUES ('XXX', 'XX', 'Testland', 'TESTLAND', 'member')"
    )
    db.execute(
        "INSERT INTO settings (key, value) VALUES ('default_document', 'A/C.6/79/L.2/Rev.1')"
    )
    for value in ("A/C.6/79/L.20", "A/C.6/79/L.2"):  # two one-row commands, as schema 1 logged them
        before = db.execute("SELECT value FROM settings WHERE key = 'default_document'").fetchone()
        db.execute("UPDATE settings SET value = ? WHERE key = 'default_document'", (value,))
        db.execute(
            "INSERT INTO changes (at, command, table_name, row_key, before, after) "
            "VALUES ('2026-01-01T00:00:00+00:00', 'docs use', 'settings', 'default_document', ?, ?)",
            (
                json.dumps({"key": "default_document", "value": before[0]}),
                json.dumps({"key": "default_document", "value": value}),
            ),
        )
    db.conn.commit()
    old = [
        (r[0], r[1], json.loads(r[2])["value"])
        for r in db.execute("SELECT id, command, after FROM changes ORDER BY id DESC").fetchall()
    ]
    assert len(old) == 2
    db.close()

    store = open_store(path)  # upgrades to the current schema
    assert store.scalar("PRAGMA user_version") == SCHEMA_VERSION
    assert store.scalar("SELECT name FROM states WHERE iso3 = 'XXX'") == "Testland"
    # each change logged before batches existed is a batch of its own
    assert [r["batch"] for r in store.query("SELECT batch FROM changes ORDER BY id")] == [1, 2]
    indexes = {r["name"] for r in store.query("PRAGMA index_list(changes)")}
    assert {"idx_changes_batch", "idx_changes_table_row", "idx_changes_undo_of"} <= indexes
    store.close()
    new_cli = cli.__class__(path)
    rows = log(new_cli)
    assert [(r["id"], r["command"], r["after"]["value"]) for r in rows] == old
    assert [r["batch"] for r in rows] == [2, 1]  # each old change is its own batch
    assert "Undid change #2" in new_cli.ok("db", "undo").stdout  # one old change, not both
    assert "Undid change #1" in new_cli.ok("db", "undo").stdout
    assert [r["batch"] for r in log(new_cli)[:2]] == [4, 3]
    assert (
        f"migrations: {SCHEMA_VERSION} applied (schema {SCHEMA_VERSION})"
        in new_cli.ok("db", "check").stdout
    )


def test_one_undo_takes_back_a_whole_sponsors_import(cli, db_path):
    names = [r["name"] for r in json.loads(cli.ok("states", "list", "-f", "json").stdout)][:40]
    cli.ok(
        "sponsors", "import", "-", "--date", "2030-12-01", "--source", "t", input="\n".join(names)
    )
    store = open_store(db_path)
    count = store.scalar("SELECT count(*) FROM changes")
    batches = store.scalar("SELECT count(DISTINCT batch) FROM changes")
    store.close()
    assert count >= 30 and batches == 1
    assert f"{count} changes" in cli.ok("db", "undo").stdout
    assert iso3s(cli, "--as-of", "2030-12-02") == iso3s(cli, "--as-of", "2030-11-30")
    assert_refused(cli("db", "undo"), "Nothing to undo")
    assert "integrity: ok" in cli.ok("db", "check").stdout


def test_undo_records_of_schema_2_carry_over_as_data(tmp_path, cli):
    """Undo state was parsed from `db undo #N` texts; the migration turns it into columns.

    A fictional schema-2 log, decided by hand: #1 and #2 change the default document, #3
    undoes #2, #4 undoes #3 (a redo of #2), #5 undoes #1. In effect: #2, #4, #5.
    """
    from sqlite_utils import Database

    from cahtracker.db.migrations import migrations

    path = tmp_path / "schema2.db"
    db = Database(path)
    migrations.apply(db, stop_before="m003_changes_undo_state")
    rows = [
        (1, "docs use", "{}", '{"key": "default_document", "value": "A"}'),
        (2, "docs use", '{"key": "default_document", "value": "A"}', '{"value": "B"}'),
        (3, "db undo #2", '{"value": "B"}', '{"value": "A"}'),
        (4, "db undo #3", '{"value": "A"}', '{"value": "B"}'),
        (5, "db undo #1", '{"value": "B"}', None),
    ]
    for change_id, command, before, after in rows:
        db.execute(
            "INSERT INTO changes (id, at, command, table_name, row_key, before, after, batch) "
            "VALUES (?, '2026-01-01T00:00:00+00:00', ?, 'settings', 'default_document', ?, ?, ?)",
            (change_id, command, before, after, change_id),
        )
    db.conn.commit()
    db.close()
    store = open_store(path)
    state = {
        r["id"]: (r["undo_of"], r["undone_by"])
        for r in store.query("SELECT id, undo_of, undone_by FROM changes")
    }
    store.close()
    assert state == {1: (None, 5), 2: (None, None), 3: (2, 4), 4: (3, None), 5: (1, None)}
    listed = {r["id"]: (r["undoes"], r["undone"]) for r in log(cli.__class__(path))}
    assert listed == {1: (None, True), 2: (None, False), 3: (2, True), 4: (3, False), 5: (1, False)}
