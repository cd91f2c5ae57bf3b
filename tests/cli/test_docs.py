"""`docs` through the CLI: list, show, add (revisions inherit sponsors), use."""

from __future__ import annotations

import json

import pytest

from conftest import assert_refused

SEEDED = [
    "A/C.6/79/L.2",
    "A/C.6/79/L.2/Rev.1",
    "A/C.6/79/L.20",
    "A/C.6/79/L.21",
    "A/RES/77/249",
    "A/RES/79/122",
]


def test_docs_list_marks_the_default(cli):
    rows = json.loads(cli.ok("docs", "list", "-f", "json").stdout)
    assert sorted(r["symbol"] for r in rows) == SEEDED
    assert [r["symbol"] for r in rows if r["is_default"]] == ["A/C.6/79/L.2/Rev.1"]
    assert next(r for r in rows if r["symbol"] == "A/C.6/79/L.20")["parent_symbol"] == (
        "A/C.6/79/L.2/Rev.1"
    )
    assert "* the default document" in cli.ok("docs", "list").stdout


def test_docs_show_gives_chain_children_and_counts(cli):
    doc = json.loads(cli.ok("docs", "show", "a/c.6/79/l.2/rev.1", "-f", "json").stdout)
    assert doc["symbol"] == "A/C.6/79/L.2/Rev.1" and doc["revises"] == ["A/C.6/79/L.2"]
    assert "A/C.6/79/L.20 (amendment)" in doc["children"]
    assert doc["sponsors"] == 3 and doc["count_claims"] == 4 and doc["is_default"] is True
    assert_refused(cli("docs", "show", "A/C.6/79/L.3"), "Unknown document 'A/C.6/79/L.3'")


def test_docs_add_revision_inherits_sponsors_until_they_withdraw(cli):
    cli.ok(
        "docs",
        "add",
        "A/C.6/99/L.7",
        "--title",
        "Fictional draft",
        "--kind",
        "draft",
        "--body",
        "Sixth Committee",
        "--date",
        "1 October 2099",
        "--unsourced",
    )
    cli.ok(
        "docs",
        "add",
        "A/C.6/99/L.7/Rev.1",
        "--title",
        "Fictional draft, revised",
        "--kind",
        "draft resolution",
        "--body",
        "Sixth Committee",
        "--parent",
        "A/C.6/99/L.7",
        "--unsourced",
    )
    doc = json.loads(cli.ok("docs", "show", "A/C.6/99/L.7", "-f", "json").stdout)
    assert (doc["kind"], doc["session"], doc["date"], doc["date_precision"]) == (
        "draft resolution",
        99,
        "2099-10-01",
        "day",
    )
    cli.ok(
        "sponsors",
        "add",
        "Chile, Peru",
        "--doc",
        "A/C.6/99/L.7",
        "--date",
        "2099-10-01",
        "--unsourced",
    )
    cli.ok(
        "sponsors",
        "add",
        "Fiji",
        "--doc",
        "A/C.6/99/L.7/Rev.1",
        "--date",
        "2099-10-05",
        "--unsourced",
    )
    cli.ok(
        "sponsors",
        "withdraw",
        "Peru",
        "--doc",
        "A/C.6/99/L.7/Rev.1",
        "--date",
        "2099-10-06",
        "--unsourced",
    )
    rows = json.loads(
        cli.ok("sponsors", "list", "--doc", "A/C.6/99/L.7/Rev.1", "-f", "json").stdout
    )
    assert [(r["iso3"], r["inherited_from"]) for r in rows] == [
        ("CHL", "A/C.6/99/L.7"),
        ("FJI", None),
    ]


def test_docs_use_changes_the_default_of_other_commands(cli):
    out = cli.ok("docs", "use", "A/C.6/79/L.20").stdout
    assert "Default document: A/C.6/79/L.20 (was A/C.6/79/L.2/Rev.1)" in out
    assert sorted(
        r["iso3"] for r in json.loads(cli.ok("sponsors", "list", "-f", "json").stdout)
    ) == [
        "NIC",
        "PRK",
        "RUS",
    ]
    assert "already the default" in cli.ok("docs", "use", "A/C.6/79/L.20").stdout


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["A/C.6/79/L.2", "--title", "t", "--kind", "draft", "--body", "b"], ["already exists"]),
        (
            ["A/C.6/99/L.1", "--title", "t", "--kind", "memo", "--body", "b"],
            ["Unknown document kind 'memo'"],
        ),
        (
            [
                "A/C.6/99/L.1",
                "--title",
                "t",
                "--kind",
                "draft",
                "--body",
                "b",
                "--parent",
                "A/C.6/79/L.9",
            ],
            ["Unknown document 'A/C.6/79/L.9'"],
        ),
        (
            [
                "A/C.6/99/L.1",
                "--title",
                "t",
                "--kind",
                "draft",
                "--body",
                "b",
                "--date",
                "02/03/2099",
            ],
            ["Ambiguous date"],
        ),
        (["A C 6", "--title", "t", "--kind", "draft", "--body", "b"], ["Bad document symbol"]),
    ],
)
def test_docs_add_refusals_change_nothing(cli, unchanged, args, fragments):
    with unchanged():
        assert_refused(cli("docs", "add", *args, "--unsourced"), *fragments)


def test_docs_use_unknown_is_refused(cli, unchanged):
    with unchanged():
        assert_refused(cli("docs", "use", "A/C.6/79/L.2/Rev.2"), "Unknown document", "Did you mean")
