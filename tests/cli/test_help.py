"""Help: every command shows examples that run on the seed; the environment is shown as it is;
bare `cahtracker` is the dashboard."""

from __future__ import annotations

import re
import shlex
import shutil

import pytest
import typer.main

from cahtracker import cli as cli_module
from conftest import DATA


def all_commands():
    root = typer.main.get_command(cli_module.build_app())
    stack = [((), root)]
    while stack:
        path, command = stack.pop()
        yield path, command
        for name, sub in getattr(command, "commands", {}).items():
            stack.append(((*path, name), sub))


COMMANDS = sorted(all_commands(), key=lambda pc: pc[0])
IDS = [" ".join(path) or "cahtracker" for path, _ in COMMANDS]


def examples_of(command) -> list[list[str]]:
    """The argument lists of a command's examples (its epilog, one example a paragraph)."""
    text = command.epilog or ""
    assert text.startswith("Examples:"), f"{command.name}: no examples"
    lines = [line for line in text.split("\n\n")[1:] if line.strip()]
    args = [shlex.split(line, comments=True) for line in lines]
    assert args and all(a[0] == "cahtracker" for a in args), lines
    return [a[1:] for a in args]


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_every_help_has_an_example(cli, path, command):
    out = cli.ok(*path, "--help").stdout
    assert "Examples:" in out
    after = out.split("Examples:", 1)[1]
    assert re.search(r"^\s*cahtracker\b", after, re.MULTILINE), out
    assert 1 <= len(examples_of(command)) <= 2


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_every_example_runs_on_the_seed(cli, tmp_path, monkeypatch, path, command):
    """Each command's examples, in order, on a fresh copy of the seeded database, in a folder
    holding the files they name (real UN records from tests/data, a fictional state list)."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(DATA / "undl" / "A_RES_74_243.xml", tmp_path)
    shutil.copy(DATA / "unvotes" / "unvotes.csv", tmp_path)
    shutil.copy(DATA / "unvotes" / "roll_calls.csv", tmp_path)
    (tmp_path / "cosponsors.txt").write_text("Albania, Andorra and Zambia\n", "utf-8")
    examples = examples_of(command)
    assert any(" ".join(path) in " ".join(args) for args in examples)  # of this command
    for args in examples:
        cli.ok(*args)


def test_help_shows_the_environment_as_it_is(cli, monkeypatch):
    monkeypatch.delenv("CAHTRACKER_TODAY", raising=False)
    unset = cli.ok("timeline", "list", "--help").stdout
    assert "$CAHTRACKER_TODAY" not in unset and "(today)" in unset
    monkeypatch.setenv("CAHTRACKER_TODAY", "2024-11-30")
    frozen = cli.ok("timeline", "list", "--help").stdout
    assert "today: 2024-11-30" in frozen
    monkeypatch.setenv("CAHTRACKER_DB", "/tmp/elsewhere/x.db")
    root = cli.ok("--help").stdout
    assert "/tmp/elsewhere/x.db" in root and "$CAHTRACKER_DB" not in root
    for path, _ in COMMANDS:
        text = cli.ok(*path, "--help").stdout
        assert not re.search(r"\$[A-Z_]{3,}", text), (path, text)  # no variable unresolved


def test_bare_cahtracker_is_the_dashboard(cli):
    from cahtracker.cli import app

    bare = cli.runner.invoke(app, ["--db", str(cli.db)])
    assert bare.exit_code == 0, bare.output
    assert bare.stdout == cli.ok("report", "tally").stdout
    assert "Sponsors: 3 recorded" in bare.stdout


@pytest.mark.parametrize("width", [80, 60])
@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_examples_fit_the_terminal_and_copy_whole(cli, monkeypatch, width, path, command):
    """At 80 (and 60) columns every line of the examples fits, and the lines of each example,
    joined at their ` \\` continuations as a shell joins them, are that example's command
    word for word: nothing is broken inside a quoted value."""
    monkeypatch.setenv("COLUMNS", str(width))
    out = cli.ok(*path, "--help").stdout
    shown = out.rsplit("Examples:", 1)[1]  # the epilog's, after any in the help text
    lines = [line.rstrip() for line in shown.splitlines()]
    assert all(len(line) <= width for line in lines), [ln for ln in lines if len(ln) > width]
    commands, current = [], ""
    for line in (ln.strip() for ln in lines):
        if not line or line.startswith("#"):
            continue
        current += line
        if current.endswith("\\"):
            current = current[:-1]
        else:
            commands.append(shlex.split(current))
            current = ""
    assert commands == [["cahtracker", *args] for args in examples_of(command)]


def test_help_shows_environment_values_inert(cli, monkeypatch):
    """A database path or date from the environment holding terminal controls is shown in
    help as visible escapes (issue 15: help of user values)."""
    monkeypatch.setenv("CAHTRACKER_DB", "/tmp/x\x1b]0;pwned\x07.db")
    monkeypatch.setenv("CAHTRACKER_TODAY", "2024\x1b[2J")
    for args in (("--help",), ("timeline", "list", "--help")):
        out = cli(*args).output
        assert "\x1b" not in out and "\x07" not in out, out
    assert "\\x1b]0;pwned\\x07" in cli("--help").output
    # help is Rich markup: a path with brackets reads as it is, and a [link] is no link
    monkeypatch.setenv("CAHTRACKER_DB", "/tmp/[old]/[link=x]c[/link].db")
    monkeypatch.setenv("COLUMNS", "120")
    out = cli("--help").output
    assert "/tmp/[old]/[link=x]c[/link].db" in out
