"""Property: the as-of picture equals a brute-force replay of the events (hypothesis).

Random joins and withdrawals, with random dates of every precision (and some undated
events, as sources give them), on a fictional draft and its revision created in a temporary
database; add/withdraw must also agree with the replay about what is a no-op or refused.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cahtracker.dates import ParsedDate
from cahtracker.db import open_store
from cahtracker.documents import add_document
from cahtracker.errors import CahError
from cahtracker.names import StateRef
from cahtracker.sponsors import add_sponsors, current_sponsors, withdraw_sponsors

STATES = [
    StateRef("CHL", "Chile"),
    StateRef("FJI", "Fiji"),
    StateRef("PER", "Peru"),
    StateRef("GHA", "Ghana"),
]
DATES = [
    ParsedDate("2024", "year"),
    ParsedDate("2024-10", "month"),
    ParsedDate("2024-10-05", "day"),
    ParsedDate("2024-10-20", "on-or-before"),
    ParsedDate("2024-11", "month"),
    ParsedDate("2024-11-05", "day"),
    ParsedDate("2024-11-22", "day"),
    ParsedDate("2025", "year"),
]
AS_OF = [
    None,
    "2023-12-31",
    "2024",
    "2024-10",
    "2024-10-05",
    "2024-10-19",
    "2024-10-20",
    "2024-11-04",
    "2024-11-05",
    "2024-11-30",
    "2025-06-01",
]
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = open_store(tmp_path_factory.mktemp("asof") / "asof.db")
    s.conn.execute("PRAGMA synchronous = OFF")  # a throw-away file: speed over durability
    yield s
    s.close()


def replay(events: list[dict], chain: list[str], as_of: str | None) -> dict[str, dict]:
    """Apply the chain's events one by one in time order (undated first, then entry order).

    Returns each sponsor's joining event that is still in force.
    """
    counted = [
        e
        for e in events
        if e["symbol"] in chain and (as_of is None or e["date"] is None or e["date"] <= as_of)
    ]
    counted.sort(key=lambda e: (e["date"] is not None, e["date"] or "", e["seq"]))
    sponsors: dict[str, dict] = {}
    for event in counted:
        if event["action"] == "joined":
            sponsors[event["iso3"]] = event
        else:
            sponsors.pop(event["iso3"], None)
    return sponsors


operation = st.tuples(
    st.sampled_from(STATES),
    st.sampled_from(["joined", "withdrew", "joined-undated"]),
    st.sampled_from(["original", "revision"]),
    st.sampled_from(DATES),
)


@settings(max_examples=80, deadline=None)
@given(ops=st.lists(operation, max_size=14))
def test_as_of_equals_brute_force_replay(store, ops):
    n = next(_numbers)
    original, revision = f"A/C.6/99/L.{n}", f"A/C.6/99/L.{n}/Rev.1"
    add_document(store, original, "Fictional draft", "draft", "Sixth Committee", unsourced=True)
    add_document(
        store,
        revision,
        "Fictional draft, revised",
        "draft",
        "Sixth Committee",
        parent=original,
        unsourced=True,
    )
    chains = {original: [original], revision: [revision, original]}
    events: list[dict] = []
    for seq, (ref, action, which, when) in enumerate(ops):
        symbol = original if which == "original" else revision
        if action == "joined-undated":  # as a seed row with no known date would be
            with store.write("test"):
                store.conn.execute(
                    "INSERT INTO sponsorship_events (symbol, iso3, action, role, date, date_precision) "
                    "VALUES (?, ?, 'joined', 'co', NULL, 'unknown')",
                    (symbol, ref.iso3),
                )
            events.append(
                {"symbol": symbol, "iso3": ref.iso3, "action": "joined", "date": None, "seq": seq}
            )
            continue
        sponsor_then = ref.iso3 in replay(events, chains[symbol], when.value)
        if action == "joined":
            result = add_sponsors(store, symbol, [ref], "co", when, "test")
            assert bool(result["already"]) == sponsor_then
            recorded = not sponsor_then
        else:
            if not sponsor_then:
                with pytest.raises(CahError, match="not a sponsor"):
                    withdraw_sponsors(store, symbol, [ref], when, "test")
                continue
            withdraw_sponsors(store, symbol, [ref], when, "test")
            recorded = True
        if recorded:
            events.append(
                {
                    "symbol": symbol,
                    "iso3": ref.iso3,
                    "action": action,
                    "date": when.value,
                    "seq": seq,
                }
            )
    for symbol, chain in chains.items():
        for as_of in AS_OF:
            expected = replay(events, chain, as_of)
            rows = current_sponsors(store, symbol, as_of)
            assert {r["iso3"]: r["joined_on"] for r in rows} == {
                iso3: e["date"] for iso3, e in expected.items()
            }, (symbol, as_of)
            for row in rows:  # inherited exactly when the joining in force is on the original
                deciding = expected[row["iso3"]]["symbol"]
                assert row["inherited_from"] == (None if deciding == symbol else deciding)
