"""Shell completion through the protocol the shells use (`_CAHTRACKER_COMPLETE`): states by
name and code, document symbols, topics and groups, from the database of --db."""

from __future__ import annotations

import pytest

from cahtracker.cli import app


def complete(cli, line: str, env: dict[str, str] | None = None) -> list[str]:
    """What bash would offer after `line` (the last word is the one being completed)."""
    words = line.split(" ")
    result = cli.runner.invoke(
        app,
        [],
        prog_name="cahtracker",
        env={
            "_CAHTRACKER_COMPLETE": "complete_bash",
            "COMP_WORDS": line,
            "COMP_CWORD": str(len(words) - 1),
            **(env or {}),
        },
    )
    assert result.exit_code == 0, result.output
    return [line for line in result.stdout.splitlines() if line]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("states show Fra", "France"),
        ("states show fra", "france"),  # any case: completes as typed, resolves the same
        ("states show CI", "CIV"),
        ("states show cote", "cote d'Ivoire"),  # accents ignored
        ("sponsors add Costa", "Costa Rica"),
        ("vote compare France Ger", "Germany"),
        ("analyze align France --with Mex", "Mexico"),
        ("position history Russ", "Russian Federation"),
    ],
)
def test_states_complete_by_name_and_code(cli, typed, expected):
    assert expected in complete(cli, f"cahtracker --db {cli.db} {typed}")


def test_symbols_topics_and_groups_complete(cli):
    db = f"cahtracker --db {cli.db}"
    symbols = complete(cli, f"{db} sponsors list -d A/C.6/79/L.2")
    assert symbols == ["A/C.6/79/L.2", "A/C.6/79/L.2/Rev.1", "A/C.6/79/L.20", "A/C.6/79/L.21"]
    assert complete(cli, f"{db} docs show A/RES") == ["A/RES/77/249", "A/RES/79/122"]
    assert complete(cli, f"{db} position list --topic gender") == [
        "gender-apartheid",
        "gender-definition",
    ]
    assert "Western European and Others" in complete(cli, f"{db} states list --group W")
    assert "GRULAC" in complete(cli, f"{db} sponsors list -g GR")


def test_completion_reads_the_database_given_anywhere(cli, tmp_path):
    cli.ok("docs", "add", "A/FIC/9", "--title", "Fictional", "--kind", "draft", "--body",
           "Sixth Committee", "--unsourced")  # fmt: skip
    after = f"cahtracker vote list --db {cli.db} -d A/FIC"
    assert complete(cli, after) == ["A/FIC/9"]
    by_env = complete(cli, "cahtracker docs show A/FIC", env={"CAHTRACKER_DB": str(cli.db)})
    assert by_env == ["A/FIC/9"]
    missing = tmp_path / "none.db"
    assert complete(cli, f"cahtracker --db {missing} states show Fra") == []
    assert not missing.exists()  # completion never creates a database


@pytest.mark.slow
def test_a_real_shell_call_completes_states(db_path):
    """The installed entry point, as zsh calls it on Tab."""
    from conftest import process_env, run_process

    env = process_env(
        _CAHTRACKER_COMPLETE="complete_zsh",
        _TYPER_COMPLETE_ARGS=f"cahtracker --db {db_path} states show Mex",
    )
    result = run_process(None, env=env)
    assert result.returncode == 0, result.stderr
    assert '"Mexico":"MEX"' in result.stdout


def test_completion_offers_user_text_inert(cli):
    """Help of user values (issue 15): a topic title with terminal controls reaches the
    shell's completion menu as visible escapes, and a symbol holding a control is never
    offered (it would be typed into the command line). Fictional documents and topic."""

    def zsh(line: str) -> str:  # zsh shows each value's help text beside it
        env = {"_CAHTRACKER_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": line}
        result = cli.runner.invoke(app, [], prog_name="cahtracker", env=env)
        assert result.exit_code == 0, result.output
        return result.stdout

    cli.ok("position", "topic-add", "fictional-topic", "--title", "T\x1b]0;pwned\x07")
    body = ("--kind", "draft", "--body", "Sixth Committee", "--unsourced")
    cli.ok("docs", "add", "A/FIC/1", "--title", "x", *body)
    cli.ok("docs", "add", "A/FIC/2\x1b[2J", "--title", "x", *body)
    topics = zsh(f"cahtracker --db {cli.db} position list --topic fict")
    assert "fictional-topic" in topics and "\\x1b]0;pwned\\x07" in topics, topics
    symbols = zsh(f"cahtracker --db {cli.db} docs show A/FIC")
    assert "A/FIC/1" in symbols and "A/FIC/2" not in symbols, symbols
    for out in (topics, symbols):
        assert "\x1b" not in out and "\x07" not in out
