"""`states show STATE`: a state's page in every format, and its section in the JSON export.

Oracles: the seed's own CSV files (data/) for sponsorships and stances; the unvotes slice in
tests/data/unvotes (real, MIT; see tests/data/README.md) for the alignment, recomputed here
from the CSV by the plurality rule the README states. Votes recorded here are fictional.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter

import pytest

from conftest import DATA, ROOT

DOC = "A/C.6/79/L.2/Rev.1"


def page(cli, state: str, *args: str) -> dict:
    return json.loads(cli.ok("states", "show", state, *args, "-f", "json").stdout)


def seed_rows(name: str, iso3: str) -> list[dict[str, str]]:
    with open(ROOT / "data" / name, encoding="utf-8") as handle:
        return [r for r in csv.DictReader(handle) if r["iso3"] == iso3]


def test_mexico_has_its_sponsorships_and_stances_from_the_seed(cli):
    mexico = page(cli, "Mexico")
    assert (mexico["iso3"], mexico["name"], mexico["document"]) == ("MEX", "Mexico", DOC)
    expected = {(r["symbol"], r["action"], r["date"] or None, r["source"]) for r in seed_rows(
        "cah_sponsorship_events.csv", "MEX"
    )}  # fmt: skip
    assert (
        expected
        and {(e["symbol"], e["action"], e["date"], e["source"]) for e in mexico["sponsorships"]}
        == expected
    )
    stances = {(r["topic"], r["stance"], r["date"], r["quote"]) for r in seed_rows(
        "cah_positions.csv", "MEX"
    )}  # fmt: skip
    assert (
        stances
        and {(s["topic"], s["stance"], s["date"], s["quote"]) for s in mexico["stances"]} == stances
    )
    assert all(s["source"] for s in mexico["stances"])
    assert {"source_kind", "quote_kind"} <= set(mexico["stances"][0])
    assert mexico["sponsor_of_document"]["role"] == "main"
    assert mexico["alignment"]["score"] is None
    assert "no recorded vote with ballots yet" in mexico["alignment"]["note"]
    assert mexico["latest_said"]["kind"] == "stance"
    assert mexico["aliases"]  # what `states show` printed before it had a page


def _bloc_score(rows, state: str, bloc: set[str]) -> tuple[int, int, int]:
    """(votes, identical, split) of `state` against the bloc's plurality, by the README's rule."""
    by_vote: dict[str, dict[str, str]] = {}
    for row in rows:
        by_vote.setdefault(row["rcid"], {})[row["country_code"]] = row["vote"]
    votes = identical = split = 0
    for choices in by_vote.values():
        mine = choices.get(state)
        if mine not in ("yes", "no", "abstain"):
            continue
        cast = Counter(
            c for code, c in choices.items() if code in bloc and c in ("yes", "no", "abstain")
        )
        if not cast:
            continue
        top = max(cast.values())
        leaders = [c for c, n in cast.items() if n == top]
        if len(leaders) > 1:
            split += 1
            continue
        votes += 1
        identical += mine == leaders[0]
    return votes, identical, split


def test_alignment_with_the_sponsors_once_ballots_are_imported(cli):
    cli.ok("vote", "import", str(DATA / "unvotes" / "unvotes.csv"))
    sponsors = json.loads(cli.ok("sponsors", "list", "-f", "json").stdout)
    states = {s["iso3"]: s for s in json.loads(cli.ok("states", "list", "-f", "json").stdout)}
    bloc_iso2 = {states[s["iso3"]]["iso2"] for s in sponsors if s["iso3"] != "MEX"}
    with open(DATA / "unvotes" / "unvotes.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    votes, identical, split = _bloc_score(rows, "MX", bloc_iso2)
    assert votes >= 1
    alignment = page(cli, "Mexico")["alignment"]
    assert (alignment["votes"], alignment["identical"], alignment["split_votes"]) == (
        votes,
        identical,
        split,
    )
    assert alignment["bloc_size"] == len(bloc_iso2) and alignment["note"] is None
    # the same figures as `analyze align --sponsors`
    [row] = json.loads(cli.ok("analyze", "align", "MEX", "--sponsors", "-f", "json").stdout)
    assert (row["votes"], row["score"]) == (alignment["votes"], alignment["score"])


def test_ballots_on_the_process_texts_with_statements_and_partial_records(cli):
    cli.ok("vote", "record", "--doc", DOC, "--date", "2024-11-22", "--body", "Sixth Committee",
           "--without-vote", "--dissociating", "Russia", "--source", "fictional record",
           "--also")  # fmt: skip
    cli.ok("vote", "record", "--doc", DOC, "--date", "2024-11-23", "--body", "Sixth Committee",
           "--yes", "France", "--no", "Iran", "--explanation", "Iran=Fictional reasons",
           "--source", "fictional partial record")  # fmt: skip
    cli.ok("vote", "record", "--doc", "A/FIC/9", "--create-doc", "--date", "2024-11-24",
           "--body", "General Assembly", "--yes", "Russia", "--source", "fictional, elsewhere")  # fmt: skip
    russia = page(cli, "Russian Federation")
    assert [
        (b["symbol"], b["choice"], [s["kind"] for s in b["statements"]]) for b in russia["ballots"]
    ] == [
        (DOC, None, ["dissociation"]),
        (DOC, "not recorded", []),  # a partial record that leaves it out
    ]  # A/FIC/9 is no text of the process
    assert (
        russia["latest_said"]["kind"] == "stance" or russia["latest_said"]["date"] >= "2024-11-22"
    )
    iran = page(cli, "IRN")
    assert iran["ballots"][-1]["choice"] == "no"
    assert iran["ballots"][-1]["statements"] == [
        {"kind": "explanation", "text": "Fictional reasons"}
    ]
    assert iran["latest_said"] == {
        "date": "2024-11-23",
        "date_precision": "day",
        "kind": "explanation",
        "topic": None,
        "stance": None,
        "symbol": DOC,
        "text": "Fictional reasons",
        "source": "fictional partial record",
    }


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv", "json"])
def test_every_format_shows_the_page(cli, fmt):
    cli.ok("vote", "record", "--doc", DOC, "--date", "2024-11-23", "--body", "Sixth Committee",
           "--yes", "Mexico", "--source", "fictional record")  # fmt: skip
    out = cli.ok("states", "show", "Mexico", "-f", fmt).stdout
    quote = seed_rows("cah_positions.csv", "MEX")[0]["quote"]
    if fmt == "json":
        assert json.loads(out)["ballots"][0]["choice"] == "yes"
        return
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        sections = Counter(r["section"] for r in rows)
        assert sections["sponsorship"] == len(seed_rows("cah_sponsorship_events.csv", "MEX"))
        assert sections["ballot"] == 1 and sections["stance"] >= 1
        assert sections["alignment with the sponsors"] == 1
        assert any(r["text"] == quote for r in rows)
        assert {r["iso3"] for r in rows} == {"MEX"}
        return
    for needle in (
        "Mexico (MEX)",
        "Sponsorships",
        "A/RES/77/249",
        "Votes on the texts of",
        "Stances",
    ):
        assert needle in out, (fmt, needle)
    assert "Main sponsor of A/C.6/79/L.2/Rev.1" in out and "Said most recently" in out
    assert quote.split(";")[0] in " ".join(out.split())  # the page's prose wraps at 80 columns
    assert "no recorded vote" in out.lower() or "Alignment with the" in out


def test_a_page_without_a_document(cli, store):
    with store.write("test: no default document"):
        store.conn.execute("DELETE FROM settings WHERE key = 'default_document'")
    mexico = page(cli, "Mexico")
    assert mexico["document"] is None and mexico["ballots"] == []
    assert mexico["sponsor_of_document"] is None
    assert "no document given" in mexico["alignment"]["note"]
    assert mexico["sponsorships"]  # every document's events all the same
    assert "no document given and no default set" in cli.ok("states", "show", "Mexico").stdout


def test_stances_carry_source_and_quote_kinds_where_recorded(store, monkeypatch):
    """Before the source_kind/quote_kind columns exist the keys are None; with them, kept."""
    from cahtracker import positions, state_page
    from cahtracker.views.state import StatePageView

    history = [
        {"iso3": "FRA", "name": "France", "topic": "treaty", "stance": "support",
         "date": "2024-11-01", "date_precision": "day", "source": "fictional statement",
         "quote": "A fictional quote", "source_kind": "statement", "quote_kind": "verbatim"},
    ]  # fmt: skip
    monkeypatch.setattr(positions, "position_history", lambda store, iso3, topic=None: history)
    from cahtracker.names import NameIndex

    shown = state_page.state_page(store, NameIndex.load(store), "France")
    assert shown["stances"][0]["source_kind"] == "statement"
    assert shown["stances"][0]["quote_kind"] == "verbatim"
    view = StatePageView(shown)
    assert "statement / verbatim" in view.markdown()
    keys, rows = view.csv_table()
    stance = next(dict(zip(keys, r, strict=True)) for r in rows if r[2] == "stance")
    assert (stance["source_kind"], stance["quote_kind"]) == ("statement", "verbatim")


def test_unknown_state_is_refused(cli):
    result = cli("states", "show", "Atlantis")
    assert result.exit_code == 1 and "Unknown state 'Atlantis'" in result.output


def test_the_json_export_has_a_page_per_state(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("CAHTRACKER_TODAY", "2026-11-27")
    cli.ok("vote", "import", str(DATA / "unvotes" / "unvotes.csv"))
    out = tmp_path / "report.json"
    cli.ok("report", "export", "-o", str(out))
    pages = json.loads(out.read_text("utf-8"))["state_pages"]
    with open(ROOT / "data" / "un_member_states.csv", encoding="utf-8") as handle:
        assert sorted(p["iso3"] for p in pages) == sorted(r["iso3"] for r in csv.DictReader(handle))
    for iso3 in ("MEX", "GMB", "CZE", "FRA", "VAT"):  # sponsors and others, one observer
        assert next(p for p in pages if p["iso3"] == iso3) == page(cli, iso3), iso3


def test_a_fact_without_a_source_is_marked(cli):
    cli.ok("position", "set", "Mongolia", "--topic", "treaty", "--stance", "mixed",
           "--date", "2024-11-20", "--unsourced")  # fmt: skip
    peru = page(cli, "Mongolia")
    assert [(s["source"], s["unsourced"]) for s in peru["stances"]] == [(None, True)]
    assert "(unsourced)" in cli.ok("states", "show", "Mongolia").stdout
    assert "(unsourced)" in cli.ok("states", "show", "Mongolia", "-f", "markdown").stdout
    rows = list(
        csv.DictReader(io.StringIO(cli.ok("states", "show", "Mongolia", "-f", "csv").stdout))
    )
    assert next(r for r in rows if r["section"] == "stance")["unsourced"] == "true"
