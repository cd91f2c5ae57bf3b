"""`cahtracker publish`: the Datasette copy and its metadata.json, read here with sqlite3
(the real server is tests/system/test_publish_datasette.py). The facts these tests add are
fictional, in temporary databases."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from conftest import ROOT, VOTE_ON_REV1, assert_refused, process_env

# the tables a new database has that are bookkeeping, not data (written here, not imported)
INTERNAL = {"changes", "settings", "_sqlite_migrations", "merge_choices"}  # bookkeeping
# the groups' usual codes, written here apart from the code under test
CODES = {
    "African": "AG",
    "Asia-Pacific": "APG",
    "Eastern European": "EEG",
    "Latin American and Caribbean": "GRULAC",
    "Western European and Others": "WEOG",
}
UNDONE = "Zorbanian undone sentence 7731"  # fictional: in the change log only, once undone
STATES = "Chile, Fiji, Ghana, Kenya, Mali, Nepal, Oman, Peru, Qatar, Togo, Chad, Cuba, Iraq, Laos"
WHO = "Ottoline Fictional-Member 8823"  # who wrote the kept stance (--who)
KEPT = "Quillmarsh kept sentence 4410"  # fictional: in a stance that stays


def rows(path, sql, params=()):
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def names(path, kind):
    return {
        r["name"]
        for r in rows(path, "SELECT name FROM sqlite_master WHERE type = ?", (kind,))
        if not r["name"].startswith("sqlite_")
    }


@pytest.fixture
def published(cli, tmp_path):
    """The seed with one stance kept and one undone, published to tmp_path/site."""
    stance = ("position", "set", "Peru", "--topic", "treaty", "--stance", "mixed")
    cli.ok(*stance, "--date", "2030-01-02", "--quote", KEPT, "--source", "test: fictional",
           "--who", WHO)  # fmt: skip
    # long enough that the tables the copy adds cannot reuse every page the log leaves free
    undone = f"{UNDONE} {'fictional filler ' * 2000}"
    cli.ok("position", "set", STATES, "--topic", "gender-apartheid", "--stance", "oppose",
           "--date", "2030-01-03", "--quote", undone, "--source", "test: fictional")  # fmt: skip
    cli.ok("db", "undo")
    cli.ok(*VOTE_ON_REV1, "--yes", "France, Peru", "--no", "Chile", "--abstain", "Fiji")
    out = tmp_path / "site"
    result = cli.ok("publish", str(out))
    assert "Published" in result.stdout
    return out


def test_every_table_of_a_new_database_is_published_or_dropped(db_path):
    from cahtracker.publish import PUBLISHED_TABLES

    tables = names(db_path, "table")
    assert tables - set(PUBLISHED_TABLES) == INTERNAL, (
        "a new table: list it in publish.PUBLISHED_TABLES, or here if it is bookkeeping"
    )
    assert set(PUBLISHED_TABLES) <= tables


def test_the_copy_keeps_the_data_and_drops_the_bookkeeping(published, db_path):
    copy = published / "cahtracker.db"
    tables = names(copy, "table")
    assert not tables & INTERNAL
    assert names(copy, "view") == set()  # `_migrations` read the dropped migrations table
    for table in ("states", "documents", "positions", "votes", "sponsorship_events", "events"):
        assert table in tables
        source = rows(db_path, f"SELECT count(*) AS n FROM {table}")[0]["n"]
        assert rows(copy, f"SELECT count(*) AS n FROM {table}")[0]["n"] == source, table
    assert {p.name for p in published.iterdir()} == {
        "cahtracker.db",
        "metadata.json",
        ".cahtracker-publish",
    }
    assert not os.access(copy, os.W_OK) or os.geteuid() == 0  # read-only (root writes anyway)
    assert not (copy.stat().st_mode & 0o222)


def test_undone_text_is_not_in_the_published_bytes(published, db_path):
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    assert UNDONE.encode() in db_path.read_bytes()  # the change log keeps it: the test can fail
    data = (published / "cahtracker.db").read_bytes()
    assert UNDONE.encode() not in data
    assert KEPT.encode() in data


def test_who_wrote_a_row_is_not_published_but_its_global_id_is(published, db_path):
    from cahtracker.db.ids import FACT_TABLES

    assert rows(db_path, "SELECT origin FROM positions WHERE quote = ?", (KEPT,)) == [
        {"origin": WHO}
    ]
    copy = published / "cahtracker.db"
    assert WHO.encode() not in copy.read_bytes()
    for table in FACT_TABLES:
        columns = {r["name"] for r in rows(copy, f"SELECT name FROM pragma_table_info('{table}')")}
        assert "origin" not in columns and "gid" in columns, table
    gids = rows(db_path, "SELECT gid FROM positions WHERE quote = ?", (KEPT,))
    assert rows(copy, "SELECT gid FROM positions WHERE quote = ?", (KEPT,)) == gids


def test_current_sponsors_are_those_of_sponsors_list(cli, published):
    listed = json.loads(cli.ok("sponsors", "list", "-f", "json").stdout)
    table = rows(published / "cahtracker.db", "SELECT * FROM current_sponsors ORDER BY rowid")
    assert listed  # the seed's default document has sponsors
    assert [(r["iso3"], r["name"], r["joined_on"], r["role"]) for r in table] == [
        (r["iso3"], r["name"], r["joined_on"], r["role"]) for r in listed
    ]
    assert [r["regional_group"] for r in table] == [CODES[r["regional_group"]] for r in listed]
    default = json.loads(cli.ok("docs", "list", "-f", "json").stdout)
    assert {r["symbol"] for r in table} == {d["symbol"] for d in default if d["is_default"]}


def test_states_carry_the_group_code_with_its_name(cli, published):
    copy = published / "cahtracker.db"
    listed = {r["iso3"]: r for r in json.loads(cli.ok("states", "list", "-f", "json").stdout)}
    coded = {r["iso3"]: r["regional_group"] for r in rows(copy, "SELECT * FROM states")}
    assert coded == {
        iso3: CODES.get(r["regional_group"]) if r["regional_group"] else None
        for iso3, r in listed.items()
    }
    assert coded["FRA"] == "WEOG" and coded["VAT"] is None
    groups = {r["code"]: r["name"] for r in rows(copy, "SELECT * FROM regional_groups")}
    assert groups == {code: name for name, code in CODES.items()}
    keys = rows(copy, "SELECT * FROM pragma_foreign_key_list('states')")
    assert [(k["from"], k["table"], k["to"]) for k in keys] == [
        ("regional_group", "regional_groups", "code")
    ]
    assert rows(copy, "PRAGMA foreign_key_check") == []


def test_latest_stances_vote_tallies_and_claims_are_the_commands_answers(cli, published):
    copy = published / "cahtracker.db"
    stances = json.loads(cli.ok("position", "list", "-f", "json").stdout)
    table = rows(copy, "SELECT * FROM latest_stances ORDER BY rowid")
    assert [(r["position_id"], r["stance"], r["quote"]) for r in table] == [
        (r["id"], r["stance"], r["quote"]) for r in stances
    ]
    assert KEPT in {r["quote"] for r in table} and UNDONE not in {r["quote"] for r in table}
    votes = json.loads(cli.ok("vote", "list", "-f", "json").stdout)
    tallies = rows(copy, "SELECT * FROM vote_tallies ORDER BY rowid")
    assert [(r["vote_id"], r["outcome"], r["yes"], r["no"]) for r in tallies] == [
        (v["id"], v["outcome"], *((v["tally"] or {}).get(k) for k in ("yes", "no"))) for v in votes
    ]
    recorded = [r for r in tallies if r["yes"] is not None]  # the fictional recorded vote
    assert [(r["yes"], r["no"], r["abstain"], r["members"]) for r in recorded] == [(2, 1, 1, 193)]
    assert recorded[0]["members_recorded"] == 4 and recorded[0]["complete"] == 0
    count = json.loads(cli.ok("sponsors", "count", "-f", "json").stdout)
    claims = rows(copy, "SELECT * FROM sponsor_count_vs_claims ORDER BY rowid")
    assert [(r["reported"], r["date"], r["source"]) for r in claims] == [
        (c["count"], c["date"], c["source"]) for c in count["claims"]
    ]
    assert {r["recorded"] for r in claims} == {count["recorded"]}
    assert [r["gap"] for r in claims if r["latest"]] == [count["gap"]]


def test_full_text_search_finds_a_quote_title_and_source(published):
    copy = published / "cahtracker.db"
    found = rows(
        copy,
        "SELECT p.quote FROM positions p JOIN positions_fts f ON f.rowid = p.rowid "
        "WHERE positions_fts MATCH ?",
        ("Quillmarsh",),
    )
    assert found == [{"quote": KEPT}]
    titles = rows(
        copy, "SELECT rowid FROM documents_fts WHERE documents_fts MATCH 'Plenipotentiaries'"
    )
    assert titles
    sources = rows(copy, "SELECT rowid FROM votes_fts WHERE votes_fts MATCH 'GA12662 OR ga12662'")
    assert sources


def test_metadata_describes_every_table_and_its_queries_run(published):
    copy = published / "cahtracker.db"
    meta = json.loads((published / "metadata.json").read_text(encoding="utf-8"))
    database = meta["databases"]["cahtracker"]
    shown = {t for t in names(copy, "table") if "_fts" not in t}
    assert set(database["tables"]) == shown
    for name, table in database["tables"].items():
        assert table["title"] and table["description"] and table["source"], name
        assert "license" in table
    assert "no licence" in meta["license"].lower() or "none stated" in meta["license"].lower()
    assert database["tables"]["regional_groups"]["label_column"] == "name"
    queries = database["queries"]
    assert set(queries) == {
        "sponsors_by_group",
        "who_has_not_sponsored",
        "stances_on_gender_apartheid",
    }
    conn = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    try:
        by_group = {
            r[0]: (r[1], r[2], r[3])
            for r in conn.execute(queries["sponsors_by_group"]["sql"]).fetchall()
        }
        # the seed's default document: Gambia (African), Mexico (GRULAC), Czechia (EEG);
        # the members per group are data/SOURCES.md's table
        assert by_group == {
            "AG": ("African", 1, 54),
            "APG": ("Asia-Pacific", 0, 54),
            "EEG": ("Eastern European", 1, 23),
            "GRULAC": ("Latin American and Caribbean", 1, 33),
            "WEOG": ("Western European and Others", 0, 29),
        }
        missing = conn.execute(
            queries["who_has_not_sponsored"]["sql"], {"regional_group": ""}
        ).fetchall()
        assert len(missing) == 193 - 3 and "MEX" not in {r[0] for r in missing}
        weog = conn.execute(
            queries["who_has_not_sponsored"]["sql"], {"regional_group": "weog"}
        ).fetchall()
        assert "FRA" in {r[0] for r in weog} and len(weog) == 29
        gender = conn.execute(queries["stances_on_gender_apartheid"]["sql"]).fetchall()
        assert gender and UNDONE not in {r[4] for r in gender}
    finally:
        conn.close()


def test_force_replaces_only_an_earlier_publish(cli, published, tmp_path, db_path):
    assert_refused(cli("publish", str(published)), "already exists", "--force")
    cli.ok("publish", str(published), "--force")
    (published / "notes.txt").write_text("mine", encoding="utf-8")
    assert_refused(cli("publish", str(published), "--force"), "notes.txt", "not replaced")
    assert (published / "notes.txt").read_text(encoding="utf-8") == "mine"
    other = tmp_path / "other"
    other.mkdir()
    (other / "cahtracker.db").write_bytes(b"someone else's")
    assert_refused(cli("publish", str(other), "--force"), "no .cahtracker-publish marker")
    assert (other / "cahtracker.db").read_bytes() == b"someone else's"
    empty = tmp_path / "empty"
    empty.mkdir()
    cli.ok("publish", str(empty))  # an empty folder has nothing to lose
    assert (empty / "metadata.json").exists()
    assert_refused(cli("publish", str(db_path.parent), "--force"), "holds the database")
    link = tmp_path / "link"
    link.symlink_to(published)
    refused = cli("publish", str(link), "--force")
    assert_refused(refused, "symbolic link", "folder")
    assert "regular file" not in refused.output  # OUT_DIR is a folder
    assert_refused(cli("publish", str(tmp_path / "no" / "such")), "does not exist")
    leftovers = [p.name for p in tmp_path.iterdir() if ".cahtracker-" in p.name]
    assert leftovers == []


def test_serve_without_datasette_is_one_line_and_writes_nothing(cli, tmp_path, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "datasette" else real(name, *a),
    )
    out = tmp_path / "site"
    assert_refused(cli("publish", str(out), "--serve"), "pip install 'cahtracker[publish]'")
    assert not out.exists()


def test_the_published_copy_is_not_taken_for_a_tracker_database(cli, published):
    assert_refused(cli("sponsors", "list", db=published / "cahtracker.db"), "did not make")


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["publish", "--help"], ["sponsors", "list"], ["publish", "{out}"]],
    ids=["help", "publish help", "a listing", "publish"],
)
def test_datasette_is_never_imported_by_the_cli(db_path, tmp_path, argv):
    argv = [a.replace("{out}", str(tmp_path / "site")) for a in argv]
    code = (
        "import sys\nfrom cahtracker.cli import main\n"
        f"sys.argv = ['cahtracker', '--db', {str(db_path)!r}, *{argv!r}]\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        "print('datasette' in sys.modules, file=sys.stderr)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=process_env()
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "False"
    assert ROOT  # the checkout's src is on PYTHONPATH (process_env)


# fictional file names of members' copies, as `db merge --on-conflict keep-both` keys them
# (`merge <file name> ...`; what follows the name may change, the prefix stays)
MERGE_KEYS = ("merge alice-back-7731.db 1f2e3d4c", "merge bob-copy-7732.db 9a8b7c6d")


def test_merge_keys_are_published_as_neutral_labels(cli, db_path, tmp_path):
    cli.ok(*VOTE_ON_REV1, "--yes", "France, Peru", "--no", "Chile")
    conn = sqlite3.connect(db_path)
    with conn:
        (vote_id,) = conn.execute("SELECT max(id) FROM votes").fetchone()
        for key, iso3 in [(MERGE_KEYS[0], "FRA"), (MERGE_KEYS[1], "FRA"), (MERGE_KEYS[1], "PER")]:
            conn.execute(
                "INSERT INTO ballot_differences (vote_id, key, iso3, choice) VALUES (?, ?, ?, ?)",
                (vote_id, key, iso3, "abstain"),
            )
        conn.execute(
            "INSERT INTO ballot_differences (vote_id, key, iso3, choice) VALUES (?, ?, ?, ?)",
            (vote_id, "unvotes rcid 99001", "CHL", "yes"),
        )
    conn.close()
    out = tmp_path / "site"
    cli.ok("publish", str(out))
    copy = out / "cahtracker.db"
    for key in MERGE_KEYS:
        assert key.split()[1].encode() not in copy.read_bytes()
    published = rows(copy, "SELECT key, iso3 FROM ballot_differences ORDER BY key, iso3")
    labels = {r["key"] for r in published} - {"unvotes rcid 99001"}
    assert labels == {"merge 1", "merge 2"}
    # one label per merged copy: the copy with two ballots keeps one label for both
    by_label = {label: {r["iso3"] for r in published if r["key"] == label} for label in labels}
    assert sorted(by_label.values(), key=len) == [{"FRA"}, {"FRA", "PER"}]
    assert {"key": "unvotes rcid 99001", "iso3": "CHL"} in published  # a source's key stays
    cli.ok("publish", str(out), "--force")  # the same labels again
    assert rows(out / "cahtracker.db", "SELECT key, iso3 FROM ballot_differences "
                "ORDER BY key, iso3") == published  # fmt: skip


def test_force_refuses_a_folder_whose_files_were_edited(cli, published):
    meta = published / "metadata.json"
    edited = meta.read_text(encoding="utf-8").replace('"title": "cahtracker"', '"title": "Ours"')
    meta.write_text(edited, encoding="utf-8")
    refused = cli("publish", str(published), "--force")
    assert_refused(refused, "metadata.json", "changed", "not replaced", "-m")
    assert len(refused.output.strip().splitlines()) == 1
    assert meta.read_text(encoding="utf-8") == edited
    # a marker that records no digest (cannot tell): refused too, naming both files
    marker = published / ".cahtracker-publish"
    marker.write_text("cahtracker publish\ncahtracker.db\nmetadata.json\n", encoding="utf-8")
    assert_refused(cli("publish", str(published), "--force"), "cahtracker.db", "changed")
    meta.unlink()
    (published / "cahtracker.db").unlink()
    cli.ok("publish", str(published), "--force")  # nothing left to lose: replaced
    assert '"title": "cahtracker"' in meta.read_text(encoding="utf-8")


def test_force_refuses_a_changed_database_file(cli, published):
    copy = published / "cahtracker.db"
    os.chmod(copy, 0o644)
    with open(copy, "ab") as handle:
        handle.write(b"\0")
    assert_refused(cli("publish", str(published), "--force"), "cahtracker.db", "changed")
    assert copy.read_bytes().endswith(b"\0")


def test_canned_query_titles_name_the_document(cli, published):
    default = json.loads(cli.ok("docs", "list", "-f", "json").stdout)
    (symbol,) = [d["symbol"] for d in default if d["is_default"]]
    meta = json.loads((published / "metadata.json").read_text(encoding="utf-8"))
    queries = meta["databases"]["cahtracker"]["queries"]
    assert queries["who_has_not_sponsored"]["title"] == (
        f"Member states that have not sponsored {symbol}"
    )
    assert queries["sponsors_by_group"]["title"] == f"Sponsors of {symbol} by group"


def test_metadata_names_sources_readers_can_reach(published):
    text = (published / "metadata.json").read_text(encoding="utf-8")
    assert "SOURCES.md" not in text and "data/" not in text  # not published, no address
    meta = json.loads(text)
    tables = meta["databases"]["cahtracker"]["tables"]
    assert "https://www.un.org/dgacm/en/content/regional-groups" in tables["states"]["source"]
    assert "source" in tables["positions"]["source"]  # each row's own source column
    assert "as they were recorded" in meta["source"]
    assert "UUIDv7" in meta["description"] and "entered" in meta["description"]


def test_the_hint_serves_the_copy_immutable(cli, tmp_path):
    out = tmp_path / "site"
    result = cli.ok("publish", str(out))
    hint = f"datasette serve -i {out / 'cahtracker.db'} -m {out / 'metadata.json'}"
    assert hint in result.stdout
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "datasette serve -i site/cahtracker.db -m site/metadata.json" in readme
    assert "datasette site/cahtracker.db" not in readme


def test_serve_on_a_busy_port_is_refused_before_writing(cli, tmp_path, monkeypatch):
    import socket

    pytest.importorskip("datasette")
    from cahtracker.commands import publish as command

    def never(store, argv):
        raise AssertionError(f"the server was started: {argv}")

    monkeypatch.setattr(command, "_run", never)
    out = tmp_path / "site"
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        refused = cli("publish", str(out), "--serve", "--port", str(port))
    assert_refused(refused, f"Port {port}", "--port")
    assert len(refused.output.strip().splitlines()) == 1
    assert not out.exists()


def test_a_real_merge_key_is_published_without_the_file_name(cli, tmp_path):
    """Through `db merge --on-conflict keep-both` itself (fictional ballots), whatever follows
    the `merge ` prefix of its key."""
    vote = ("vote", "record", "--doc", "A/C.6/79/L.2/Rev.1", "--date", "2026-11-20",
            "--body", "General Assembly", "--yes", "Chile, Peru", "--source", "fictional record")  # fmt: skip
    cli.ok(*vote, "--no", "Fiji")
    member = tmp_path / "zelda-private-copy-5519.db"
    cli.ok("db", "backup", str(member))
    cli.ok(*vote, "--abstain", "Fiji", "--replace", db=member)
    cli.ok("db", "merge", str(member), "--on-conflict", "keep-both")
    (here,) = rows(cli.db, "SELECT key FROM ballot_differences")
    assert here["key"].startswith(f"merge {member.name}")
    out = tmp_path / "site"
    cli.ok("publish", str(out))
    copy = out / "cahtracker.db"
    assert rows(copy, "SELECT key, iso3, choice FROM ballot_differences") == [
        {"key": "merge 1", "iso3": "FJI", "choice": "abstain"}
    ]
    assert b"zelda-private-copy" not in copy.read_bytes()
