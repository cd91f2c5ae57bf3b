"""The README's examples: every one that records a fact names its source (or --unsourced),
and the writing examples of each command's section run, in order, on a seeded database,
without recording a decision twice. The files they read are written here, fictional."""

from __future__ import annotations

import re
import shlex
import sqlite3
from collections import Counter

import pytest

from conftest import ROOT

RECORDS = {
    ("sponsors", "add"),
    ("sponsors", "withdraw"),
    ("sponsors", "import"),
    ("sponsors", "claim"),
    ("vote", "record"),
    ("position", "set"),
    ("timeline", "add"),
    ("docs", "add"),
}


def readme_commands() -> list[tuple[str, list[str]]]:
    """(section, argv after `cahtracker`) of every example, continuation lines joined."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    out = []
    section = ""
    for part in re.split(r"(?m)^(### `[a-z]+`|```sh\n[\s\S]*?```)", text):
        if part.startswith("### `"):
            section = part[5:-1]
        elif part.startswith("```sh"):
            body = part[len("```sh\n") : -3].replace("\\\n", " ")
            for line in body.splitlines():
                if not line.startswith("cahtracker "):
                    continue  # a comment, or a transcript's output (`$ cahtracker ...` blocks)
                words = shlex.split(line, comments=True)
                out.append((section, words[1:]))
    return out


def _a_document(argv: list[str]) -> bool:
    """`sponsors import` of a UN document: its facts carry the document as their source."""
    return argv[:2] == ["sponsors", "import"] and argv[2].endswith((".xml", ".pdf"))


def test_every_example_that_records_a_fact_names_its_source():
    recording = [
        argv
        for _, argv in readme_commands()
        if tuple(argv[:2]) in RECORDS and not _a_document(argv)
    ]
    assert len(recording) >= 15
    missing = [argv for argv in recording if not {"--source", "--unsourced"} & set(argv)]
    assert missing == []


def test_every_new_command_has_an_example():
    shown = {tuple(argv[:2]) for _, argv in readme_commands()}
    for command in (
        ("vote", "edit"),
        ("vote", "delete"),
        ("sponsors", "remove"),
        ("position", "delete"),
    ):
        assert command in shown
    flags = {flag for _, argv in readme_commands() for flag in argv}
    assert {"--also", "--replace", "--unsourced", "--state", "--table", "--command"} <= flags


# the commands that write (besides those that record a fact): corrections and settings
CORRECTIONS = {
    ("vote", "edit"),
    ("vote", "delete"),
    ("sponsors", "remove"),
    ("position", "delete"),
    ("position", "topic-add"),
    ("docs", "use"),
}


def _runnable(argv: list[str]) -> bool:
    """The writing examples (`vote import` reads files of its own; `-` is a pipe)."""
    return tuple(argv[:2]) in RECORDS | CORRECTIONS and "-" not in argv and not _a_document(argv)


@pytest.mark.parametrize("section", ["docs", "sponsors", "vote", "position", "timeline"])
def test_the_writing_examples_of_a_section_run_in_order(
    cli, db_path, tmp_path, monkeypatch, section
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ballots.csv").write_text("state,choice\nAlbania,yes\nChile,no\n", encoding="utf-8")
    (tmp_path / "cosponsors.txt").write_text("Fiji\nGhana\n", encoding="utf-8")
    commands = [argv for s, argv in readme_commands() if s == section and _runnable(argv)]
    if section == "vote":  # its examples vote on the documents the docs examples add
        docs = [
            argv for s, argv in readme_commands() if s == "docs" and argv[:2] == ["docs", "add"]
        ]
        commands = docs + commands
    assert commands
    for argv in commands:
        result = cli(*argv)
        assert result.exit_code == 0, (argv, result.output)
    conn = sqlite3.connect(db_path)
    triples = Counter(conn.execute("SELECT symbol, body, date FROM votes").fetchall())
    conn.close()
    # the example recorded --also is deleted by the `vote delete` example: one decision each
    assert {t: n for t, n in triples.items() if n > 1} == {}
