"""The foundation: seed counts, name resolution, dates, migrations, refusals."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cahtracker.dates import parse_date
from cahtracker.db import SCHEMA_VERSION, open_store
from cahtracker.errors import CahError
from cahtracker.names import NameIndex, name_key, split_state_list
from conftest import ROOT, assert_refused


def test_states_list_json_has_195_states_by_group(cli):
    rows = json.loads(cli.ok("states", "list", "--format", "json").stdout)
    assert len(rows) == 195
    assert set(rows[0]) >= {
        "iso3",
        "name",
        "un_vote_name",
        "regional_group",
        "status",
        "admitted_on",
    }
    groups = Counter(r["regional_group"] for r in rows)
    assert groups == {
        "African": 54,
        "Asia-Pacific": 54,
        "Eastern European": 23,
        "Latin American and Caribbean": 33,
        "Western European and Others": 29,
        None: 2,
    }
    assert Counter(r["status"] for r in rows) == {"member": 193, "observer": 2}


def test_states_list_group_filter_accepts_abbreviation(cli):
    rows = json.loads(cli.ok("states", "list", "--group", "WEOG", "-f", "json").stdout)
    assert len(rows) == 29 and {r["regional_group"] for r in rows} == {
        "Western European and Others"
    }
    observers = json.loads(cli.ok("states", "list", "--group", "observers", "-f", "json").stdout)
    assert sorted(r["iso3"] for r in observers) == ["PSE", "VAT"]


def _reading_order(name: str) -> str:
    """The oracle: a reader's alphabetical order, accents and case aside (written apart from
    names.name_key, with the standard library's NFD decomposition)."""
    import unicodedata

    base = unicodedata.normalize("NFD", name)
    return "".join(ch for ch in base if unicodedata.category(ch) != "Mn").lower()


def test_names_are_listed_in_reading_order_not_by_bytes(cli):
    """Côte d'Ivoire between Costa Rica and Croatia, Türkiye before Turkmenistan, in the states
    list and in a sponsor list (seeded sponsors plus fictional joinings of this test)."""
    names = [r["name"] for r in json.loads(cli.ok("states", "list", "-f", "json").stdout)]
    assert names == sorted(names, key=_reading_order)
    assert names.index("Costa Rica") < names.index("Côte d'Ivoire") < names.index("Croatia")
    assert names.index("Tunisia") < names.index("Türkiye") < names.index("Turkmenistan")
    for state in ("Czechia", "Côte d'Ivoire", "Croatia", "Türkiye", "Turkmenistan"):
        cli.ok("sponsors", "add", state, "--date", "2024-11-01", "--source", "test: fictional")
    rows = json.loads(cli.ok("sponsors", "list", "-f", "json").stdout)
    co = [r["name"] for r in rows if r.get("role") != "main"]
    assert co == sorted(co, key=_reading_order), co


@pytest.mark.parametrize(
    "spelling",
    [
        "Côte d'Ivoire",
        "COTE D'IVOIRE",
        "Côte d’Ivoire",
        "CIV",
        "CI",
        "Ivory Coast",
        "côte d'ivoire",
    ],
)
def test_states_show_resolves_every_spelling(cli, spelling):
    state = json.loads(cli.ok("states", "show", spelling, "-f", "json").stdout)
    assert state["iso3"] == "CIV" and state["name"] == "Côte d'Ivoire"


def test_states_show_unknown_is_refused_with_suggestion(cli, unchanged):
    with unchanged():
        result = cli("states", "show", "Rusia")
    assert_refused(result, "Unknown state 'Rusia'", "Russian Federation (RUS)")
    assert len(result.output.strip().splitlines()) == 1


def test_seed_counts(store):
    tables = (
        *("states", "state_aliases", "former_states", "topics", "documents", "votes"),
        *("positions", "events", "count_claims", "sponsorship_events"),
    )
    counts = {t: store.scalar(f"SELECT count(*) FROM {t}") for t in tables}
    # aliases: 291 undated, 8 dated (SOURCES.md: membership history), 5 from documents and
    # stored pages (state_aliases_documents.csv); the rest as data/CAH_CURATION_2026-12.md
    # counts them: 5 + 4 topics, 75 stances, 6 + 6 events, 7 + 3 claims, 14 sponsorship events
    assert counts == {
        **{"states": 195, "state_aliases": 291 + 8 + 5, "former_states": 7, "topics": 9},
        **{"documents": 6, "votes": 3, "positions": 75, "events": 12, "count_claims": 10},
        "sponsorship_events": 14,
    }
    assert store.scalar("SELECT count(DISTINCT iso3) FROM positions") == 49
    assert store.setting("default_document") == "A/C.6/79/L.2/Rev.1"


def test_seed_says_what_kind_of_source_backs_each_row(store):
    def kinds(table: str, column: str = "source_kind") -> dict:
        rows = store.query(f"SELECT {column} AS kind, count(*) AS n FROM {table} GROUP BY 1")
        return {r["kind"]: r["n"] for r in rows}

    # counted by hand from the tables of data/CAH_CURATION_2026-12.md (5 existing + 70 rows)
    assert kinds("positions") == {
        **{"un-record": 26, "secondary": 22, "government": 12, "ngo": 8, "press": 7},
    }
    assert kinds("positions", "quote_kind") == {"verbatim": 35, "paraphrase": 34, "translation": 6}
    # every event, claim and sponsorship event has a kind
    for table in ("events", "count_claims", "sponsorship_events"):
        assert None not in kinds(table) and set(kinds(table)) <= {
            *("un-record", "government", "press", "ngo", "secondary"),
        }
    # sponsorship events: the curation's rule, static.un.org is a UN record, CYIL and WashU NGO
    for row in store.query("SELECT source, source_kind FROM sponsorship_events"):
        assert (row["source_kind"] == "un-record") == ("static.un.org" in row["source"]), row
    # the kinds are checked by the schema
    with pytest.raises(sqlite3.IntegrityError):
        store.conn.execute("UPDATE positions SET quote_kind = 'rumour' WHERE id = 1")


def test_seed_is_not_stale():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_seed.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_first_migration_upgrades_to_latest(tmp_path):
    from sqlite_utils import Database

    from cahtracker.db.migrations import migrations

    path = tmp_path / "old.db"
    first = migrations._migrations[0].name
    later = [m.name for m in migrations._migrations[1:]]
    db = Database(path)
    migrations.apply(db, stop_before=later[0]) if later else migrations.apply(db)
    db.execute(
        "INSERT INTO states (iso3, iso2, name, un_vote_name, status) VALUES ('XXX', 'XX', 'Testland', 'TESTLAND', 'member')"
    )
    db.close()
    store = open_store(path)  # upgrades: applies the rest, keeps the row, does not reseed over it
    assert store.scalar("SELECT name FROM states WHERE iso3 = 'XXX'") == "Testland"
    assert store.scalar("PRAGMA user_version") == SCHEMA_VERSION
    assert next(r["name"] for r in store.query("SELECT name FROM _migrations")) == first
    assert store.scalar("SELECT count(*) FROM _migrations") == len(migrations._migrations)
    store.close()


def test_schema_version_matches_migrations():
    from cahtracker.db.migrations import migrations

    assert len(migrations._migrations) == SCHEMA_VERSION


def test_newer_schema_is_refused(tmp_path, cli):
    path = tmp_path / "future.db"
    open_store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    assert_refused(cli("states", "list", db=path), "newer cahtracker")


def test_not_a_database_is_refused(tmp_path, cli):
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database\n" * 10)
    before = path.read_bytes()
    assert_refused(cli("states", "list", db=path), "is not a SQLite database")
    assert path.read_bytes() == before


def test_db_init_is_idempotent_and_check_passes(cli):
    cli.ok("db", "init")
    cli.ok("db", "init")
    assert "integrity: ok" in cli.ok("db", "check").stdout


def test_db_path_follows_option_then_env(cli, tmp_path, monkeypatch):
    assert cli.ok("db", "path").stdout.strip() == str(cli.db)
    from cahtracker.cli import app

    monkeypatch.setenv("CAHTRACKER_DB", str(tmp_path / "from-env.db"))
    result = cli.runner.invoke(app, ["db", "path"])
    assert result.stdout.strip() == str(tmp_path / "from-env.db")


# --- names ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def names(tmp_path_factory):
    store = open_store(tmp_path_factory.mktemp("names") / "n.db")
    index = NameIndex.load(store)
    aliases = store.query(
        "SELECT alias, iso3 FROM state_aliases WHERE valid_from IS NULL AND valid_to IS NULL"
    )
    states = store.query("SELECT iso3, iso2, name, un_vote_name FROM states")
    store.close()
    return index, aliases, states


def _random_case(draw, text: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    return "".join(c.upper() if f else c.lower() for c, f in zip(text, flips, strict=True))


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_any_alias_in_any_case_resolves_to_its_state(names, data):
    index, aliases, _states = names
    row = data.draw(st.sampled_from(aliases))
    spelling = _random_case(data.draw, row["alias"])
    padding = data.draw(st.sampled_from(["", " ", "  "]))
    assert index.resolve(padding + spelling + padding).iso3 == row["iso3"]


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_every_official_spelling_resolves(names, data):
    index, _, states = names
    row = data.draw(st.sampled_from(states))
    field = data.draw(st.sampled_from(["iso3", "iso2", "name", "un_vote_name"]))
    assert index.resolve(_random_case(data.draw, row[field])).iso3 == row["iso3"]


def test_dated_alias_only_counts_in_its_period(names):
    index = names[0]
    assert index.resolve("Yugoslavia", on="2019-09-10").iso3 == "SRB"
    with pytest.raises(CahError):
        index.resolve("Yugoslavia", on="1946-12-01")
    assert index.former_state("Yugoslavia", on="1946-12-01") == "Yugoslavia"
    assert index.former_state("Yugoslavia", on="2019-09-10") is None


def test_name_key_folds_accents_apostrophes_and_dotted_i():
    assert name_key("TÜRKİYE") == name_key("Turkiye") == name_key("türkiye")
    assert name_key("Côte d’Ivoire") == name_key("COTE D'IVOIRE")


def test_state_list_as_printed_in_un_documents(names):
    index = names[0]
    text = "Albania, Andorra, Korea, Republic of; Trinidad and Tobago, Congo, Dem. Rep. and Zambia"
    assert [r.iso3 for r in index.resolve_list(text)] == ["ALB", "AND", "KOR", "TTO", "COD", "ZMB"]
    lines = "Mexico\nGambia\nCzechia\n"
    assert [r.iso3 for r in index.resolve_list(lines)] == ["MEX", "GMB", "CZE"]


def test_state_list_unknown_names_listed_together(names):
    index = names[0]
    with pytest.raises(CahError) as error:
        index.resolve_list("Albania, Atlantis, Freedonia and Zambia")
    assert "Atlantis" in str(error.value) and "Freedonia" in str(error.value)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_state_list_round_trips(names, data):
    index, _, states = names
    picked = data.draw(
        st.lists(st.sampled_from(states), min_size=1, max_size=8, unique_by=lambda r: r["iso3"])
    )
    spellings = [r[data.draw(st.sampled_from(["name", "un_vote_name", "iso3"]))] for r in picked]
    style = data.draw(st.sampled_from(["un", "semicolon", "lines"]))
    if style == "un":
        text = (
            spellings[0]
            if len(spellings) == 1
            else ", ".join(spellings[:-1]) + " and " + spellings[-1]
        )
    elif style == "semicolon":
        text = "; ".join(spellings)
    else:
        text = "\n".join(spellings)
    assert [r.iso3 for r in index.resolve_list(text)] == [r["iso3"] for r in picked]


def test_split_without_index_splits_on_every_separator():
    assert split_state_list("A, B; C\nD and E") == ["A", "B", "C", "D", "E"]


# --- dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "precision"),
    [
        ("2024-11-22", "2024-11-22", "day"),
        ("22 November 2024", "2024-11-22", "day"),
        ("Nov 22, 2024", "2024-11-22", "day"),
        ("November 2024", "2024-11", "month"),
        ("2024-07", "2024-07", "month"),
        ("2027", "2027", "year"),
        ("by 22 November 2024", "2024-11-22", "on-or-before"),
        ("13/04/2024", "2024-04-13", "day"),
    ],
)
def test_dates_accepted(text, value, precision):
    parsed = parse_date(text)
    assert (parsed.value, parsed.precision) == (value, precision)


def test_relative_dates():
    from datetime import date

    assert parse_date("today", relative_to=date(2024, 3, 1)).value == "2024-03-01"
    assert parse_date("yesterday", relative_to=date(2024, 3, 1)).value == "2024-02-29"


@pytest.mark.parametrize(
    "text",
    ["03/04/2024", "2024-02-30", "30 February 2024", "2023-13-01", "someday", "November", ""],
)
def test_dates_refused(text):
    with pytest.raises(CahError):
        parse_date(text)


@settings(max_examples=300)
@given(st.dates())
def test_date_round_trips_in_every_written_form(day):
    if day.year < 1000:
        return
    forms = [day.isoformat(), f"{day.day} {day:%B} {day.year}", f"{day:%b} {day.day}, {day.year}"]
    for form in forms:
        assert parse_date(form).value == day.isoformat(), form


@settings(max_examples=200)
@given(st.dates(), st.sampled_from(["/", "."]))
def test_numeric_dates_refused_when_day_and_month_could_swap(day, sep):
    if day.year < 1000:
        return
    text = f"{day.day:02d}{sep}{day.month:02d}{sep}{day.year}"
    if day.day <= 12 and day.day != day.month:
        with pytest.raises(CahError, match="Ambiguous"):
            parse_date(text)
    else:
        assert parse_date(text).value == day.isoformat()


def test_cli_modules_do_not_import_heavy_libraries():
    code = (
        "import sys, cahtracker.cli; "
        "heavy = [m for m in ('sqlite_utils', 'rich.table', 'dateutil', 'jinja2', 'defusedxml', 'xml.etree.ElementTree', 'pydantic') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src")},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_version_and_module_entry_point():
    result = subprocess.run(
        [sys.executable, "-m", "cahtracker", "--version"],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src")},
    )
    assert result.returncode == 0 and result.stdout.startswith("cahtracker ")


def test_suggestions_for_a_misspelt_name_are_names_not_codes(names):
    index = names[0]
    labels = [ref.label() for ref in index.suggestions("Rusia")]
    assert labels[0] == "Russian Federation (RUS)"
    assert "United States of America (USA)" not in labels
    assert [ref.iso3 for ref in index.suggestions("FRX")][:1] == ["FRA"]


def test_a_list_may_begin_with_andorras_code(names):
    """Found by hypothesis (test_state_list_round_trips): "AND and Afghanistan" is Andorra and
    Afghanistan; a leading conjunction is dropped only when no " and " follows it."""
    index, _, _ = names
    assert [r.iso3 for r in index.resolve_list("AND and Afghanistan")] == ["AND", "AFG"]
    assert [r.iso3 for r in index.resolve_list("and Afghanistan")] == ["AFG"]
