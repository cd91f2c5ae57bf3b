"""One meaning per option letter, global options anywhere, formats in any letter case."""

from __future__ import annotations

import json

import pytest
import typer.main
from hypothesis import given, settings
from hypothesis import strategies as st
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


# ---- red team 6: a global option's name given as another option's value stays a value ----


@pytest.fixture(scope="module")
def root_command():
    return typer.main.get_command(cli_module.build_app())


# (the line as typed, the line hoisted): written out by hand, each token's role read from
# the option's definition (`--source`, `--doc`/`-d` and `--limit`/`-n` take a value;
# `--unsourced` is a flag)
HOISTED = [
    (
        ["sponsors", "add", "Peru", "--source", "--db", "--db", "a.db"],
        ["--db", "a.db", "sponsors", "add", "Peru", "--source", "--db"],
    ),
    (
        ["sponsors", "add", "Peru", "--source", "--wide", "--wide"],
        ["--wide", "sponsors", "add", "Peru", "--source", "--wide"],
    ),
    (
        ["sponsors", "add", "Peru", "--source=--db", "--db=a.db"],
        ["--db=a.db", "sponsors", "add", "Peru", "--source=--db"],
    ),
    (
        ["sponsors", "add", "-d", "--db", "Peru", "--unsourced", "--db", "a.db"],
        ["--db", "a.db", "sponsors", "add", "-d", "--db", "Peru", "--unsourced"],
    ),
    (["sponsors", "list", "-d--wide", "--wide"], ["--wide", "sponsors", "list", "-d--wide"]),
    (["db", "log", "-n", "--wide"], ["db", "log", "-n", "--wide"]),  # -n's value (Click refuses it)
    (["--db", "a.db", "db", "log", "--wide"], ["--db", "a.db", "--wide", "db", "log"]),
    (["sponsors", "list", "--", "--db", "x"], ["sponsors", "list", "--", "--db", "x"]),
    (["sponsors", "add", "--db", "a.db", "Peru"], ["--db", "a.db", "sponsors", "add", "Peru"]),
    (
        ["sponsors", "add", "Peru", "--source", "--who", "--who", "Ann"],
        ["--who", "Ann", "sponsors", "add", "Peru", "--source", "--who"],
    ),
]


@pytest.mark.parametrize(("typed", "hoisted"), HOISTED, ids=lambda a: " ".join(a))
def test_a_global_option_is_hoisted_unless_it_is_a_value(root_command, typed, hoisted):
    assert cli_module.hoist_global_options(typed, root_command) == hoisted


TEXT_OPTIONS = ["--source", "--date", "--role", "--doc", "-d"]  # of `sponsors add`
AWKWARD = ["--db", "--wide", "--db=x.db", "-", "--", "-d", "Peru", "sponsors"]


@given(
    values=st.lists(
        st.tuples(
            st.sampled_from(TEXT_OPTIONS),
            st.one_of(st.sampled_from(AWKWARD), st.text(min_size=1, max_size=8)),
        ),
        max_size=5,
    ),
    where=st.integers(0, 5),
    wide=st.booleans(),
)
@settings(max_examples=300, deadline=None)
def test_option_values_are_never_taken_as_global_options(root_command, values, where, wide):
    """`sponsors add Peru` with options whose values may look like anything (a global
    option's name included); `--db a.db` (and `--wide`) inserted between two of them: the
    hoisted line is the globals, then the line as typed without them."""
    pairs = [[name, value] for name, value in values]
    globals_ = ["--db", "a.db", *(["--wide"] if wide else [])]
    where = min(where, len(pairs))
    rest = ["sponsors", "add", "Peru", *(token for pair in pairs for token in pair)]
    at = 3 + 2 * where
    typed = [*rest[:at], *globals_, *rest[at:]]
    assert cli_module.hoist_global_options(typed, root_command) == [*globals_, *rest]


def test_a_db_named_as_a_source_is_the_source_and_a_db_is_where_it_goes(cli, tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    target = work / "a.db"
    from cahtracker.cli import app

    line = [
        "sponsors",
        "add",
        "Peru",
        "--date",
        "2025-01-01",
        "--source",
        "--db",
        "--db",
        str(target),
    ]
    result = cli.runner.invoke(app, line)
    assert result.exit_code == 0, result.output
    assert [p.name for p in work.iterdir() if not p.name.startswith("a.db")] == []
    import sqlite3

    conn = sqlite3.connect(target)
    try:
        added = conn.execute("SELECT source FROM sponsorship_events WHERE date = '2025-01-01'")
        assert [row[0] for row in added] == ["--db"]  # the source, in the database named
    finally:
        conn.close()


@pytest.mark.parametrize(
    "line",
    [
        ["--db", "a.db", "sponsors", "list", "--db", "b.db"],
        ["sponsors", "list", "--db=a.db", "--db", "b.db"],
        ["--db", "a.db", "--db", "a.db", "states", "list"],
    ],
    ids=" ".join,
)
def test_db_given_twice_is_refused_in_one_line(cli, tmp_path, monkeypatch, line):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    from cahtracker.cli import app

    result = cli.runner.invoke(app, line)
    assert_refused(result, "--db given twice", "a.db", code=2)
    assert len(result.output.strip().splitlines()) == 1
    assert list(work.iterdir()) == [], "a database was opened"


def test_who_given_twice_is_refused_in_one_line(cli):
    result = cli("--who", "Ann", "sponsors", "list", "--who=Bob")
    assert_refused(result, "--who given twice: Ann and Bob", code=2)
    assert len(result.output.strip().splitlines()) == 1
