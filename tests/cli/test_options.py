"""One meaning per option letter, global options anywhere, formats in any letter case."""

from __future__ import annotations

import json

import pytest
import typer.main
from typer.core import TyperArgument, TyperOption

from cahtracker import cli as cli_module
from conftest import DATA, assert_refused

# what each short letter means, everywhere it is used (the list, plus the letters
# a single group uses: --limit of db log, --topic/--stance/--quote of position)
MEANINGS = {
    "-f": "--format",
    "-o": "--output",
    "-d": "--doc",
    "-g": "--group",
    "-n": "--limit",
    "-t": "--topic",
    "-s": "--stance",
    "-q": "--quote",
}
DATE_OPTIONS = {"--date", "--as-of", "--from", "--to", "--end"}


def commands():
    """(path, command) of every command of the app, the root and the groups included."""
    root = typer.main.get_command(cli_module.build_app())
    stack = [(("cahtracker",), root)]
    while stack:
        path, command = stack.pop()
        yield path, command
        for name, sub in getattr(command, "commands", {}).items():
            stack.append(((*path, name), sub))


def options():
    for path, command in commands():
        for param in command.params:
            if isinstance(param, TyperOption):
                yield path, param


def test_every_short_option_means_one_thing():
    seen: dict[str, set[str]] = {}
    for path, param in options():
        names = param.opts + param.secondary_opts
        longs = [n for n in names if n.startswith("--")]
        for short in (n for n in names if not n.startswith("--")):
            seen.setdefault(short, set()).update(longs)
            assert MEANINGS.get(short) in longs, f"{' '.join(path)}: {short} is {longs}"
    assert all(len(longs) == 1 for longs in seen.values()), seen
    assert {"-f", "-o", "-d"} <= set(seen)


def test_dates_have_no_short_letter_and_the_document_is_always_doc():
    docs = 0
    for path, param in options():
        names = set(param.opts + param.secondary_opts)
        if names & DATE_OPTIONS:
            assert all(n.startswith("--") for n in names), (path, names)
        if "--doc" in names:
            docs += 1
            assert "-d" in names, f"{' '.join(path)}: --doc without -d"
        if "--output" in names:
            assert path[-1] == "export" and "-o" in names  # the one output path
    assert docs >= 10


def test_the_input_format_is_input_format_and_the_summary_is_f(cli):
    path = str(DATA / "undl" / "A_RES_74_243.xml")
    summary = json.loads(
        cli.ok("vote", "import", path, "--input-format", "UNDL-XML", "-f", "JSON").stdout
    )
    assert summary["votes"] == 1 and summary["format"] == "undl-xml"
    refused = cli("vote", "import", path, "--format", "undl-xml")
    assert_refused(refused, "--input-format undl-xml", code=2)
    assert_refused(cli("vote", "import", path, "-o", "json"), "No such option", code=2)


@pytest.mark.parametrize("where", ["before", "after"])
def test_global_options_are_accepted_after_the_command(cli, tmp_path, where):
    other = tmp_path / "other.db"
    args = ["sponsors", "list", "-f", "json"]
    line = ["--db", str(other), *args] if where == "before" else [*args, "--db", str(other)]
    from cahtracker.cli import app

    assert cli.runner.invoke(app, line).exit_code == 0
    assert other.exists()  # the command used it
    result = cli.runner.invoke(app, ["vote", "list", f"--db={other}", "--wide"])
    assert result.exit_code == 0 and "Body" in result.stdout  # --wide: every column


def test_the_fast_start_finds_the_group_past_global_options():
    assert cli_module.invoked_group(["--wide", "--db", "x.db", "vote", "list"]) == "vote"
    assert cli_module.invoked_group(["--db=x.db", "sponsors"]) == "sponsors"
    assert cli_module.invoked_group([]) == "report"  # bare: the dashboard
    assert cli_module.invoked_group(["--help"]) is None


@pytest.mark.parametrize(
    "args",
    [("states", "list"), ("vote", "list"), ("sponsors", "count"), ("position", "matrix"),
     ("docs", "show", "A/RES/79/122"), ("vote", "show", "1")],
    ids=" ".join,
)  # fmt: skip
def test_formats_are_case_insensitive(cli, args):
    assert cli.ok(*args, "-f", "json").stdout == cli.ok(*args, "-f", "JSON").stdout
    assert cli.ok(*args, "--format", "Csv").stdout == cli.ok(*args, "-f", "csv").stdout


def test_report_export_format_is_case_insensitive(cli, tmp_path):
    out = tmp_path / "r.html"
    cli.ok("report", "export", "-f", "HTML", "-o", str(out))
    assert out.read_text("utf-8").lstrip().lower().startswith("<!doctype html")


def test_arguments_are_not_options():
    # the walk sees arguments too: none of them has a dash name
    for _, command in commands():
        for param in command.params:
            if isinstance(param, TyperArgument):
                assert not any(o.startswith("-") for o in param.opts)
