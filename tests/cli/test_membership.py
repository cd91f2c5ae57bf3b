"""The history of UN membership as data: dated aliases and former states (data/SOURCES.md M1-M8).

Each rule is checked through the name index the importers use, on a freshly seeded
temporary database. The expectations are the rules as data/SOURCES.md states them, written
out here by hand; the last test reads the real unvotes history in ../shared.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import date

import pytest

from cahtracker.db import open_store
from cahtracker.names import NameIndex, name_key
from conftest import FIXTURES, ROOT

DATA = ROOT / "data"
HISTORY = FIXTURES / "unvotes-full"


def rows(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def names(tmp_path_factory) -> NameIndex:
    store = open_store(tmp_path_factory.mktemp("membership") / "m.db")
    index = NameIndex.load(store)
    store.close()
    return index


def resolves(names: NameIndex, text: str, on: str) -> str | None:
    """The state a name means on a date, 'former: NAME' for a former state, None if unknown."""
    found = names.lookup(text, on)
    if found:
        assert len(found) == 1, (text, on, found)
        return next(iter(found))
    former = names.former_state(text, on)
    return f"former: {former}" if former else None


def test_every_dated_alias_and_former_state_has_a_source_and_real_dates():
    iso3 = {r["iso3"] for r in rows("un_member_states.csv")}
    for row in rows("state_aliases_dated.csv"):
        assert row["source"].strip() and row["note"].strip(), row["alias"]
        assert row["iso3"] in iso3, row
        bounds = [date.fromisoformat(d) for d in (row["valid_from"], row["valid_to"]) if d]
        assert bounds == sorted(bounds), row
    for row in rows("former_states.csv"):
        assert row["source"].strip() and row["note"].strip(), row["name"]
        assert re.fullmatch(r"[A-Z]{2}|", row["iso2_in_unvotes"]), row


def test_no_former_state_is_also_an_undated_name_of_a_member(names):
    undated = {name_key(r["alias"]) for r in rows("state_aliases.csv")}
    undated |= {name_key(r[c]) for r in rows("un_member_states.csv") for c in ("name", "iso2")}
    for row in rows("former_states.csv"):
        assert name_key(row["name"]) not in undated, row["name"]  # it would never be former


@pytest.mark.parametrize(
    ("text", "on", "expected"),
    [
        # M1 the China seat before 25 October 1971 is China's, as the UN Digital Library has it
        ("Taiwan", "1946-01-01", "CHN"),
        ("TW", "1971-10-25", "CHN"),
        ("Taiwan", "1971-10-26", None),
        ("CHINA", "1950-06-01", "CHN"),
        # M2 the USSR's seat is the Russian Federation's
        ("USSR", "1960-10-12", "RUS"),
        ("Union of Soviet Socialist Republics", "1991-12-24", "RUS"),
        ("USSR", "1991-12-25", None),
        ("BYELORUSSIAN SSR", "1960-01-01", "BLR"),
        ("UKRAINIAN SSR", "1960-01-01", "UKR"),
        # M3 the United Arab Republic is one ballot, Egypt's seat, Syria's too in 1958-1961
        ("UNITED ARAB REPUBLIC", "1959-12-01", "EGY"),
        ("United Arab Republic", "1970-12-17", "EGY"),
        ("United Arab Republic", "1958-02-20", None),
        # M4 Yemen continues North Yemen's seat; Democratic Yemen is a former state
        ("Yemen Arab Republic", "1960-01-01", "YEM"),
        ("Yemen Arab Republic", "1990-12-06", "YEM"),
        ("Yemen People's Republic", "1980-01-01", "former: Yemen People's Republic"),
        ("DEMOCRATIC YEMEN", "1980-01-01", "former: Democratic Yemen"),
        ("SOUTHERN YEMEN", "1968-01-01", "former: Southern Yemen"),
        # M5 Tanzania continues Tanganyika's seat; Zanzibar's own seat ended
        ("Zanzibar", "1963-12-03", "former: Zanzibar"),
        ("TANGANYIKA", "1962-01-01", "TZA"),
        # M6 Germany continues the Federal Republic's seat; the GDR is a former state
        ("Federal Republic of Germany", "1973-10-01", "DEU"),
        ("GERMANY, FEDERAL REPUBLIC OF", "1990-12-06", "DEU"),
        ("German Democratic Republic", "1989-12-06", "former: German Democratic Republic"),
        # M7 Yugoslavia before 2000-11-01 is the former SFRY, the FRY's 1992 votes included
        ("Yugoslavia", "1992-09-22", "former: Yugoslavia"),
        ("Yugoslavia", "2000-10-31", "former: Yugoslavia"),
        ("Yugoslavia", "2000-11-01", "SRB"),
        ("SERBIA AND MONTENEGRO", "2004-12-01", "SRB"),
        # M8 Czechoslovakia is a former state
        ("Czechoslovakia", "1992-12-06", "former: Czechoslovakia"),
        # historical UN Digital Library names of seats that continued (state_aliases.csv)
        ("ZAIRE", "1980-01-01", "COD"),
        ("BURMA", "1980-01-01", "MMR"),
        ("DAHOMEY", "1970-01-01", "BEN"),
        ("UPPER VOLTA", "1970-01-01", "BFA"),
        ("CEYLON", "1960-01-01", "LKA"),
        ("KHMER REPUBLIC", "1972-01-01", "KHM"),
        ("DEMOCRATIC KAMPUCHEA", "1980-01-01", "KHM"),
        ("SIAM", "1947-01-01", "THA"),
        ("SWAZILAND", "1970-01-01", "SWZ"),
        ("FEDERATION OF MALAYA", "1960-01-01", "MYS"),
    ],
)
def test_membership_rules(names, text, on, expected):
    assert resolves(names, text, on) == expected


def test_every_former_state_names_its_source(store):
    rows = store.query("SELECT name, source FROM former_states")
    assert len(rows) == len(
        list(csv.DictReader(open(DATA / "former_states.csv", encoding="utf-8")))
    )
    assert all(r["source"] and r["source"].strip() for r in rows), rows
    czechoslovakia = next(r for r in rows if r["name"] == "Czechoslovakia")
    assert "UN member-state note 'Czechoslovakia and Successor States'" in czechoslovakia["source"]


# The labels of the unvotes history that are not a current member's name and code, and
# what the rules above make of them (the rest must resolve by name and code alike).
HISTORICAL_LABELS = {
    ("Taiwan", "TW"): "CHN",
    ("Federal Republic of Germany", None): "DEU",
    ("Yemen Arab Republic", None): "YEM",
    ("German Democratic Republic", "DD"): "former: German Democratic Republic",
    ("Yemen People's Republic", "YD"): "former: Yemen People's Republic",
    ("Zanzibar", None): "former: Zanzibar",
    ("Czechoslovakia", "CS"): "former: Czechoslovakia",
}


@pytest.mark.slow
def test_every_label_of_the_unvotes_history_is_covered_at_its_first_and_last_vote(names):
    with open(HISTORY / "roll_calls.csv", encoding="utf-8", newline="") as handle:
        dates = {r["rcid"]: r["date"] for r in csv.DictReader(handle)}
    spans: dict[tuple[str, str | None], list[str]] = {}
    with open(HISTORY / "unvotes.csv", encoding="utf-8", newline="") as raw:
        next(raw)
        for line in raw:  # the code column is bare NA (missing) or quoted "NA" (Namibia)
            rcid, country, code, _vote = line.rstrip("\r\n").rsplit(",", 3)
            key = (country, None if code == "NA" else code.strip('"'))
            span = spans.setdefault(key, [dates[rcid], dates[rcid]])
            span[0], span[1] = min(span[0], dates[rcid]), max(span[1], dates[rcid])
    assert len(spans) == 200
    for (country, code), span in spans.items():
        for on in span:
            got = resolves(names, country, on)
            if (country, code) in HISTORICAL_LABELS:
                assert got == HISTORICAL_LABELS[(country, code)], (country, code, on)
            elif country == "Yugoslavia":
                assert got == ("SRB" if on >= "2000-11-01" else "former: Yugoslavia"), on
            else:
                assert got is not None and got == resolves(names, code, on), (country, code, on)


def test_no_ballot_for_a_state_in_a_gap_of_its_membership(cli, tmp_path):
    """A fictional unvotes roll call of 1960: Syria sat in the United Arab Republic (Egypt's
    seat), so the members without a row get a non-voting ballot, but Syria gets none."""
    (tmp_path / "unvotes.csv").write_text(
        "rcid,country,country_code,vote\n1,Egypt,EG,yes\n1,France,FR,no\n", encoding="utf-8"
    )
    (tmp_path / "roll_calls.csv").write_text(
        "rcid,session,importantvote,date,unres,amend,para,short,descr\n"
        "1,15,0,1960-05-01,A/RES/15/9999,0,0,FICTIONAL,A FICTIONAL VOTE\n",
        encoding="utf-8",
    )
    cli.ok("vote", "import", str(tmp_path / "unvotes.csv"))
    vote = json.loads(cli.ok("vote", "show", "A/RES/15/9999", "-f", "json").stdout)
    choices = {b["iso3"]: b["choice"] for b in vote["ballots"]}
    assert choices["EGY"] == "yes" and choices["FRA"] == "no"
    assert "SYR" not in choices
    assert choices["USA"] == "non-voting"  # a member of the day without a row
    assert "DEU" not in choices  # not yet a member in 1960


def test_an_older_database_receives_the_reference_rows_added_since(tmp_path):
    """A database made before the membership history (simulated: its rows removed, schema 7)
    gains them on upgrade; the user's facts and the rows it had stay as they were."""
    from sqlite_utils import Database

    from cahtracker.db import load_seed
    from cahtracker.db.migrations import migrations

    path = tmp_path / "old.db"
    db = Database(path)
    migrations.apply(db, stop_before="m012_membership_gaps")
    with db.conn:
        load_seed(db.conn, ROOT / "data" / "seed.sql", skip=("membership_gaps",))
        db.execute("DELETE FROM state_aliases WHERE alias IN ('Taiwan', 'TW', 'USSR')")
        db.execute("DELETE FROM former_states WHERE name = 'Zanzibar'")
        db.execute("UPDATE topics SET title = 'kept as the user had it' WHERE slug = 'treaty'")
    aliases = db.execute("SELECT count(*) FROM state_aliases").fetchone()[0]
    db.close()
    store = open_store(path)
    names = NameIndex.load(store)
    assert names.lookup("Taiwan", "1950-01-01") == {"CHN"}
    assert names.former_state("Zanzibar", "1963-12-03") == "Zanzibar"
    assert store.scalar("SELECT count(*) FROM state_aliases") == aliases + 3
    assert store.scalar("SELECT count(*) FROM membership_gaps") == len(rows("membership_gaps.csv"))
    assert (
        store.scalar("SELECT title FROM topics WHERE slug = 'treaty'") == "kept as the user had it"
    )
    store.close()
