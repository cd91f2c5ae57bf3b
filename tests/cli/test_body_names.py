"""Body names (`vote record --body`, `docs add --body`): a known body in any letter case is
stored in its known spelling; a typo or a new body is refused unless --new-body."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import assert_refused

DOC = "A/C.6/79/L.2/Rev.1"
SEED_BODIES = [
    "Conference of Plenipotentiaries",
    "General Assembly",
    "Preparatory Committee",
    "Sixth Committee",
]


def record_args(body, *extra):
    return (
        "vote", "record", "--doc", DOC, "--date", "2024-11-23", "--body", body,
        "--yes", "Albania", "--source", "fictional record", *extra,
    )  # fmt: skip


def record(cli, body, *extra):
    return cli(*record_args(body, *extra))


def add_doc(cli, symbol, body, *extra):
    return cli(
        "docs", "add", symbol, "--title", "t", "--kind", "draft", "--body", body,
        "--source", "fictional", *extra,
    )  # fmt: skip


def votes(cli, *args):
    return json.loads(cli.ok("vote", "list", *args, "-f", "json").stdout)


def doc_body(cli, symbol):
    return json.loads(cli.ok("docs", "show", symbol, "-f", "json").stdout)["body"]


def test_seed_bodies_are_known(store):
    from cahtracker.documents import known_bodies

    assert known_bodies(store) == SEED_BODIES


@pytest.mark.parametrize("typed", ["sixth committee", "  SIXTH   Committee ", "Sixth Committee"])
def test_vote_record_stores_the_known_spelling(cli, typed):
    cli.ok(*record_args(typed))
    latest = votes(cli, "--doc", DOC)[-1]
    assert latest["body"] == "Sixth Committee"
    assert latest["date"] == "2024-11-23"


def test_docs_add_stores_the_known_spelling(cli):
    cli.ok(
        "docs",
        "add",
        "A/C.6/99/L.1",
        "--title",
        "t",
        "--kind",
        "draft",
        "--body",
        "general ASSEMBLY",
        "--unsourced",
    )
    assert doc_body(cli, "A/C.6/99/L.1") == "General Assembly"


def test_vote_record_refuses_a_typo_with_a_suggestion(cli, unchanged):
    with unchanged():
        result = record(cli, "Sixth Comittee")
    assert_refused(
        result,
        "Unknown body 'Sixth Comittee'. Did you mean: Sixth Committee? "
        "Pass --new-body to record a new body.",
    )
    assert len(result.output.strip().splitlines()) == 1


def test_docs_add_refuses_a_typo_with_a_suggestion(cli, unchanged):
    with unchanged():
        result = add_doc(cli, "A/C.6/99/L.1", "General Asembly")
    assert_refused(result, "Unknown body 'General Asembly'. Did you mean: General Assembly?")


def test_vote_record_with_create_doc_and_a_typo_creates_nothing(cli, unchanged):
    with unchanged():
        result = record(cli, "Sixth Comittee", "--create-doc")
    assert_refused(result, "Did you mean: Sixth Committee?")


@pytest.mark.parametrize("command", ["vote", "docs"])
def test_an_unlike_name_is_refused_with_the_known_bodies(cli, unchanged, command):
    with unchanged():
        if command == "vote":
            result = record(cli, "Human Rights Council")
        else:
            result = add_doc(cli, "A/C.6/99/L.1", "Human Rights Council")
    assert_refused(
        result,
        "Unknown body 'Human Rights Council'; known bodies: Conference of Plenipotentiaries, "
        "General Assembly, Preparatory Committee, Sixth Committee. "
        "Pass --new-body to record a new body.",
    )


def test_new_body_is_accepted_and_then_known(cli, unchanged):
    cli.ok("docs", "add", "A/C.6/99/L.1", "--title", "t", "--kind", "draft",
           "--body", " Human  Rights Council ", "--new-body", "--unsourced")  # fmt: skip
    assert doc_body(cli, "A/C.6/99/L.1") == "Human Rights Council"
    # now known: any case, no flag; and its typo is caught
    cli.ok("vote", "record", "--doc", "A/C.6/99/L.1", "--date", "2024-11-23",
           "--body", "human rights council", "--yes", "Albania", "--unsourced")  # fmt: skip
    assert [v["body"] for v in votes(cli, "--doc", "A/C.6/99/L.1")] == ["Human Rights Council"]
    with unchanged():
        result = record(cli, "Human Rigths Council")
    assert_refused(result, "Did you mean: Human Rights Council?")


def test_vote_record_new_body_accepts_a_close_name(cli):
    """A close name may be a different body (Third vs Sixth Committee): --new-body says so."""
    assert_refused(record(cli, "Third Committee"), "Did you mean: Sixth Committee?")
    cli.ok(*record_args("Third Committee", "--new-body"))
    assert votes(cli, "--doc", DOC)[-1]["body"] == "Third Committee"


def test_new_body_with_a_known_name_keeps_the_known_spelling(cli):
    cli.ok(*record_args("SIXTH COMMITTEE", "--new-body"))
    assert votes(cli, "--doc", DOC)[-1]["body"] == "Sixth Committee"


def test_vote_list_body_matches_any_letter_case(cli):
    cli.ok(*record_args("Étude Committee", "--new-body"))
    all_sixth = [v["id"] for v in votes(cli, "--body", "Sixth Committee")]
    assert all_sixth and all_sixth == [v["id"] for v in votes(cli, "--body", "sIXTH cOMMITTEE")]
    assert all_sixth == [v["id"] for v in votes(cli, "--body", "sixth")]
    # non-ASCII letters too (SQLite's LIKE folds only ASCII)
    assert [v["body"] for v in votes(cli, "--body", "éTUDE")] == ["Étude Committee"]
    assert votes(cli, "--body", "%") == []  # no LIKE wildcards
    assert [v["body"] for v in votes(cli, "--body", "general assembly")] == ["General Assembly"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_known_body_in_any_case_resolves_to_its_spelling(store, data):
    from cahtracker.documents import resolve_body

    body = data.draw(st.sampled_from(SEED_BODIES))
    flips = data.draw(st.lists(st.booleans(), min_size=len(body), max_size=len(body)))
    typed = "".join(c.upper() if up else c.lower() for c, up in zip(body, flips, strict=True))
    pad = data.draw(st.sampled_from(["", " ", "  ", "\t"]))
    assert resolve_body(store, f"{pad}{typed}{pad}") == body
