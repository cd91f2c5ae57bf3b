"""`analyze align|targets|forecast` on small fictional voting histories built in the test DB."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cahtracker import analysis
from cahtracker.analysis import VoteScope, bloc_choice
from cahtracker.db import open_store
from cahtracker.positions import STANCES
from conftest import DATA, assert_refused

DRAFT = "A/FIC/DRAFT"
# four fictional recorded votes: (id, symbol, title, date, {iso3: choice})
VOTES = [
    (
        101,
        "A/FIC/1",
        "Human rights situation",
        "2020-01-10",
        {"FRA": "yes", "DEU": "yes", "RUS": "no", "CHN": "abstain", "BRA": "yes"}
        | {"IND": "non-voting", "ESP": "abstain"},
    ),
    (
        102,
        "A/FIC/2",
        "Nuclear disarmament",
        "2021-05-05",
        {"FRA": "no", "DEU": "yes", "RUS": "no", "CHN": "no", "BRA": "abstain"}
        | {"IND": "yes", "ESP": "yes"},
    ),
    (
        103,
        "A/FIC/3",
        "Human rights defenders",
        "2022-03-03",
        {"FRA": "yes", "DEU": "abstain", "RUS": "yes", "CHN": "yes", "BRA": "yes"}
        | {"IND": "absent", "ESP": "yes"},
    ),
    (
        104,
        "A/FIC/4",
        "Oceans and the law of the sea",
        "2023-07-07",
        {"FRA": "abstain", "DEU": "abstain", "RUS": "no", "CHN": "yes", "BRA": "no"}
        | {"IND": "yes", "ESP": "no"},
    ),
]
SPONSORS = ["DEU", "BRA", "CHN"]


def add_document(conn, symbol: str, title: str = "Fictional draft") -> None:
    conn.execute(
        "INSERT OR IGNORE INTO documents (symbol, kind, body, title) VALUES (?, 'draft resolution', 'General Assembly', ?)",
        (symbol, title),
    )


def add_vote(conn, vote_id: int, symbol: str, title: str, date: str, ballots: dict) -> None:
    add_document(conn, symbol, title)
    conn.execute(
        "INSERT INTO votes (id, symbol, body, date, method, outcome) VALUES (?, ?, 'General Assembly', ?, 'recorded', 'adopted')",
        (vote_id, symbol, date),
    )
    conn.executemany(
        "INSERT INTO ballots (vote_id, iso3, choice) VALUES (?, ?, ?)",
        [(vote_id, iso3, choice) for iso3, choice in ballots.items()],
    )


def add_sponsors(conn, symbol: str, codes: list[str]) -> None:
    add_document(conn, symbol)
    conn.executemany(
        "INSERT INTO sponsorship_events (symbol, iso3, action, role, date, source) VALUES (?, ?, 'joined', 'co', '2024-11-01', 'fiction')",
        [(symbol, iso3) for iso3 in codes],
    )


def add_position(conn, iso3: str, stance: str, date: str, topic: str = "treaty") -> None:
    conn.execute(
        "INSERT INTO positions (iso3, topic, stance, date, source) VALUES (?, ?, ?, ?, 'fiction')",
        (iso3, topic, stance, date),
    )


# The figures below are worked out by hand with four seeded treaty stances (RUS oppose; GMB,
# MEX, CZE support): the fixtures set the seed's other treaty stances aside in the test's copy.
SEEDED_TREATY = ("RUS", "GMB", "MEX", "CZE")


def keep_seeded_treaty_stances(conn) -> None:
    marks = ", ".join("?" for _ in SEEDED_TREATY)
    conn.execute(
        f"DELETE FROM positions WHERE topic = 'treaty' AND iso3 NOT IN ({marks})", SEEDED_TREATY
    )


@pytest.fixture
def history(db_path):
    """The four votes above, a draft sponsored by DEU, BRA and CHN, and a few stances."""
    store = open_store(db_path)
    with store.write("test"):
        keep_seeded_treaty_stances(store.conn)
        for vote in VOTES:
            add_vote(store.conn, *vote)
        add_sponsors(store.conn, DRAFT, SPONSORS)
        add_position(store.conn, "FRA", "undecided", "2024-01-01")
        add_position(store.conn, "ESP", "support", "2023-01-01")
        add_position(store.conn, "ESP", "undecided", "2024-01-01")  # the latest counts
        add_position(store.conn, "ITA", "undecided", "2023-01-01")
        add_position(store.conn, "ITA", "support", "2024-01-01")
    store.close()
    return db_path


def carried(yes: int, no: int, majority: str) -> bool:
    """The Charter's rule, written here independently of voting.decide."""
    if yes + no == 0:
        return False
    return 3 * yes >= 2 * (yes + no) if majority == "two-thirds" else yes > no


def as_json(cli, *args):
    return json.loads(cli.ok(*args, "-f", "json").stdout)


# ---------------------------------------------------------------- align, by hand


def test_align_against_every_state_ranked_by_hand(cli, history):
    rows = as_json(cli, "analyze", "align", "France")
    got = [(r["rank"], r["iso3"], r["votes"], r["identical"], r["score"]) for r in rows]
    assert got == [
        (1, "BRA", 4, 2, 0.75),  # yes=yes, no/abstain, yes=yes, abstain/no
        (2, "CHN", 4, 2, 0.75),
        (3, "DEU", 4, 2, 0.625),
        (4, "RUS", 4, 2, 0.625),
        (5, "ESP", 4, 1, 0.5),
        (6, "IND", 2, 0, 0.25),  # non-voting and absent votes left out
    ]
    assert rows[0]["agreement"] == 0.5 and rows[0]["regional_group"]


def test_align_with_one_state_and_filters(cli, history):
    [row] = as_json(cli, "analyze", "align", "FRA", "--with", "Germany")
    assert (row["votes"], row["identical"], row["agreement"], row["score"]) == (4, 2, 0.5, 0.625)
    [row] = as_json(cli, "analyze", "align", "FRA", "--with", "DEU", "--subject", "HUMAN rights")
    assert (row["votes"], row["identical"], row["score"]) == (2, 1, 0.75)  # votes 101 and 103
    [row] = as_json(cli, "analyze", "align", "FRA", "--with", "DEU", "--subject", "A/FIC/4")
    assert (row["votes"], row["identical"], row["score"]) == (1, 1, 1.0)
    [row] = as_json(
        cli, "analyze", "align", "FRA", "--with", "DEU", "--from", "2021-01-01", "--to", "2022"
    )
    assert (row["votes"], row["identical"], row["score"]) == (2, 0, 0.25)  # 102 and 103
    [row] = as_json(cli, "analyze", "align", "FRA", "--with", "VAT")
    assert (row["votes"], row["score"]) == (0, None)


def test_align_group_lists_every_member(cli, history):
    rows = as_json(cli, "analyze", "align", "FRA", "--group", "WEOG")
    assert len(rows) == 28  # the 29 of WEOG but France
    assert [(r["iso3"], r["score"]) for r in rows[:2]] == [("DEU", 0.625), ("ESP", 0.5)]
    assert all(r["votes"] == 0 and r["rank"] is None for r in rows[2:])


def test_align_sponsors_bloc_by_hand(cli, history):
    # bloc DEU, BRA, CHN: 101 yes; 102 split (yes/abstain/no); 103 yes; 104 split
    [row] = as_json(cli, "analyze", "align", "FRA", "--sponsors", "--doc", DRAFT)
    assert (row["votes"], row["identical"], row["score"], row["split_votes"]) == (2, 2, 1.0, 2)
    assert row["bloc_size"] == 3
    [row] = as_json(cli, "analyze", "align", "RUS", "--sponsors", "--doc", DRAFT)
    assert (row["votes"], row["identical"], row["score"]) == (2, 1, 0.5)
    # a sponsor is scored against the other sponsors: BRA and CHN agree only on 103
    [row] = as_json(cli, "analyze", "align", "DEU", "--sponsors", "--doc", DRAFT)
    assert (row["votes"], row["identical"], row["score"], row["split_votes"]) == (1, 0, 0.5, 3)
    assert row["bloc_size"] == 2
    # before the sponsors joined (2024-11-01) there was no bloc
    result = cli("analyze", "align", "FRA", "--sponsors", "--doc", DRAFT, "--as-of", "2024-10-31")
    assert_refused(result, "no recorded sponsors on 2024-10-31")
    [row] = as_json(cli, "analyze", "align", "IND", "--sponsors", "--doc", DRAFT)
    assert (row["votes"], row["score"], row["split_votes"]) == (0, None, 2)


def test_align_sponsors_needs_another_sponsor(cli, history, unchanged, db_path):
    store = open_store(db_path)
    with store.write("test"):
        add_sponsors(store.conn, "A/FIC/SOLO", ["FRA"])
    store.close()
    with unchanged():
        result = cli("analyze", "align", "FRA", "--sponsors", "--doc", "A/FIC/SOLO")
    assert_refused(result, "no recorded sponsors other than FRA")


def test_align_formats(cli, history):
    table = cli.ok("analyze", "align", "FRA").stdout
    assert "Brazil" in table and "0.75" in table and "Voeten" not in table
    rows = list(csv.DictReader(io.StringIO(cli.ok("analyze", "align", "FRA", "-f", "csv").stdout)))
    assert rows[0]["iso3"] == "BRA" and rows[0]["score"] == "0.75"
    markdown = cli.ok("analyze", "align", "FRA", "-f", "markdown").stdout
    assert "| 1 | BRA | Brazil |" in markdown


def test_align_refusals_leave_the_database_unchanged(cli, history, unchanged):
    with unchanged():
        assert_refused(cli("analyze", "align", "Frnace"), "Unknown state 'Frnace'")
        assert_refused(cli("analyze", "align", "FRA", "--with", "DEU", "--sponsors"), code=2)
        assert_refused(cli("analyze", "align", "FRA", "--with", "FRA"), "same state")
        assert_refused(cli("analyze", "align", "FRA", "--group", "Nordic"), "Unknown regional")
        assert_refused(cli("analyze", "align", "FRA", "--from", "03/04/2024"), "Ambiguous date")
        assert_refused(cli("analyze", "align", "FRA", "--from", "2024", "--to", "2023"), "after")
        assert_refused(cli("analyze", "align", "FRA", "--sponsors", "--doc", "A/X"), "Unknown doc")
        assert_refused(cli("analyze", "align", "FRA", "--doc", DRAFT), "--sponsors", code=2)


# ---------------------------------------------------------------- targets


def test_targets_exclude_sponsors_and_stances_and_rank_by_the_bloc(cli, history):
    rows = as_json(cli, "analyze", "targets", "--doc", DRAFT)
    codes = [r["iso3"] for r in rows]
    # 193 members - 3 sponsors - RUS (oppose) - GMB, MEX, CZE, ITA (support) = 185
    assert len(rows) == 185
    assert not set(codes) & {"DEU", "BRA", "CHN", "RUS", "GMB", "MEX", "CZE", "ITA"}
    assert not set(codes) & {"PSE", "VAT"}  # observers never vote
    assert rows[0] | {"regional_group": None} == rows[0] | {
        "rank": 1,
        "iso3": "FRA",
        "stance": "undecided",
        "votes": 2,
        "score": 1.0,
        "evidence": "2 votes, score 1.00",
        "regional_group": None,
    }
    assert (rows[1]["iso3"], rows[1]["score"], rows[1]["stance"]) == ("ESP", 0.75, "undecided")
    assert all(r["evidence"] == "no data" and r["rank"] is None for r in rows[2:])
    assert "IND" in codes[2:]  # only split votes shared with the bloc


def test_targets_as_of_uses_the_stances_of_then(cli, history):
    rows = as_json(cli, "analyze", "targets", "--doc", DRAFT, "--as-of", "2023-06-01")
    codes = [r["iso3"] for r in rows]
    assert "ITA" in codes and "ESP" not in codes  # ITA undecided then, ESP support then


def test_targets_refuse_an_unknown_topic(cli, history, unchanged):
    with unchanged():
        assert_refused(cli("analyze", "targets", "--topic", "treaties"), "Unknown topic", "treaty")


def test_a_topic_is_known_in_any_letter_case_everywhere(cli, history):
    """One topic rule: `analyze` resolves a topic as `position` does."""
    assert as_json(cli, "analyze", "targets", "--topic", "TREATY") == as_json(
        cli, "analyze", "targets", "--topic", "treaty"
    )
    forecast = as_json(cli, "analyze", "forecast", "--topic", "Treaty")
    assert forecast["topic"] == "treaty"
    assert cli.ok("position", "list", "--topic", "TREATY", "-f", "json").stdout


# ---------------------------------------------------------------- forecast


@pytest.fixture
def contested(db_path):
    """16 votes where the sponsors vote yes and Russia no, and five states with known habits."""
    store = open_store(db_path)
    habits = {
        "FRA": ["yes"] * 16,  # always with the sponsors: firm yes
        "IRN": ["no"] * 16,  # always with Russia: firm no
        "IND": ["abstain"] * 16,  # exactly between: toss-up
        "ESP": ["yes"] * 12 + ["abstain"] * 4,  # firm yes, but undecided: yes or abstain
        "ARG": ["yes"] * 6 + ["abstain"] * 10,  # gap 0.375 > margin 0.25: leans yes
    }
    with store.write("test"):
        keep_seeded_treaty_stances(store.conn)
        for n in range(16):
            ballots = {iso3: "yes" for iso3 in SPONSORS} | {"RUS": "no"}
            ballots |= {iso3: choices[n] for iso3, choices in habits.items()}
            add_vote(store.conn, 200 + n, f"A/FIC/C{n}", "Contested", "2020-01-01", ballots)
        add_sponsors(store.conn, DRAFT, SPONSORS)
        add_position(store.conn, "ESP", "undecided", "2024-01-01")
    store.close()
    return db_path


def test_forecast_projection_by_hand(cli, contested):
    result = as_json(cli, "analyze", "forecast", "--doc", DRAFT)
    states = {s["iso3"]: s for s in result["states"]}
    assert len(states) == 193 and "PSE" not in states
    assert {k: states[k]["possible"] for k in ("DEU", "GMB", "RUS", "FRA", "IRN")} == {
        "DEU": "yes",  # sponsor
        "GMB": "yes",  # seed: support
        "RUS": "no",  # seed: oppose
        "FRA": "yes",
        "IRN": "no",
    }
    assert states["IND"]["possible"] == "yes/no/abstain"
    assert states["ESP"]["possible"] == "yes/abstain"
    assert states["ARG"]["possible"] == "yes/abstain"
    assert states["AFG"]["possible"] == "yes/no/abstain" and states["AFG"]["basis"] == "no data"
    # committed: 3 sponsors + GMB, MEX, CZE support = 6 yes; RUS = 1 no; 181 with no data
    assert result["tally"] == {
        "yes": {"committed": 6, "low": 7, "high": 191},
        "no": {"committed": 1, "low": 2, "high": 184},
        "abstain": {"committed": 0, "low": 0, "high": 184},
    }
    assert result["outcome"] == "uncertain"
    assert result["worst_case"] == {"yes": 7, "no": 184}


def test_forecast_outcomes_under_each_rule(cli, contested, db_path):
    store = open_store(db_path)
    members = [
        r["iso3"]
        for r in store.query(
            "SELECT iso3 FROM states WHERE status = 'member' AND iso3 NOT IN "
            "('DEU','BRA','CHN','RUS','FRA','IRN','IND','ESP','ARG','GMB','MEX','CZE') ORDER BY iso3"
        )
    ]
    with store.write("test"):
        for iso3 in members[:125]:
            add_position(store.conn, iso3, "support", "2024-02-01")
    store.close()
    # yes low 6 + 125 + FRA = 132; no high = RUS + IRN + IND + 56 unknown = 59
    simple = as_json(cli, "analyze", "forecast", "--doc", DRAFT)
    assert (simple["worst_case"], simple["outcome"]) == ({"yes": 132, "no": 59}, "adopted")
    two_thirds = as_json(cli, "analyze", "forecast", "--doc", DRAFT, "--majority", "two-thirds")
    assert two_thirds["outcome"] == "adopted"  # 132 >= 2 x 59
    # the same states opposed: best case yes = 6 + 56 + FRA, ESP, ARG, IND = 66 < no low 127
    store = open_store(db_path)
    with store.write("test"):
        for iso3 in members[:125]:
            add_position(store.conn, iso3, "oppose", "2024-03-01")
    store.close()
    rejected = as_json(cli, "analyze", "forecast", "--doc", DRAFT)
    assert rejected["best_case"] == {"yes": 66, "no": 127}
    assert rejected["outcome"] == "rejected"


def test_forecast_table_and_states_listing(cli, contested):
    table = cli.ok("analyze", "forecast", "--doc", DRAFT).stdout
    assert "Projected outcome: uncertain" in table and "191" in table
    rows = list(
        csv.DictReader(
            io.StringIO(
                cli.ok("analyze", "forecast", "--doc", DRAFT, "--states", "-f", "csv").stdout
            )
        )
    )
    assert len(rows) == 193 and {r["possible"] for r in rows} >= {"yes", "no", "yes/abstain"}
    markdown = cli.ok("analyze", "forecast", "--doc", DRAFT, "-f", "markdown").stdout
    assert "| yes | 6 | 7 | 191 |" in markdown


def test_forecast_refuses_a_bad_rule(cli, contested, unchanged):
    with unchanged():
        assert_refused(cli("analyze", "forecast", "--majority", "half"), code=2)


def test_bloc_choice_ties_split():
    assert bloc_choice(3, 1, 1) == "yes" and bloc_choice(0, 0, 2) == "abstain"
    assert bloc_choice(2, 2, 1) is None and bloc_choice(1, 1, 1) is None
    assert bloc_choice(0, 0, 0) is None


# ---------------------------------------------------------------- property tests

CODES = ["FRA", "DEU", "RUS", "CHN", "BRA", "IND", "ESP"]
CHOICES = ["yes", "no", "abstain", "non-voting", "absent"]
CREDIT = {("yes", "yes"): 2, ("no", "no"): 2, ("abstain", "abstain"): 2}
CAST = ("yes", "no", "abstain")


def brute_pair(ballots, a, b, vote_ids):
    shared = [
        (ballots[v][a], ballots[v][b])
        for v in vote_ids
        if ballots[v].get(a) in CAST and ballots[v].get(b) in CAST
    ]
    return brute_figures(shared)


def brute_figures(shared):
    if not shared:
        return None
    same = sum(x == y for x, y in shared)
    credit = sum(1.0 if x == y else 0.5 if "abstain" in (x, y) else 0.0 for x, y in shared)
    return (len(shared), same, round(same / len(shared), 4), round(credit / len(shared), 4))


def brute_bloc(ballots, state, bloc, vote_ids):
    shared, split = [], 0
    for v in vote_ids:
        if ballots[v].get(state) not in CAST:
            continue
        counts = [sum(ballots[v].get(m) == c for m in bloc) for c in CAST]
        if not any(counts):
            continue
        top = max(counts)
        if counts.count(top) > 1:
            split += 1
        else:
            shared.append((ballots[v][state], CAST[counts.index(top)]))
    return brute_figures(shared), split


histories = st.lists(
    st.dictionaries(st.sampled_from(CODES), st.sampled_from(CHOICES), min_size=1),
    min_size=1,
    max_size=12,
)


def load(store, history) -> dict:
    store.conn.execute("DELETE FROM ballots")
    store.conn.execute("DELETE FROM votes")
    ballots = {}
    with store.write("test"):
        for n, choices in enumerate(history):
            add_vote(
                store.conn, 1000 + n, f"A/P/{n}", f"Topic {n % 3}", f"20{10 + n}-01-01", choices
            )
            ballots[1000 + n] = choices
    return ballots


def figures(row):
    if row is None or not row["votes"]:
        return None
    return (row["votes"], row["identical"], row["agreement"], row["score"])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(history=histories)
def test_pair_scores_match_brute_force(store, history):
    ballots = load(store, history)
    for state in ("FRA", "RUS"):
        scores = analysis.pair_scores(store, state)
        for other in CODES:
            if other != state:
                assert figures(scores.get(other)) == brute_pair(ballots, state, other, ballots)
    # a subject filter keeps the votes whose title matches
    scope = VoteScope(subject="topic 1")
    kept = [v for v in ballots if (v - 1000) % 3 == 1]
    scores = analysis.pair_scores(store, "FRA", scope=scope)
    for other in CODES[1:]:
        assert figures(scores.get(other)) == brute_pair(ballots, "FRA", other, kept)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(history=histories, bloc=st.sets(st.sampled_from(CODES[2:]), min_size=1))
def test_bloc_scores_match_brute_force(store, history, bloc):
    ballots = load(store, history)
    bloc = sorted(bloc)
    many = analysis.bloc_scores(store, bloc, ["FRA", "DEU"])
    scan_bloc, analysis.SCAN_BLOC = analysis.SCAN_BLOC, 0  # the one-pass plan of large blocs
    try:
        scanned = analysis.bloc_scores(store, bloc, ["FRA", "DEU"])
    finally:
        analysis.SCAN_BLOC = scan_bloc
    assert scanned == many
    for state in ("FRA", "DEU"):
        expected, split = brute_bloc(ballots, state, bloc, ballots)
        one = analysis.bloc_scores(store, bloc, [state]).get(state)
        for row in (one, many.get(state)):
            assert figures(row) == expected
            assert (row["split_votes"] if row else 0) == split


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    history=histories,
    stances=st.dictionaries(st.sampled_from(CODES), st.sampled_from(STANCES)),
    majority=st.sampled_from(["simple", "two-thirds"]),
)
def test_forecast_range_contains_the_committed(store, history, stances, majority):
    load(store, history)
    with store.write("test"):
        store.conn.execute("DELETE FROM positions")
        store.conn.execute("DELETE FROM sponsorship_events WHERE symbol = ?", (DRAFT,))
        add_sponsors(store.conn, DRAFT, ["DEU", "BRA"])
        for iso3, stance in stances.items():
            add_position(store.conn, iso3, stance, "2024-01-01")
    result = analysis.forecast(store, DRAFT, "treaty", majority)
    tally = result["tally"]
    committed = {
        "yes": len({"DEU", "BRA"} | {s for s, v in stances.items() if v == "support"}),
        "no": sum(1 for s, v in stances.items() if v == "oppose" and s not in ("DEU", "BRA")),
    }
    assert tally["yes"]["committed"] == committed["yes"]
    assert tally["no"]["committed"] == committed["no"]
    for counts in tally.values():
        assert counts["committed"] <= counts["low"] <= counts["high"] <= 193
    assert sum(c["low"] for c in tally.values()) <= 193 <= sum(c["high"] for c in tally.values())
    worst_passes = carried(tally["yes"]["low"], tally["no"]["high"], majority)
    best_passes = carried(tally["yes"]["high"], tally["no"]["low"], majority)
    expected = "adopted" if worst_passes else "uncertain" if best_passes else "rejected"
    assert result["outcome"] == expected


# --- a real slice: the TidyTuesday unvotes extract in tests/data/unvotes (MIT) -------------


@pytest.fixture
def real_history(cli, store):
    """Three real roll calls (1946, 2019, 2019) imported through the CLI; ballots by vote."""

    data = DATA / "unvotes" / "unvotes.csv"
    cli.ok("vote", "import", str(data), "--skip-unknown")
    ballots: dict[int, dict[str, str]] = {}
    for row in store.query(
        "SELECT b.vote_id, b.iso3, b.choice FROM ballots b JOIN votes v ON v.id = b.vote_id "
        "WHERE v.method = 'recorded'"
    ):
        ballots.setdefault(row["vote_id"], {})[row["iso3"]] = row["choice"]
    assert len(ballots) == 3
    return ballots


def test_real_slice_pair_scores_match_brute_force(store, real_history):
    for state in ("USA", "FRA", "RUS", "SRB"):
        scores = analysis.pair_scores(store, state)
        others = {iso3 for votes in real_history.values() for iso3 in votes} - {state}
        for other in sorted(others):
            expected = brute_pair(real_history, state, other, real_history)
            assert figures(scores.get(other)) == expected, (state, other)


def test_real_slice_bloc_of_the_2022_core_group_matches_brute_force(store, real_history):
    from cahtracker.sponsors import current_sponsors

    bloc = sorted(r["iso3"] for r in current_sponsors(store, "A/RES/77/249"))
    assert len(bloc) == 8  # the seeded core group of the 2022 draft
    for state in ("FRA", "CHN", "IND", "ZAF"):
        expected, split = brute_bloc(real_history, state, bloc, real_history)
        row = analysis.bloc_scores(store, bloc, [state]).get(state)
        assert figures(row) == expected
        assert (row["split_votes"] if row else 0) == split
